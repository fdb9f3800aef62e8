package dev.localexec.core.internal.integrity;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.integrity.VerifyReport;
import dev.localexec.core.integrity.VerifyReport.FileCheck;
import dev.localexec.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Recomputes the hash chains of the ledger, the jobs' evidence and the worker event files (see
 * {@link ChainedJsonl}) and reports, per file, the first problem and its line:
 *
 * <ul>
 *   <li>an edited line (its hash does not match), an inserted, deleted or reordered line (a gap in
 *       {@code seq}, or a hash that does not match);
 *   <li>an unchained (legacy) line after chained lines;
 *   <li>a line that is not a JSON object, unless it is a torn write: the file's unterminated last
 *       line, or a line the following {@code torn_line} event names;
 *   <li>a ledger that does not hold the head its head file {@code state/jobs.head} recorded (see
 *       {@link LedgerHeadFile}): deleted, emptied or cut shorter, or rewritten with every hash
 *       recomputed ({@code re-chained}); a ledger with chained lines but no head file verifies with
 *       a warning (it was written before head files, and gets one on its next append);
 *   <li>a cut-off evidence file: every {@code complete} / {@code fail} ledger event records the
 *       job's evidence head ({@code evidence_head}); the evidence must still hold a line with that
 *       {@code seq} and hash;
 *   <li>evidence past its head: lines after the head the job's newest final event recorded, unless
 *       a later attempt of the job runs under a live claim, or they are the late lines of an
 *       attempt the ledger fenced off (ending in its {@code stale_claim} line);
 *   <li>evidence of a job the ledger does not end: the ledger does not know the job, or has no
 *       final event for it while no claim of it is live;
 *   <li>an edited or missing summary: the {@code summary} evidence line before the job's final line
 *       records the SHA-256 of the {@code <job_id>.md} written; the file is checked against the
 *       newest such line at or before the job's evidence head, and reported as its own file.
 * </ul>
 *
 * <p>Reads only; safe while workers write (a line being written shows as a torn last line; the head
 * file is read before the ledger, so it never leads what is read of the ledger).
 */
public final class Verifier {
  private static final Pattern JOB_ID = Pattern.compile("^job-[a-z0-9]{8,32}$");
  private static final Pattern JOB_EVIDENCE = Pattern.compile("^job-[a-z0-9]{8,32}\\.jsonl$");
  private static final Pattern WORKER_EVENTS = Pattern.compile("^worker_.+\\.jsonl$");

  private final Path root;
  private final Path ledger;
  private final Path evidenceDir;
  private final String localHost;
  private final Path headFile;
  private final Clock clock;

  /**
   * A verifier of one plane's files, the ledger checked against its head file {@code jobs.head}
   * beside it.
   *
   * @param root the repo root; files are reported relative to it
   * @param ledger the ledger, {@code state/jobs.jsonl}
   * @param evidenceDir the evidence folder
   */
  public Verifier(Path root, Path ledger, Path evidenceDir) {
    this(root, ledger, evidenceDir, null, LedgerHeadFile.beside(ledger), Clock.systemUTC());
  }

  /**
   * A verifier of one host's evidence against a ledger shared by several hosts (a copy of a
   * database queue's ledger, whose head the database keeps: no head file is checked): a final event
   * whose {@code host} names another host is not checked here, since that job's evidence is in that
   * host's files.
   *
   * @param root the repo root; files are reported relative to it
   * @param ledger the ledger (a copy of the queue's)
   * @param evidenceDir this host's evidence folder
   * @param localHost this host's name, as the queue records it
   */
  public Verifier(Path root, Path ledger, Path evidenceDir, String localHost) {
    this(root, ledger, evidenceDir, localHost, null, Clock.systemUTC());
  }

  private Verifier(
      Path root, Path ledger, Path evidenceDir, String localHost, Path headFile, Clock clock) {
    this.root = root.toAbsolutePath().normalize();
    this.ledger = ledger.toAbsolutePath().normalize();
    this.evidenceDir = evidenceDir.toAbsolutePath().normalize();
    this.localHost = localHost;
    this.headFile = headFile == null ? null : headFile.toAbsolutePath().normalize();
    this.clock = clock;
  }

