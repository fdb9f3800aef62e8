package dev.localexec.core.queue;

import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.integrity.ChainedJsonl;
import dev.localexec.core.integrity.Redactor;
import dev.localexec.core.json.Json;
import dev.localexec.core.schema.JobValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job queue kept as an append-only ledger, {@code jobs.jsonl}, in the original tool's line
 * format with a hash chain's {@code seq} and {@code hash} at the end of each line (see {@link
 * ChainedJsonl}); the original's unchained lines stay valid before the first chained one. Every
 * change appends one line under an exclusive lock on {@code jobs.lock}, so several threads and
 * several processes may share one state folder. Reads replay the ledger, reading only what was
 * appended since the last read.
 *
 * <p>Thread-safe. Every method may block on the lock while another worker appends.
 */
public final class FileLedgerQueue {
  private static final Logger LOG = LoggerFactory.getLogger(FileLedgerQueue.class);
  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path ledger;
  private final Path lockFile;
  private final JobValidator validator;
  private final Clock clock;
  private final ChainedJsonl chain;
  private Replay cache;
  private Object cacheKey;

  /**
   * Creates a queue over {@code stateDir/jobs.jsonl}; the folder is created on the first write.
   *
   * @param stateDir the state folder
   * @param validator validates jobs at enqueue and again at claim
   * @param clock the time source for timestamps and leases
   */
  public FileLedgerQueue(Path stateDir, JobValidator validator, Clock clock) {
    this(stateDir, validator, clock, Redactor.none());
  }

  /**
   * Creates a queue over {@code stateDir/jobs.jsonl} whose events (job documents included) are
   * redacted before they are written.
   *
   * @param stateDir the state folder
   * @param validator validates jobs at enqueue and again at claim
   * @param clock the time source for timestamps and leases
   * @param redactor replaces secret values in every event
   */
  public FileLedgerQueue(Path stateDir, JobValidator validator, Clock clock, Redactor redactor) {
    Path dir = stateDir.toAbsolutePath().normalize();
    this.ledger = dir.resolve("jobs.jsonl");
    this.lockFile = dir.resolve("jobs.lock");
    this.validator = validator;
    this.clock = clock;
    this.chain = new ChainedJsonl(ledger, redactor, this::tornLineMarker, true);
  }

  /** The ledger file. */
  public Path ledger() {
    return ledger;
  }

  /**
   * Appends an {@code enqueue} event.
   *
   * @return the event's {@code ts_utc}
   * @throws JobValidationException if the job does not satisfy its schemas
   * @throws LocalExecException {@code duplicate_job_id} if the id is already in the ledger
   */
  public String enqueue(Job job) {
    validator.validate(job.toMap());
    return withLock(
        () -> {
          Replay r = replay();
          Entry existing = r.jobs.get(job.jobId());
          if (existing != null) {
            throw new LocalExecException(
                "duplicate_job_id",
                "job_id '"
                    + job.jobId()
                    + "' is already in the ledger (state "
                    + existing.state(nowUnix()).jsonName()
                    + "); choose a new id, or run `requeue "
                    + job.jobId()
                    + "` to run it again",
                false);
          }
          return appendEnqueue(job.toMap(), false);
        });
  }

  /**
   * Queues a finished job again by appending a new {@code enqueue} event for it.
   *
   * @return the event's {@code ts_utc}
   * @throws LocalExecException {@code unknown_job} if the id is not in the ledger, {@code
   *     job_active} if it is queued or running
   */
  public String requeue(String jobId) {
    return withLock(
        () -> {
          Replay r = replay();
          Entry e = r.jobs.get(jobId);
          if (e == null) {
            throw new LocalExecException(
                "unknown_job", "job_id '" + jobId + "' is not in the ledger " + ledger, false);
          }
          JobState s = e.state(nowUnix());
          if (!s.terminal()) {
            throw new LocalExecException(
                "job_active",
                "job '" + jobId + "' is " + s.jsonName() + "; only a finished job can be re-queued",
                false);
          }
          return appendEnqueue(e.job, true);
        });
  }

