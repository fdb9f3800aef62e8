package dev.localexec.postgres;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.json.Json;
import dev.localexec.core.queue.JobRecord;
import dev.localexec.core.queue.JobStateMachine;
import dev.localexec.core.queue.LedgerEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@link PostgresJobQueue#importLedger} loaded from a file ledger.
 *
 * @param lines the ledger lines loaded (each becomes one row of {@code events})
 * @param jobs the jobs the lines replay to
 * @param tornTailBytes the length of a torn last line that was left out, else 0
 * @param unreadableLines the 1-based numbers of lines that are not JSON objects (kept)
 * @param chainHead the head of the ledger's hash chain after the last line
 */
public record LedgerImport(
    long lines, int jobs, long tornTailBytes, List<Integer> unreadableLines, ChainHead chainHead) {

  private static final Pattern HEX64 = Pattern.compile("^[0-9a-f]{64}$");
  private static final int BATCH = 1000;

  /** Validates and copies. */
  public LedgerImport {
    unreadableLines = List.copyOf(unreadableLines);
  }

  /** The report as a JSON object for the CLI. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lines", lines);
    m.put("jobs", jobs);
    m.put("torn_tail_bytes", tornTailBytes);
    m.put("unreadable_lines", unreadableLines);
    m.put("chain_head", chainHead.toMap());
    return m;
  }

  /** The rows a ledger file becomes: its lines and their replay. */
  static Plan plan(byte[] bytes) {
    Plan p = new Plan();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        p.line(new String(bytes, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start < bytes.length) {
      String rest = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
      if (!rest.isBlank()) {
        if (parse(rest) instanceof Map) {
          p.line(rest);
        } else {
          p.tornTailBytes = bytes.length - start;
        }
      }
    }
    return p;
  }

  private static Object parse(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return null;
    }
    try {
      return Json.parse(t);
    } catch (LocalExecException e) {
      return null;
    }
  }

  /** One job's replayed state and where it stands in the ledger. */
  private static final class Entry {
    final long firstOrder;
    JobRecord record;
    String document;
    long enqueueOrder;

    Entry(long firstOrder) {
      this.firstOrder = firstOrder;
    }
  }

  /** Lines and jobs ready to insert. */
  static final class Plan {
    private final List<String> lines = new ArrayList<>();
    private final List<String> kinds = new ArrayList<>();
    private final List<String> jobIds = new ArrayList<>();
    private final List<Boolean> unreadable = new ArrayList<>();
    private final Map<String, Entry> jobs = new LinkedHashMap<>();
    private final List<Integer> badLines = new ArrayList<>();
    private ChainHead head = ChainHead.GENESIS;
    private long tornTailBytes;
    private long maxFence;

    private void line(String raw) {
      String text = raw.indexOf('\0') >= 0 ? raw.replace('\0', '\uFFFD') : raw;
      int lineNo = lines.size() + 1;
      lines.add(text);
      Object parsed = parse(text);
      if (!(parsed instanceof Map<?, ?> m)) {
        boolean bad = !text.isBlank();
        if (bad) {
          badLines.add(lineNo);
        }
        kinds.add(null);
        jobIds.add(null);
        unreadable.add(bad);
        return;
      }
      unreadable.add(false);
      Object kind = m.get("event");
      kinds.add(kind instanceof String k ? k : null);
      String jobId = m.get("job_id") instanceof String id ? id : null;
      if (m.get("job") instanceof Map<?, ?> job && job.get("job_id") instanceof String id) {
        jobId = id;
      }
      jobIds.add(jobId);
      if (m.get("seq") instanceof Number seq
          && seq.longValue() >= 1
          && m.get("hash") instanceof String h
          && HEX64.matcher(h).matches()) {
        head = new ChainHead(seq.longValue(), h);
      }
      apply(m, lineNo);
    }

    /** The replay of one object through the {@link JobStateMachine}, as the file ledger's. */
    private void apply(Map<?, ?> m, int lineNo) {
      LedgerEvent ev = LedgerEvent.of(m);
      if (ev instanceof LedgerEvent.TornLine torn) {
        if (torn.line() != null) {
          int named = torn.line();
          badLines.remove(Integer.valueOf(named));
          if (named >= 1 && named <= unreadable.size()) {
            unreadable.set(named - 1, false);
          }
        }
        return;
      }
      String id = ev.jobId();
      if (id == null) {
        return;
      }
      Entry e = jobs.get(id);
      JobRecord after = JobStateMachine.apply(e == null ? null : e.record, ev);
      if (after == null) {
        return;
      }
      if (e == null) {
        e = new Entry(lineNo);
        jobs.put(id, e);
      }
      if (ev instanceof LedgerEvent.Enqueued en) {
        e.document = Json.line(en.job());
        e.enqueueOrder = lineNo;
      } else if (m.get("fence") instanceof Number f) {
        maxFence = Math.max(maxFence, f.longValue());
      }
      e.record = after;
    }

    LedgerImport report() {
      return new LedgerImport(lines.size(), jobs.size(), tornTailBytes, badLines, head);
    }

    /** Inserts the lines and jobs into an empty queue and sets its ledger head. */
    void write(Connection c, String s) throws SQLException {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + s
                  + ".events (line_no, line, event, job_id, unreadable) VALUES (?, ?, ?, ?, ?)")) {
        for (int i = 0; i < lines.size(); i++) {
          ps.setLong(1, i + 1L);
          ps.setString(2, lines.get(i));
          ps.setString(3, kinds.get(i));
          ps.setString(4, jobIds.get(i));
          ps.setBoolean(5, unreadable.get(i));
          ps.addBatch();
          if ((i + 1) % BATCH == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + s
                  + ".jobs (job_id, job_type, document, state, first_order, enqueue_order,"
                  + " attempt, worker_id, lease_expires_unix, fence, updated_ts, error, host)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        int n = 0;
        for (Entry e : jobs.values()) {
          JobRecord r = e.record;
          ps.setString(1, r.jobId());
          ps.setString(2, r.jobType());
          ps.setString(3, e.document);
          ps.setString(4, r.state().jsonName());
          ps.setLong(5, e.firstOrder);
          ps.setLong(6, e.enqueueOrder);
          ps.setInt(7, r.attempts());
          ps.setString(8, r.workerId());
          ps.setDouble(9, r.leaseExpiresUnix());
          ps.setLong(10, r.fence());
          ps.setString(11, r.updatedTs());
          ps.setString(12, r.error());
          ps.setString(13, r.host());
          ps.addBatch();
          if (++n % BATCH == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE "
                  + s
                  + ".ledger_head SET line_no = ?, chain_seq = ?, chain_hash = ? WHERE id = 1")) {
        ps.setLong(1, lines.size());
        ps.setLong(2, head.seq());
        ps.setString(3, head.hash());
        ps.executeUpdate();
      }
      if (maxFence > 0) {
        try (PreparedStatement ps = c.prepareStatement("SELECT setval('" + s + ".fence_seq', ?)")) {
          ps.setLong(1, maxFence);
          ps.executeQuery().close();
        }
      }
    }
  }
}