  /**
   * This verifier checking the ledger against {@code file} (a {@link LedgerHeadFile}), or against
   * no head file when {@code null}.
   */
  public Verifier withHeadFile(Path file) {
    return new Verifier(root, ledger, evidenceDir, localHost, file, clock);
  }

  /** This verifier telling live claims (whose lease has not expired) by {@code c}. */
  public Verifier withClock(Clock c) {
    return new Verifier(root, ledger, evidenceDir, localHost, headFile, c);
  }

  /**
   * Checks the ledger, every job's evidence and summary (and every job the ledger recorded an
   * evidence head for) and every worker event file.
   *
   * @throws UncheckedIOException if a file cannot be read
   */
  public VerifyReport verifyAll() {
    HeadRead head = readHead();
    List<FileCheck> out = new ArrayList<>();
    Scan ledgerScan = scan(ledger);
    out.add(checkLedger(ledgerScan, head));
    Map<String, JobRecord> jobs = jobs(ledgerScan);
    TreeSet<String> jobIds = new TreeSet<>();
    jobs.forEach(
        (id, j) -> {
          if (!j.heads.isEmpty()) {
            jobIds.add(id);
          }
        });
    List<Path> workerFiles = new ArrayList<>();
    for (Path p : list(evidenceDir)) {
      String name = p.getFileName().toString();
      if (JOB_EVIDENCE.matcher(name).matches()) {
        jobIds.add(name.substring(0, name.length() - ".jsonl".length()));
      } else if (WORKER_EVENTS.matcher(name).matches()) {
        workerFiles.add(p);
      }
    }
    for (String id : jobIds) {
      out.addAll(checkEvidence(id, jobs.get(id)));
    }
    for (Path p : workerFiles) {
      out.add(scan(p).check(display(p)));
    }
    return new VerifyReport(out);
  }