  /**
   * Claims the oldest queued job (FIFO by enqueue order), validating it again. A job that no longer
   * validates (e.g. a hand-edited ledger) is failed with {@code job_invalid} and skipped.
   *
   * @param workerId the claiming worker
   * @param lease how long the claim holds without a heartbeat
   * @return the claim, or empty if nothing is queued
   */
  public Optional<Claim> claim(String workerId, Duration lease) {
    return withLock(
        () -> {
          Replay r = replay();
          double now = nowUnix();
          List<Entry> queued = new ArrayList<>();
          for (Entry e : r.jobs.values()) {
            if (e.state(now) == JobState.QUEUED) {
              queued.add(e);
            }
          }
          queued.sort(Comparator.comparingLong(e -> e.enqueueSeq));
          for (Entry e : queued) {
            Job job;
            try {
              job = validator.validate(e.job);
            } catch (JobValidationException | IllegalArgumentException ex) {
              Map<String, Object> fail = event("fail");
              fail.put("job_id", e.jobId);
              fail.put("worker_id", workerId);
              fail.put("error", "job_invalid: " + ex.getMessage());
              append(fail);
              LOG.warn("job {} failed validation at claim: {}", e.jobId, ex.getMessage());
              continue;
            }
            Instant at = clock.instant();
            int attempt = e.attempts + 1;
            double leaseEnd = Timestamps.leaseEnd(at, lease);
            Map<String, Object> claim = new LinkedHashMap<>();
            String ts = Timestamps.utc(at);
            claim.put("ts_utc", ts);
            claim.put("event", "claim");
            claim.put("job_id", e.jobId);
            claim.put("worker_id", workerId);
            claim.put("lease_expires_unix", leaseEnd);
            claim.put("attempt", attempt);
            append(claim);
            return Optional.of(new Claim(job, workerId, attempt, leaseEnd, ts));
          }
          return Optional.empty();
        });
  }

  /**
   * Extends a running claim's lease.
   *
   * @return the new lease end in Unix seconds
   * @throws LocalExecException {@code stale_claim} if the job is no longer this claim's
   */
  public double heartbeat(Claim claim, Duration lease) {
    return withLock(
        () -> {
          requireOwner(claim);
          double leaseEnd = Timestamps.leaseEnd(clock.instant(), lease);
          Map<String, Object> hb = event("heartbeat");
          hb.put("job_id", claim.job().jobId());
          hb.put("worker_id", claim.workerId());
          hb.put("lease_expires_unix", leaseEnd);
          hb.put("attempt", claim.attempt());
          append(hb);
          return leaseEnd;
        });
  }

  /**
   * Records a claim's result.
   *
   * @return the event's {@code ts_utc}
   * @throws LocalExecException {@code stale_claim} if the job is no longer this claim's
   */
  public String complete(Claim claim, Map<String, ?> result) {
    return complete(claim, result, null);
  }

  /**
   * Records a claim's result and the head of the job's evidence chain after its {@code complete}
   * evidence line ({@code "evidence_head": {"seq", "hash"}}), which {@code verify} checks the
   * evidence against.
   *
   * @param evidenceHead the evidence head, or {@code null} to record none
   * @return the event's {@code ts_utc}
   * @throws LocalExecException {@code stale_claim} if the job is no longer this claim's
   */
  public String complete(Claim claim, Map<String, ?> result, ChainHead evidenceHead) {
    return finish(claim, "complete", "result", result, evidenceHead);
  }

  /**
   * Records a claim's failure.
   *
   * @return the event's {@code ts_utc}
   * @throws LocalExecException {@code stale_claim} if the job is no longer this claim's
   */
  public String fail(Claim claim, String error) {
    return fail(claim, error, null);
  }

  /**
   * Records a claim's failure and the head of the job's evidence chain after its {@code failed}
   * evidence line.
   *
   * @param evidenceHead the evidence head, or {@code null} to record none
   * @return the event's {@code ts_utc}
   * @throws LocalExecException {@code stale_claim} if the job is no longer this claim's
   */
  public String fail(Claim claim, String error, ChainHead evidenceHead) {
    return finish(claim, "fail", "error", error, evidenceHead);
  }

  /** Every job's state, in the order of their first enqueue. */
  public List<JobStatus> status() {
    return withLock(
        () -> {
          Replay r = replay();
          double now = nowUnix();
          List<JobStatus> out = new ArrayList<>();
          for (Entry e : r.jobs.values()) {
            out.add(
                new JobStatus(
                    e.jobId,
                    e.jobType,
                    e.state(now),
                    e.attempts,
                    e.workerId,
                    e.lease,
                    e.updatedTs,
                    e.state(now) == JobState.FAILED ? e.error : null));
          }
          return out;
        });
  }

  /** One job's state, if the job is in the ledger. */
  public Optional<JobStatus> status(String jobId) {
    return status().stream().filter(s -> s.jobId().equals(jobId)).findFirst();
  }

  /** Lines of the ledger that could not be read (not counting a torn last line), 1-based. */
  public List<Integer> unreadableLines() {
    return withLock(() -> List.copyOf(replay().badLines));
  }

  private String finish(
      Claim claim, String kind, String key, Object value, ChainHead evidenceHead) {
    return withLock(
        () -> {
          requireOwner(claim);
          Map<String, Object> ev = event(kind);
          ev.put("job_id", claim.job().jobId());
          ev.put("worker_id", claim.workerId());
          ev.put(key, value);
          ev.put("attempt", claim.attempt());
          if (evidenceHead != null) {
            ev.put("evidence_head", evidenceHead.toMap());
          }
          append(ev);
          return (String) ev.get("ts_utc");
        });
  }

  private void requireOwner(Claim claim) {
    Entry e = replay().jobs.get(claim.job().jobId());
    if (e == null
        || e.rawState != JobState.RUNNING
        || !claim.workerId().equals(e.workerId)
        || e.attempts != claim.attempt()) {
      throw new LocalExecException(
          "stale_claim",
          "job '"
              + claim.job().jobId()
              + "' attempt "
              + claim.attempt()
              + " by "
              + claim.workerId()
              + " is no longer the running claim; its write was refused",
          false);
    }
  }

  private String appendEnqueue(Map<String, Object> jobTree, boolean requeue) {
    Map<String, Object> ev = event("enqueue");
    ev.put("validator_mode", JobValidator.MODE);
    ev.put("job", jobTree);
    if (requeue) {
      ev.put("requeue", true);
    }
    append(ev);
    return (String) ev.get("ts_utc");
  }

  private Map<String, Object> event(String kind) {
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("ts_utc", Timestamps.utc(clock.instant()));
    ev.put("event", kind);
    return ev;
  }

  private double nowUnix() {
    return Timestamps.unix(clock.instant());
  }

  /** Appends one chained event (see {@link ChainedJsonl}); called under the ledger lock. */
  private void append(Map<String, Object> event) {
    try {
      chain.append(event);
    } catch (IOException e) {
      throw new LocalExecException(
          "ledger_write_failed",
          "cannot append to the ledger " + ledger + ": " + e.getMessage(),
          true,
          e);
    }
  }

  /**
   * The {@code torn_line} event naming the ledger's unterminated last line that is not a JSON
   * object (a write cut short by a crash), so replay and verify know it was a torn write and not
   * garbage; the next append writes it before its own event.
   */
  private Map<String, Object> tornLineMarker(int lineNo, long bytes) {
    Map<String, Object> ev = event("torn_line");
    ev.put("line", lineNo);
    ev.put("bytes", bytes);
    LOG.warn("ledger {} ended in a torn line ({}); it is skipped", ledger, lineNo);
    return ev;
  }