  /**
   * Checks the ledger and one job's evidence and summary.
   *
   * @throws LocalExecException {@code unknown_job} if neither the ledger nor the evidence folder
   *     knows the job
   * @throws UncheckedIOException if a file cannot be read
   */
  public VerifyReport verifyJob(String jobId) {
    if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
      throw new LocalExecException(
          "unknown_job",
          "'" + jobId + "' is not a job id (job ids match " + JOB_ID.pattern() + ")",
          false);
    }
    Path evidence = evidenceDir.resolve(jobId + ".jsonl");
    if (!Files.exists(evidence) && !ledgerMentions(jobId)) {
      throw new LocalExecException(
          "unknown_job",
          "job_id '" + jobId + "' is neither in the ledger " + ledger + " nor in " + evidenceDir,
          false);
    }
    HeadRead head = readHead();
    Scan ledgerScan = scan(ledger);
    List<FileCheck> out = new ArrayList<>();
    out.add(checkLedger(ledgerScan, head));
    out.addAll(checkEvidence(jobId, jobs(ledgerScan).get(jobId)));
    return new VerifyReport(out);
  }

  /** Checks one file's chain alone (no evidence heads, no head file). */
  public FileCheck verifyFile(Path file) {
    return scan(file.toAbsolutePath().normalize()).check(display(file));
  }

  /** The head file's head, read before the ledger; {@code configured} false: none to check. */
  private record HeadRead(boolean configured, LedgerHeadFile head, String problem) {}

  private HeadRead readHead() {
    if (headFile == null) {
      return new HeadRead(false, null, null);
    }
    try {
      LedgerHeadFile.Read r = LedgerHeadFile.readOrProblem(headFile);
      return new HeadRead(true, r.head(), r.problem());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + headFile, e);
    }
  }

  private FileCheck checkLedger(Scan s, HeadRead head) {
    String name = display(ledger);
    if (s.problem != null) {
      return s.check(name);
    }
    String resetWarning = resetWarning(s);
    if (!head.configured()) {
      return okWith(name, s.lines, resetWarning);
    }
    String headName = display(headFile);
    if (head.problem() != null) {
      return FileCheck.problem(
          name,
          s.lines,
          1,
          "its head file " + headName + " is not a head (" + head.problem() + ")");
    }
    LedgerHeadFile h = head.head();
    if (h == null) {
      if (s.chained.isEmpty()) {
        return okWith(name, s.lines, resetWarning);
      }
      return FileCheck.warning(
          name,
          s.lines,
          "no head file "
              + headName
              + ": the ledger's end is not anchored, so a cut or re-chained ledger cannot be told"
              + " from this one (a ledger written before head files gets one on its next append)");
    }
    if (!Files.exists(ledger)) {
      return FileCheck.problem(
          name,
          0,
          1,
          "missing: the ledger does not exist but its head file "
              + headName
              + " recorded seq "
              + h.seq()
              + " ending at byte "
              + h.offset()
              + " (the ledger was deleted)");
    }
    int chainLength = s.chained.size();
    if (chainLength >= h.seq()) {
      Link at = s.chained.get((int) h.seq() - 1);
      if (!at.hash.equals(h.hash())) {
        return FileCheck.problem(
            name,
            s.lines,
            at.line,
            "re-chained: seq "
                + h.seq()
                + " has another hash than its head file "
                + headName
                + " recorded (the ledger was rewritten and its hashes recomputed)");
      }
      return okWith(name, s.lines, resetWarning);
    }
    int line = chainLength == 0 ? s.physicalLines + 1 : s.chained.get(chainLength - 1).line + 1;
    return FileCheck.problem(
        name,
        s.lines,
        line,
        "cut: the chain ends at seq "
            + chainLength
            + " ("
            + s.bytes
            + " bytes) but its head file "
            + headName
            + " recorded seq "
            + h.seq()
            + " ending at byte "
            + h.offset()
            + " (lines cut off the end, or the ledger emptied or replaced)");
  }

  private static FileCheck okWith(String name, int lines, String warning) {
    return warning == null ? FileCheck.ok(name, lines) : FileCheck.warning(name, lines, warning);
  }

  /** A warning naming the last {@code head_reset} event, or {@code null}. */
  private static String resetWarning(Scan s) {
    Parsed last = null;
    for (Parsed p : s.objects) {
      if ("head_reset".equals(p.object.get("event"))) {
        last = p;
      }
    }
    if (last == null) {
      return null;
    }
    Object previous = last.object.get("previous_head");
    return "the operator accepted the ledger as it was (head_reset at line "
        + last.line
        + (previous instanceof Map<?, ?> m
            ? "; its head file had recorded seq " + m.get(ChainedJsonl.SEQ)
            : "; there was no readable head file")
        + "): events cut off before it are not in the ledger";
  }

  private List<FileCheck> checkEvidence(String jobId, JobRecord job) {
    List<Head> heads = job == null ? List.of() : job.heads;
    Path file = evidenceDir.resolve(jobId + ".jsonl");
    String name = display(file);
    if (!Files.exists(file)) {
      if (heads.isEmpty()) {
        return List.of(FileCheck.ok(name, 0));
      }
      Head h = heads.get(0);
      return List.of(
          FileCheck.problem(
              name,
              0,
              1,
              "missing: the ledger's "
                  + h.event
                  + " event (ledger line "
                  + h.ledgerLine
                  + ") recorded evidence_head seq "
                  + h.seq));
    }
    Scan s = scan(file);
    List<FileCheck> out = new ArrayList<>();
    out.add(checkEvidenceChain(jobId, s, name, job, heads));
    FileCheck summary = checkSummary(jobId, s, name, heads);
    if (summary != null) {
      out.add(summary);
    }
    return out;
  }

  private FileCheck checkEvidenceChain(
      String jobId, Scan s, String name, JobRecord job, List<Head> heads) {
    if (s.problem != null) {
      return s.check(name);
    }
    for (Head h : heads) {
      int chainLength = s.chained.size();
      if (h.seq > chainLength) {
        int line = chainLength == 0 ? s.physicalLines + 1 : s.chained.get(chainLength - 1).line + 1;
        return FileCheck.problem(
            name,
            s.lines,
            line,
            "truncated: the chain ends at seq "
                + chainLength
                + " but the ledger's "
                + h.event
                + " event (ledger line "
                + h.ledgerLine
                + ") recorded evidence_head seq "
                + h.seq
                + " (lines cut off the end or deleted)");
      }
      Link at = s.chained.get((int) h.seq - 1);
      if (!at.hash.equals(h.hash)) {
        return FileCheck.problem(
            name,
            s.lines,
            at.line,
            "evidence head mismatch: seq "
                + h.seq
                + " has another hash than the ledger's "
                + h.event
                + " event (ledger line "
                + h.ledgerLine
                + ") recorded (evidence rewritten)");
      }
    }
    String notEnded = "evidence for " + jobId + " but the ledger has no final event for it";
    if (job == null) {
      return FileCheck.problem(
          name, s.lines, 1, notEnded + " (the ledger does not know " + jobId + ")");
    }
    if (job.claimOpen && job.lease >= clock.millis() / 1000.0) {
      return s.check(name);
    }
    Final last = job.last;
    if (last == null) {
      return FileCheck.problem(
          name,
          s.lines,
          1,
          notEnded
              + (job.claimOpen
                  ? " (the lease of its claim by "
                      + job.claimWorker
                      + ", attempt "
                      + job.claimAttempt
                      + ", expired: its worker stopped without ending it)"
                  : " (it is queued)"));
    }
    if (!last.local || last.head == null) {
      return s.check(name);
    }
    long headSeq = last.head.seq;
    if (s.chained.size() > headSeq && !fencedTail(s, job, last)) {
      Link past = s.chained.get((int) headSeq);
      return FileCheck.problem(
          name,
          s.lines,
          past.line,
          "evidence past its head: seq "
              + (headSeq + 1)
              + " comes after evidence_head seq "
              + headSeq
              + " that the ledger's "
              + last.head.event
              + " event (ledger line "
              + last.head.ledgerLine
              + ") recorded, and no later attempt of the job is running (lines appended after"
              + " the job ended)");
    }
    return s.check(name);
  }

  /**
   * Whether the lines after the newest head end in the {@code stale_claim} line of an attempt the
   * ledger claimed and then fenced off (its late writes were refused): they are that attempt's.
   */
  private static boolean fencedTail(Scan s, JobRecord job, Final last) {
    Map<?, ?> o = s.chained.get(s.chained.size() - 1).object;
    if (!"stale_claim".equals(o.get("kind")) || !(o.get("payload") instanceof Map<?, ?> p)) {
      return false;
    }
    Long attempt = integral(p.get("attempt"));
    if (!(p.get("worker_id") instanceof String worker) || attempt == null) {
      return false;
    }
    String key = worker + "#" + attempt;
    return job.claims.contains(key) && !key.equals(last.workerId + "#" + last.attempt);
  }

  /**
   * The summary {@code <job_id>.md} against the newest {@code summary} evidence line at or before
   * the job's newest evidence head (or in the whole chain when the ledger recorded none); {@code
   * null} when the evidence has no summary line (evidence written before summaries were chained).
   */
  private FileCheck checkSummary(String jobId, Scan s, String evidenceName, List<Head> heads) {
    long bound = s.chained.size();
    if (!heads.isEmpty()) {
      long newest = 0;
      for (Head h : heads) {
        newest = Math.max(newest, h.seq);
      }
      bound = Math.min(bound, newest);
    }
    Link summary = null;
    for (int i = (int) bound - 1; i >= 0 && summary == null; i--) {
      Link l = s.chained.get(i);
      if ("summary".equals(l.object.get("kind"))
          && l.object.get("payload") instanceof Map<?, ?> p
          && p.get("sha256") instanceof String) {
        summary = l;
      }
    }
    if (summary == null) {
      return null;
    }
    Map<?, ?> p = (Map<?, ?>) summary.object.get("payload");
    String recorded = (String) p.get("sha256");
    Object recordedBytes = p.get("bytes");
    Path md = evidenceDir.resolve(jobId + ".md");
    String name = display(md);
    String where = "the summary line (line " + summary.line + " of " + evidenceName + ")";
    if (!Files.isRegularFile(md)) {
      if (heads.isEmpty()) {
        // No final event of this host recorded a head: the attempt that wrote the summary line
        // stopped (or was fenced off) before it wrote the file, and another one ended the job.
        return null;
      }
      return FileCheck.problem(
          name,
          0,
          1,
          "missing: "
              + where
              + " recorded a summary of "
              + recordedBytes
              + " bytes with SHA-256 "
              + recorded);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(md);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + md, e);
    }
    int lines =
        (int) new String(bytes, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).count();
    String actual = sha256Hex(bytes);
    if (!actual.equals(recorded)) {
      return FileCheck.problem(
          name,
          lines,
          1,
          "summary edited: its SHA-256 is "
              + actual
              + " ("
              + bytes.length
              + " bytes) but "
              + where
              + " recorded "
              + recorded
              + " ("
              + recordedBytes
              + " bytes)");
    }
    return FileCheck.ok(name, lines);
  }

  private static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }

  /** What the ledger says of each job it names, in ledger order. */
  private Map<String, JobRecord> jobs(Scan ledgerScan) {
    Map<String, JobRecord> out = new LinkedHashMap<>();
    for (Parsed p : ledgerScan.objects) {
      Object event = p.object.get("event");
      Object id = p.object.get("job_id");
      if ("enqueue".equals(event) && p.object.get("job") instanceof Map<?, ?> job) {
        id = job.get("job_id");
      }
      if (!(id instanceof String jobId)) {
        continue;
      }
      JobRecord j = out.computeIfAbsent(jobId, k -> new JobRecord());
      String worker = p.object.get("worker_id") instanceof String w ? w : null;
      Long attempt = integral(p.object.get("attempt"));
      switch (String.valueOf(event)) {
        case "enqueue" -> j.claimOpen = false;
        case "claim" -> {
          j.claimOpen = true;
          j.claimWorker = worker;
          j.claimAttempt = attempt;
          j.lease = number(p.object.get("lease_expires_unix"));
          j.claims.add(worker + "#" + attempt);
        }
        case "heartbeat" -> {
          if (j.claimOpen
              && java.util.Objects.equals(worker, j.claimWorker)
              && java.util.Objects.equals(attempt, j.claimAttempt)) {
            j.lease = number(p.object.get("lease_expires_unix"));
          }
        }
        case "complete", "fail" -> {
          boolean local =
              localHost == null
                  || !(p.object.get("host") instanceof String host)
                  || host.equals(localHost);
          Head head = null;
          if (p.object.get("evidence_head") instanceof Map<?, ?> h
              && integral(h.get(ChainedJsonl.SEQ)) != null
              && integral(h.get(ChainedJsonl.SEQ)) >= 1
              && h.get(ChainedJsonl.HASH) instanceof String hash) {
            head = new Head((String) event, p.line, integral(h.get(ChainedJsonl.SEQ)), hash);
            if (local) {
              j.heads.add(head);
            }
          }
          j.last = new Final(head, worker, attempt, local);
          j.claimOpen = false;
        }
        default -> {
          // other events do not change what verify checks
        }
      }
    }
    return out;
  }

  private static double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }

  private boolean ledgerMentions(String jobId) {
    try {
      return Files.exists(ledger)
          && Files.readString(ledger, StandardCharsets.UTF_8).contains("\"" + jobId + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ledger, e);
    }
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private String display(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    if (abs.startsWith(root)) {
      return root.relativize(abs).toString().replace('\\', '/');
    }
    return abs.toString();
  }

  /** Reads a file and checks its chain up to the first problem. */
  static Scan scan(Path file) {
    Scan s = new Scan();
    if (!Files.exists(file)) {
      return s;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Raw> raws = new ArrayList<>();
    int start = 0;
    int lineNo = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      lineNo++;
      String text = new String(bytes, start, end - start, StandardCharsets.UTF_8).strip();
      raws.add(new Raw(lineNo, text, end < bytes.length));
      start = end + 1;
    }
    s.physicalLines = lineNo;
    s.bytes = bytes.length;
    s.lines = (int) raws.stream().filter(r -> !r.text.isEmpty()).count();
    ChainHead previous = ChainHead.GENESIS;
    boolean chained = false;
    for (int i = 0; i < raws.size(); i++) {
      Raw r = raws.get(i);
      if (r.text.isEmpty()) {
        continue;
      }
      Object parsed = parseOrNull(r.text);
      if (!(parsed instanceof Map<?, ?> object)) {
        if (!r.terminated || namesTornLine(next(raws, i), r.line)) {
          continue;
        }
        return s.fail(
            r.line, "not a JSON object (garbage, or a torn write that no torn_line event names)");
      }
      boolean hasSeq = object.containsKey(ChainedJsonl.SEQ);
      boolean hasHash = object.containsKey(ChainedJsonl.HASH);
      if (!hasSeq && !hasHash) {
        if (chained) {
          return s.fail(r.line, "unchained (legacy) line after chained lines");
        }
        s.objects.add(new Parsed(r.line, object));
        continue;
      }
      Long seq = integral(object.get(ChainedJsonl.SEQ));
      if (seq == null || !(object.get(ChainedJsonl.HASH) instanceof String hash)) {
        return s.fail(r.line, "malformed chain fields: seq must be an integer and hash a string");
      }
      if (seq != previous.seq() + 1) {
        return s.fail(
            r.line,
            "seq "
                + seq
                + " where "
                + (previous.seq() + 1)
                + " was expected (line inserted, deleted or reordered)");
      }
      Map<Object, Object> withoutHash = new LinkedHashMap<>(object);
      withoutHash.remove(ChainedJsonl.HASH);
      String expected = ChainedJsonl.hash(previous.hash(), withoutHash);
      if (!expected.equals(hash)) {
        return s.fail(r.line, "hash mismatch (line edited, inserted or reordered)");
      }
      previous = new ChainHead(seq, expected);
      chained = true;
      s.chained.add(new Link(r.line, expected, object));
      s.objects.add(new Parsed(r.line, object));
    }
    return s;
  }

  private static String next(List<Raw> raws, int i) {
    for (int j = i + 1; j < raws.size(); j++) {
      if (!raws.get(j).text.isEmpty()) {
        return raws.get(j).text;
      }
    }
    return null;
  }

  /** Whether {@code text} is a {@code torn_line} event (ledger or evidence shape) naming line. */
  private static boolean namesTornLine(String text, int line) {
    if (text == null || !(parseOrNull(text) instanceof Map<?, ?> m)) {
      return false;
    }
    Object named = null;
    if ("torn_line".equals(m.get("event"))) {
      named = m.get("line");
    } else if ("torn_line".equals(m.get("kind")) && m.get("payload") instanceof Map<?, ?> p) {
      named = p.get("line");
    }
    Long n = integral(named);
    return n != null && n == line;
  }

  private static Long integral(Object o) {
    if (o instanceof Integer || o instanceof Long) {
      return ((Number) o).longValue();
    }
    if (o instanceof BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    return null;
  }

  private static Object parseOrNull(String text) {
    try {
      return Json.parse(text);
    } catch (LocalExecException e) {
      return null;
    }
  }

  /** One physical line. */
  private record Raw(int line, String text, boolean terminated) {}

  /** A parsed object and its line. */
  private record Parsed(int line, Map<?, ?> object) {}

  /** A chained line: its line number, hash and object; the list index is {@code seq - 1}. */
  private record Link(int line, String hash, Map<?, ?> object) {}

  /** An evidence head a ledger event recorded. */
  private record Head(String event, int ledgerLine, long seq, String hash) {}

  /**
   * A job's newest final event.
   *
   * @param head the evidence head it recorded, or {@code null}
   * @param local whether it was recorded for this host (always, without a host name)
   */
  private record Final(Head head, String workerId, Long attempt, boolean local) {}

  /** What the ledger says of one job. */
  private static final class JobRecord {
    /** This host's final events that recorded an evidence head, in ledger order. */
    final List<Head> heads = new ArrayList<>();

    /** {@code worker_id#attempt} of every claim. */
    final java.util.Set<String> claims = new java.util.HashSet<>();

    Final last;

    /** Whether a claim came after the newest final event and enqueue. */
    boolean claimOpen;

    String claimWorker;
    Long claimAttempt;
    double lease;
  }

  /** What reading one file found. */
  static final class Scan {
    int lines;
    int physicalLines;
    long bytes;
    int problemLine;
    String problem;
    final List<Link> chained = new ArrayList<>();
    final List<Parsed> objects = new ArrayList<>();

    Scan fail(int line, String what) {
      this.problemLine = line;
      this.problem = what;
      return this;
    }

    FileCheck check(String name) {
      return problem == null
          ? FileCheck.ok(name, lines)
          : FileCheck.problem(name, lines, problemLine, problem);
    }
  }
}