  /**
   * The replay of the ledger, caught up incrementally: the lines appended since the last call (by
   * any process) are read and applied to the cached state; the whole file is read again only when
   * it was replaced or shrank. Called under the ledger lock.
   */
  private Replay replay() {
    if (!Files.exists(ledger)) {
      cache = null;
      return new Replay();
    }
    try (FileChannel ch = FileChannel.open(ledger, StandardOpenOption.READ)) {
      Object key = Files.readAttributes(ledger, BasicFileAttributes.class).fileKey();
      long size = ch.size();
      if (cache == null || !java.util.Objects.equals(key, cacheKey) || size < cache.offset) {
        cache = new Replay();
        cacheKey = key;
      }
      Replay r = cache;
      byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 16, size - r.offset)];
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      long pos = r.offset;
      while (buf.hasRemaining()) {
        int n = ch.read(buf, pos);
        if (n < 0) {
          break;
        }
        pos += n;
      }
      int start = 0;
      while (true) {
        int end = start;
        while (end < buf.position() && bytes[end] != '\n') {
          end++;
        }
        if (end >= buf.position()) {
          break;
        }
        r.lineNo++;
        applyLine(r, new String(bytes, start, end - start, StandardCharsets.UTF_8), false);
        start = end + 1;
      }
      r.offset += start;
      if (start < buf.position()) {
        // An unterminated last line: applied to a copy only, since a later append completes it.
        Replay view = r.copy();
        view.lineNo++;
        applyLine(
            view, new String(bytes, start, buf.position() - start, StandardCharsets.UTF_8), true);
        return view;
      }
      return r;
    } catch (IOException e) {
      cache = null;
      throw new UncheckedIOException("cannot read the ledger " + ledger, e);
    }
  }

  private void applyLine(Replay r, String line, boolean lastUnterminated) {
    String text = line.strip();
    if (text.isEmpty()) {
      return;
    }
    Object parsed;
    try {
      parsed = Json.parse(text);
    } catch (LocalExecException e) {
      parsed = null;
    }
    if (!(parsed instanceof Map<?, ?> m)) {
      if (!lastUnterminated) {
        r.badLines.add(r.lineNo);
        LOG.debug("ledger {} line {} is not a JSON object; skipped", ledger, r.lineNo);
      }
      return;
    }
    r.apply(m);
  }

  @SuppressWarnings("try")
  private <T> T withLock(Supplier<T> action) {
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
    jvmLock.lock();
    try {
      Files.createDirectories(lockFile.getParent());
      try (FileChannel ch =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        return action.get();
      }
    } catch (IOException e) {
      throw new LocalExecException(
          "ledger_lock_failed", "cannot lock " + lockFile + ": " + e.getMessage(), true, e);
    } finally {
      jvmLock.unlock();
    }
  }

  private static final class Entry {
    Entry copy() {
      Entry c = new Entry();
      c.jobId = jobId;
      c.jobType = jobType;
      c.job = job;
      c.enqueueSeq = enqueueSeq;
      c.rawState = rawState;
      c.attempts = attempts;
      c.workerId = workerId;
      c.lease = lease;
      c.updatedTs = updatedTs;
      c.error = error;
      return c;
    }

    String jobId;
    String jobType;
    Map<String, Object> job;
    long enqueueSeq;
    JobState rawState = JobState.QUEUED;
    int attempts;
    String workerId;
    double lease;
    String updatedTs;
    String error;

    JobState state(double nowUnix) {
      if (rawState == JobState.RUNNING && lease < nowUnix) {
        return JobState.QUEUED;
      }
      return rawState;
    }
  }

  private static final class Replay {
    final Map<String, Entry> jobs = new LinkedHashMap<>();
    final List<Integer> badLines = new ArrayList<>();
    long seq;
    long offset;
    int lineNo;

    Replay copy() {
      Replay c = new Replay();
      jobs.forEach((k, v) -> c.jobs.put(k, v.copy()));
      c.badLines.addAll(badLines);
      c.seq = seq;
      c.offset = offset;
      c.lineNo = lineNo;
      return c;
    }

    @SuppressWarnings("unchecked")
    void apply(Map<?, ?> ev) {
      seq++;
      Object kind = ev.get("event");
      String ts = String.valueOf(ev.get("ts_utc"));
      if ("torn_line".equals(kind)) {
        if (ev.get("line") instanceof Number n) {
          badLines.remove(Integer.valueOf(n.intValue()));
        }
        return;
      }
      if ("enqueue".equals(kind)) {
        if (!(ev.get("job") instanceof Map<?, ?> job) || !(job.get("job_id") instanceof String)) {
          return;
        }
        String id = (String) job.get("job_id");
        Entry e = jobs.computeIfAbsent(id, k -> new Entry());
        e.jobId = id;
        e.jobType = String.valueOf(job.get("job_type"));
        e.job = (Map<String, Object>) job;
        e.enqueueSeq = seq;
        e.rawState = JobState.QUEUED;
        e.attempts = 0;
        e.workerId = null;
        e.lease = 0;
        e.error = null;
        e.updatedTs = ts;
        return;
      }
      Entry e = jobs.get(String.valueOf(ev.get("job_id")));
      if (e == null) {
        return;
      }
      e.updatedTs = ts;
      switch (String.valueOf(kind)) {
        case "claim" -> {
          e.rawState = JobState.RUNNING;
          e.workerId = String.valueOf(ev.get("worker_id"));
          e.lease = number(ev.get("lease_expires_unix"));
          e.attempts = ev.get("attempt") instanceof Number n ? n.intValue() : e.attempts + 1;
        }
        case "heartbeat" -> {
          if (e.rawState == JobState.RUNNING) {
            e.lease = number(ev.get("lease_expires_unix"));
          }
        }
        case "complete" -> e.rawState = JobState.COMPLETE;
        case "fail" -> {
          e.rawState = JobState.FAILED;
          e.error = String.valueOf(ev.get("error"));
        }
        default -> {
          // Events this version does not know are kept in the ledger and ignored here.
        }
      }
    }

    private static double number(Object o) {
      return o instanceof Number n ? n.doubleValue() : 0;
    }
  }
}
