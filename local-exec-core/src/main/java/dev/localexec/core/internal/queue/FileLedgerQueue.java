package dev.localexec.core.internal.queue;

import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.internal.integrity.ChainedJsonl;
import dev.localexec.core.internal.integrity.LedgerHeadFile;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.paths.PlaneFiles;
import dev.localexec.core.internal.plane.LedgerTail;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.json.Json;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.queue.JobRecord;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStateMachine;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.queue.LedgerEvent;
import dev.localexec.core.queue.QueueContext;
import dev.localexec.core.queue.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * several processes may share one state folder.
 *
 * <p>Reads replay the ledger, reading only what was appended since the last read. A new process
 * starts from the snapshot {@code jobs.snapshot} beside the ledger (the replayed state at a byte
 * offset, see {@link LedgerSnapshot}) when it is consistent with the ledger, and writes a new one
 * after every {@code snapshotEvery} lines replayed; the snapshot only saves time, and deleting it
 * changes nothing else. Memory holds a few fields per job: a job's document stays in the ledger and
 * is read back from its {@code enqueue} line when the job is claimed or re-queued. Claims look only
 * at the jobs not yet finished, kept in enqueue order.
 *
 * <p>After every append the queue rewrites the ledger's head file {@code jobs.head} (see {@link
 * LedgerHeadFile}). Before it claims, queues or records anything, it checks the ledger against that
 * head: a ledger cut shorter, emptied, deleted or rewritten with recomputed hashes is refused with
 * {@code ledger_cut} until it is restored or the operator accepts it ({@link #acceptHead()}), so
 * jobs that had ended do not run again. A ledger without a head file (written before head files) is
 * accepted and gets one on its next append.
 *
 * <p>Thread-safe. Every method may block on the lock while another worker appends.
 */
public final class FileLedgerQueue implements JobQueue {
  /** By default a snapshot is written after this many ledger lines were replayed past the last. */
  public static final int DEFAULT_SNAPSHOT_EVERY = 10_000;

  /** A snapshot is also written after this many ledger bytes were replayed past the last. */
  static final long SNAPSHOT_BYTES = 64L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(FileLedgerQueue.class);
  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path ledger;
  private final Path lockFile;
  private final Path snapshot;
  private final Path headFile;
  private final JobValidator validator;
  private final Clock clock;
  private final ChainedJsonl chain;
  private final Redactor redactor;
  private final int snapshotEvery;
  private Replay cache;

  /** Ledger lines this queue has read and applied (not counting those a snapshot covered). */
  private long linesRead;

  /** What the last start of a replay did with the snapshot: none, loaded, ignored: why. */
  private String snapshotState = "none";

  private int snapshotsWritten;

  /**
   * Opens the file ledger in the state folder of the plane whose context this is.
   *
   * @throws IllegalArgumentException if the context is not a plane's
   */
  public static FileLedgerQueue open(QueueContext context) {
    PlaneQueueContext plane = PlaneQueueContext.of(context);
    FileLedgerQueue q =
        new FileLedgerQueue(
            plane.layout().stateDir(), plane.validator(), plane.clock(), plane.redactor());
    q.ledgerName = plane.layout().display(q.ledger);
    return q;
  }

  /** The ledger's path as {@code health} shows it: relative to the repo root when inside it. */
  private String ledgerName;

  @Override
  public Map<String, Object> health() {
    Map<String, Object> h = new LinkedHashMap<>();
    long size = 0;
    LedgerTail tail = new LedgerTail(0, null);
    try {
      size = Files.exists(ledger) ? Files.size(ledger) : 0;
      tail = LedgerTail.of(ledger);
    } catch (IOException e) {
      LOG.warn("cannot read the ledger {}: {}", ledger, e.toString());
    }
    h.put("ledger", ledgerName != null ? ledgerName : ledger.toString());
    h.put("ledger_bytes", size);
    h.put("ledger_events", tail.lines());
    h.put("last_event", tail.lastEvent());
    return h;
  }

  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (PlaneFiles.existsAsAnything(ledger) && !Files.isReadable(ledger)) {
      problems.add("cannot read the ledger: " + ledger + " is not readable");
    }
    headProblem().ifPresent(p -> problems.add("ledger_cut: " + p));
    return problems;
  }

  @Override
  public LedgerFile ledgerFile(Path folder) {
    return new LedgerFile(ledger, headFile, null, false);
  }

  @Override
  public Map<String, Object> acceptLedgerHead() {
    return acceptHead().toMap();
  }

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
   * Creates a queue over {@code stateDir/jobs.jsonl} whose events are redacted before they are
   * written; a job document holding a secret is refused at enqueue.
   *
   * @param stateDir the state folder
   * @param validator validates jobs at enqueue and again at claim
   * @param clock the time source for timestamps and leases
   * @param redactor replaces secret values in every event
   */
  public FileLedgerQueue(Path stateDir, JobValidator validator, Clock clock, Redactor redactor) {
    this(stateDir, validator, clock, redactor, DEFAULT_SNAPSHOT_EVERY);
  }

  /**
   * Creates a queue over {@code stateDir/jobs.jsonl} that writes its snapshot {@code
   * stateDir/jobs.snapshot} after every {@code snapshotEvery} ledger lines it replays.
   *
   * @param stateDir the state folder
   * @param validator validates jobs at enqueue and again at claim
   * @param clock the time source for timestamps and leases
   * @param redactor replaces secret values in every event
   * @param snapshotEvery lines between snapshots; 0 to neither read nor write a snapshot
   * @throws IllegalArgumentException if {@code snapshotEvery} is negative
   */
  public FileLedgerQueue(
      Path stateDir, JobValidator validator, Clock clock, Redactor redactor, int snapshotEvery) {
    this(stateDir, validator, clock, redactor, snapshotEvery, true);
  }

  /**
   * As above; {@code durable} false skips forcing each append to the device (for tests that append
   * thousands of times: what they check does not depend on the device).
   */
  FileLedgerQueue(
      Path stateDir,
      JobValidator validator,
      Clock clock,
      Redactor redactor,
      int snapshotEvery,
      boolean durable) {
    if (snapshotEvery < 0) {
      throw new IllegalArgumentException(
          "snapshotEvery must be 0 (no snapshots) or more, got " + snapshotEvery);
    }
    Path dir = stateDir.toAbsolutePath().normalize();
    this.ledger = dir.resolve("jobs.jsonl");
    this.lockFile = dir.resolve("jobs.lock");
    this.snapshot = dir.resolve("jobs.snapshot");
    this.headFile = dir.resolve(LedgerHeadFile.NAME);
    this.validator = validator;
    this.clock = clock;
    this.snapshotEvery = snapshotEvery;
    this.redactor = redactor;
    this.chain =
        new ChainedJsonl(ledger, redactor, this::tornLineMarker, durable, this::linesBefore);
  }

  /** The ledger file. */
  public Path ledger() {
    return ledger;
  }

  /** The ledger file's path. */
  @Override
  public String location() {
    return ledger.toString();
  }

  /** Copies the ledger file to {@code target} under the ledger's lock; returns its line count. */
  @Override
  public long exportLedger(Path target) {
    if (neverWritten()) {
      try {
        Path abs = target.toAbsolutePath().normalize();
        Files.createDirectories(abs.getParent());
        Files.write(abs, new byte[0]);
        return 0L;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot export the ledger to " + target, e);
      }
    }
    return withLock(
        () -> {
          try {
            Path abs = target.toAbsolutePath().normalize();
            if (abs.equals(ledger)) {
              throw new IllegalArgumentException("cannot export the ledger onto itself: " + abs);
            }
            Files.createDirectories(abs.getParent());
            if (!Files.exists(ledger)) {
              Files.write(abs, new byte[0]);
              return 0L;
            }
            Files.copy(ledger, abs, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long lines = 0;
            for (byte b : Files.readAllBytes(abs)) {
              if (b == '\n') {
                lines++;
              }
            }
            return lines;
          } catch (IOException e) {
            throw new UncheckedIOException("cannot export the ledger to " + target, e);
          }
        });
  }

  /** The ledger's head file beside it, {@code jobs.head} (it may not exist). */
  public Path headFile() {
    return headFile;
  }

  /** The snapshot file beside the ledger (it may not exist). */
  public Path snapshot() {
    return snapshot;
  }

  /** Ledger lines this queue has read and applied; a snapshot's lines are not counted. */
  long linesRead() {
    return withLock(() -> linesRead);
  }

  /** {@code none}, {@code loaded} or {@code ignored: <why>}: the last replay start's snapshot. */
  String snapshotState() {
    return withLock(() -> snapshotState);
  }

  /** How many snapshots this queue wrote. */
  int snapshotsWritten() {
    return withLock(() -> snapshotsWritten);
  }

  /**
   * Appends an {@code enqueue} event.
   *
   * @return the event's {@code ts_utc}
   * @throws JobValidationException if the job does not satisfy its schemas, or holds a secret
   *     ({@link Redactor#refuseSecretsIn})
   * @throws LocalExecException {@code duplicate_job_id} if the id is already in the ledger
   */
  public String enqueue(Job job) {
    validator.validate(job.toMap());
    redactor.refuseSecretsIn(job.toMap());
    return withLock(
        () -> {
          requireHead();
          Replay r = replay();
          Replay.Entry existing = r.jobs.get(job.jobId());
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
          requireHead();
          Replay r = replay();
          Replay.Entry e = r.jobs.get(jobId);
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
          return appendEnqueue(jobDocument(e), true);
        });
  }

  /**
   * Claims the oldest queued job (FIFO by enqueue order), validating it again. A job that no longer
   * validates (e.g. a hand-edited ledger) is failed with {@code job_invalid} and skipped.
   *
   * @param workerId the claiming worker
   * @param lease how long the claim holds without a heartbeat
   * @return the claim, or empty if nothing is queued
   * @throws LocalExecException {@code ledger_cut} if the ledger no longer holds its head (see
   *     {@link #acceptHead()})
   */
  @Override
  public Optional<Claim> claim(String workerId, Duration lease) {
    return claim(workerId, lease, DEFAULT_MAX_ATTEMPTS);
  }

  @Override
  public Optional<Claim> claim(
      String workerId,
      Duration lease,
      int maxAttempts,
      Set<String> jobTypes,
      ClaimFailures failures) {
    return withLock(
        () -> {
          requireHead();
          Replay r = replay();
          double now = nowUnix();
          for (Replay.Entry e : List.copyOf(r.active.values())) {
            JobRecord job = e.record();
            if (!JobStateMachine.claimable(job, now, jobTypes)) {
              continue;
            }
            if (JobStateMachine.attemptsExhausted(job, maxAttempts)) {
              String error = JobQueue.attemptsExhausted(e.jobId, e.attempts);
              failAtClaim(job, workerId, error, e.attempts, failures);
              LOG.warn("job {}: {}", e.jobId, error);
              continue;
            }
            Job valid;
            try {
              valid = validator.validate(jobDocument(e));
            } catch (JobValidationException | IllegalArgumentException ex) {
              failAtClaim(job, workerId, "job_invalid: " + ex.getMessage(), null, failures);
              LOG.warn("job {} failed validation at claim: {}", e.jobId, ex.getMessage());
              continue;
            }
            Instant at = clock.instant();
            int attempt = e.attempts + 1;
            double leaseEnd = Timestamps.leaseEnd(at, lease);
            String ts = Timestamps.utc(at);
            append(new LedgerEvent.Claimed(ts, e.jobId, workerId, leaseEnd, attempt, null));
            return Optional.of(new Claim(valid, workerId, attempt, leaseEnd, ts));
          }
          return Optional.empty();
        });
  }

  /**
   * Appends the {@code fail} of a job the claim does not hand out, after {@code failures} wrote its
   * evidence.
   *
   * @param attempt the attempt to record, or {@code null} for none
   */
  private void failAtClaim(
      JobRecord job, String workerId, String error, Integer attempt, ClaimFailures failures) {
    ChainHead head = evidenceOfFailure(failures, job, workerId, error);
    append(
        new LedgerEvent.Failed(
            Timestamps.utc(clock.instant()),
            job.jobId(),
            workerId,
            error,
            attempt,
            null,
            head,
            null));
  }

  /**
   * Lets {@code failures} record a failure at claim; the evidence head it returns, or {@code null}
   * when it returns none or throws (logged).
   */
  private static ChainHead evidenceOfFailure(
      ClaimFailures failures, JobRecord job, String workerId, String error) {
    try {
      return failures
          .failed(new ClaimFailure(job.jobId(), job.jobType(), workerId, job.attempts(), error))
          .orElse(null);
    } catch (RuntimeException ex) {
      LOG.warn(
          "cannot record the evidence of job {} failed at claim: {}", job.jobId(), ex.toString());
      return null;
    }
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
          requireHead();
          requireOwner(claim);
          Instant at = clock.instant();
          double leaseEnd = Timestamps.leaseEnd(at, lease);
          append(
              new LedgerEvent.Heartbeat(
                  Timestamps.utc(at),
                  claim.job().jobId(),
                  claim.workerId(),
                  leaseEnd,
                  claim.attempt(),
                  null));
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
    return withLock(
        () -> {
          requireHead();
          requireOwner(claim);
          String ts = Timestamps.utc(clock.instant());
          append(
              new LedgerEvent.Completed(
                  ts,
                  claim.job().jobId(),
                  claim.workerId(),
                  result,
                  claim.attempt(),
                  null,
                  evidenceHead,
                  null));
          return ts;
        });
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
    return withLock(
        () -> {
          requireHead();
          requireOwner(claim);
          String ts = Timestamps.utc(clock.instant());
          append(
              new LedgerEvent.Failed(
                  ts,
                  claim.job().jobId(),
                  claim.workerId(),
                  error,
                  claim.attempt(),
                  null,
                  evidenceHead,
                  null));
          return ts;
        });
  }

  /** Every job's state, in the order of their first enqueue. */
  public List<JobStatus> status() {
    if (neverWritten()) {
      return List.of();
    }
    return withLock(
        () -> {
          Replay r = replay();
          double now = nowUnix();
          List<JobStatus> out = new ArrayList<>(r.jobs.size());
          for (Replay.Entry e : r.jobs.values()) {
            out.add(status(e, now));
          }
          return out;
        });
  }

  /** One job's state, if the job is in the ledger. */
  public Optional<JobStatus> status(String jobId) {
    if (neverWritten()) {
      return Optional.empty();
    }
    return withLock(
        () -> {
          Replay.Entry e = replay().jobs.get(jobId);
          return e == null ? Optional.<JobStatus>empty() : Optional.of(status(e, nowUnix()));
        });
  }

  private static JobStatus status(Replay.Entry e, double now) {
    return e.record().status(now);
  }

  @Override
  public Optional<LedgerEvent> finalEvent(String jobId) {
    Optional<JobStatus> s = status(jobId);
    if (s.isEmpty()
        || !(s.get().state() == JobState.COMPLETE || s.get().state() == JobState.FAILED)) {
      return Optional.empty();
    }
    // The job's id as it stands in its lines: a cheap filter before a line is parsed.
    String needle = Json.line(jobId);
    LedgerEvent last = null;
    try (java.io.BufferedReader r = Files.newBufferedReader(ledger, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.contains(needle)) {
          continue;
        }
        LedgerEvent ev = LedgerEvent.parse(line).orElse(null);
        if (ev != null && jobId.equals(ev.jobId())) {
          if (ev instanceof LedgerEvent.Completed || ev instanceof LedgerEvent.Failed) {
            last = ev;
          } else if (ev instanceof LedgerEvent.Enqueued) {
            last = null;
          }
        }
      }
    } catch (IOException e) {
      throw new LocalExecException(
          "ledger_read_failed", "cannot read " + ledger + ": " + e.getMessage(), true, e);
    }
    return Optional.ofNullable(last);
  }

  /** Lines of the ledger that could not be read (not counting a torn last line), 1-based. */
  public List<Integer> unreadableLines() {
    if (neverWritten()) {
      return List.of();
    }
    return withLock(() -> List.copyOf(replay().badLines));
  }

  private void requireOwner(Claim claim) {
    Replay.Entry e = replay().jobs.get(claim.job().jobId());
    JobStateMachine.requireHeldBy(e == null ? null : e.record(), claim);
  }

  private String appendEnqueue(Map<String, Object> jobTree, boolean requeue) {
    LedgerEvent.Enqueued ev =
        LedgerEvent.Enqueued.of(
            Timestamps.utc(clock.instant()), JobValidator.MODE, jobTree, requeue);
    append(ev);
    return ev.ts();
  }

  private double nowUnix() {
    return Timestamps.unix(clock.instant());
  }

  /**
   * Appends one chained event (see {@link ChainedJsonl}) to a ledger that still holds its head,
   * then rewrites the head file; called under the ledger lock.
   */
  private void append(LedgerEvent event) {
    requireHead();
    appendAndAnchor(event);
  }

  /** Appends one chained event and rewrites the head file after it, without checking the head. */
  private ChainHead appendAndAnchor(LedgerEvent event) {
    ChainHead head;
    try {
      head = chain.append(event.toMap());
    } catch (IOException e) {
      throw new LocalExecException(
          "ledger_write_failed",
          "cannot append to the ledger " + ledger + ": " + e.getMessage(),
          true,
          e);
    }
    // After the append was forced: the head may lag the ledger (a crash here), never lead it.
    try {
      new LedgerHeadFile(
              head.seq(), head.hash(), chain.lastAppendEnd(), Timestamps.utc(clock.instant()))
          .write(headFile);
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "cannot write the ledger's head file {}: {}; it lags the ledger until the next append",
          headFile,
          e.toString());
    }
    return head;
  }

  /**
   * Refuses with {@code ledger_cut} when the ledger no longer holds the head its head file names;
   * called under the ledger lock.
   */
  private void requireHead() {
    String problem = headProblemUnlocked();
    if (problem != null) {
      throw new LocalExecException("ledger_cut", problem, false);
    }
  }

  /**
   * Why the ledger does not hold its head, as the message of {@code ledger_cut}; empty when it does
   * (or when there is no head file yet).
   */
  public Optional<String> headProblem() {
    if (neverWritten()) {
      return Optional.empty();
    }
    return withLock(() -> Optional.ofNullable(headProblemUnlocked()));
  }

  private String headProblemUnlocked() {
    try {
      Optional<LedgerHeadFile> head = LedgerHeadFile.read(headFile);
      if (head.isEmpty()) {
        return null;
      }
      LedgerHeadFile h = head.get();
      String mismatch = h.mismatch(ledger);
      if (mismatch == null) {
        return null;
      }
      String ends = Files.exists(ledger) ? ", and its chain ends at seq " + chain.head().seq() : "";
      return "the ledger "
          + ledger
          + " was cut or rewritten: its head file "
          + headFile
          + " says seq "
          + h.seq()
          + " (hash "
          + h.hash().substring(0, 12)
          + "...) ends at byte "
          + h.offset()
          + ", but "
          + mismatch
          + ends
          + "; no job is claimed or queued until this is resolved: run `local-exec verify` to"
          + " see what is missing, restore the ledger from a copy, or accept the ledger as it is"
          + " now with `local-exec ledger accept-head`";
    } catch (LocalExecException e) {
      return e.getMessage();
    } catch (IOException e) {
      throw new LocalExecException(
          "ledger_read_failed",
          "cannot check the ledger " + ledger + " against its head file: " + e.getMessage(),
          true,
          e);
    }
  }

  /**
   * What {@link #acceptHead()} did.
   *
   * @param status {@code head_ok} (the ledger held its head: nothing written) or {@code head_reset}
   * @param previousHead the head file's head before, or {@code null} (none, or unreadable)
   * @param ledgerHead the head of the ledger's chain as found
   * @param head the head file's head now, or {@code null} (none yet)
   */
  public record HeadAcceptance(
      String status, LedgerHeadFile previousHead, ChainHead ledgerHead, LedgerHeadFile head) {

    /** {@code {"status", "previous_head", "ledger_head", "head"}}. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", status);
      m.put("previous_head", previousHead == null ? null : previousHead.toMap());
      m.put("ledger_head", ledgerHead.toMap());
      m.put("head", head == null ? null : head.toMap());
      return m;
    }
  }

  /**
   * The operator accepts the ledger as it is now, after it was cut or rewritten (or lost its head
   * file): appends a chained {@code head_reset} event ({@code "previous_head"}: the head file's
   * head, or {@code null}; {@code "ledger_head"}: the head of the ledger's chain as found) and
   * rewrites the head file after it, so claims work again. Jobs whose events were cut off are not
   * in the ledger any more; {@code verify} still names their evidence. When the ledger holds its
   * head, writes nothing.
   *
   * @throws LocalExecException {@code ledger_write_failed} if the ledger cannot be written
   */
  public HeadAcceptance acceptHead() {
    return withLock(
        () -> {
          LedgerHeadFile previous = null;
          boolean intact;
          try {
            previous = LedgerHeadFile.read(headFile).orElse(null);
            intact = previous != null && previous.mismatch(ledger) == null;
          } catch (LocalExecException e) {
            intact = false;
          } catch (IOException e) {
            throw new LocalExecException(
                "ledger_read_failed",
                "cannot check the ledger " + ledger + ": " + e.getMessage(),
                true,
                e);
          }
          ChainHead found;
          try {
            found = chain.head();
          } catch (IOException e) {
            throw new LocalExecException(
                "ledger_read_failed",
                "cannot read the ledger " + ledger + ": " + e.getMessage(),
                true,
                e);
          }
          if (intact) {
            return new HeadAcceptance("head_ok", previous, found, previous);
          }
          appendAndAnchor(
              new LedgerEvent.HeadReset(
                  Timestamps.utc(clock.instant()),
                  previous == null ? null : previous.toMap(),
                  found));
          cache = null;
          LedgerHeadFile now;
          try {
            now = LedgerHeadFile.read(headFile).orElse(null);
          } catch (IOException e) {
            now = null;
          }
          LOG.warn(
              "ledger {} accepted as it is at seq {} (its head file had {})",
              ledger,
              found.seq(),
              previous == null
                  ? "none"
                  : "seq " + previous.seq() + " at byte " + previous.offset());
          return new HeadAcceptance("head_reset", previous, found, now);
        });
  }

  /** The lines before {@code offset} if the cached replay stands there, else -1. */
  private int linesBefore(long offset) {
    Replay r = cache;
    return r != null && r.offset == offset ? r.lineNo : -1;
  }

  /**
   * The {@code torn_line} event naming the ledger's unterminated last line that is not a JSON
   * object (a write cut short by a crash), so replay and verify know it was a torn write and not
   * garbage; the next append writes it before its own event.
   */
  private Map<String, Object> tornLineMarker(int lineNo, long bytes) {
    LOG.warn("ledger {} ended in a torn line ({}); it is skipped", ledger, lineNo);
    return new LedgerEvent.TornLine(Timestamps.utc(clock.instant()), lineNo, bytes).toMap();
  }

  /**
   * The replay of the ledger, caught up incrementally: the lines appended since the last call (by
   * any process) are read and applied to the cached state. The first call in a process starts from
   * the snapshot ({@code jobs.snapshot}) when it is consistent with the ledger, else from the
   * ledger's start; so does a call after the ledger was replaced, cut shorter or rewritten under
   * the cache. Writes a new snapshot when enough was applied since the last one. Called under the
   * ledger lock.
   */
  private Replay replay() {
    if (!Files.exists(ledger)) {
      cache = null;
      return new Replay();
    }
    try (FileChannel ch = PlaneFiles.open(ledger, StandardOpenOption.READ)) {
      String key = fileKey();
      long size = ch.size();
      if (cache != null) {
        String why = staleReason(cache, ch, key, size);
        if (why != null) {
          LOG.info("ledger {} {}; replaying it again", ledger, why);
          cache = null;
        }
      }
      if (cache == null) {
        cache = start(ch, key, size);
      }
      Replay view = catchUp(cache, ch, size);
      if (snapshotEvery > 0
          && cache.offset > 0
          && (cache.linesSinceSnapshot >= snapshotEvery
              || cache.bytesSinceSnapshot >= SNAPSHOT_BYTES)) {
        writeSnapshot(cache, ch);
      }
      return view;
    } catch (IOException e) {
      cache = null;
      throw new UncheckedIOException("cannot read the ledger " + ledger, e);
    }
  }

  /** Why the cached replay no longer describes the ledger's start, or {@code null}. */
  private static String staleReason(Replay r, FileChannel ch, String key, long size)
      throws IOException {
    if (!java.util.Objects.equals(key, r.fileKey)) {
      return "was replaced (file key " + r.fileKey + ", now " + key + ")";
    }
    if (size < r.offset) {
      return "shrank to " + size + " bytes from " + r.offset;
    }
    if (r.lastLineStart >= 0
        && !LedgerSnapshot.sha256(LedgerSnapshot.read(ch, r.lastLineStart, r.offset))
            .equals(r.lastLineSha256)) {
      return "was rewritten (its line before byte " + r.offset + " changed)";
    }
    return null;
  }

  /** The replay to catch up from: the snapshot's, if it is consistent, else an empty one. */
  private Replay start(FileChannel ch, String key, long size) {
    if (snapshotEvery > 0 && Files.exists(snapshot)) {
      String problem;
      try {
        LedgerSnapshot.Loaded loaded = LedgerSnapshot.load(snapshot, ch, key, size);
        if (loaded.replay() != null) {
          snapshotState = "loaded";
          LOG.debug(
              "ledger {}: loaded {} at byte {} ({} jobs)",
              ledger,
              snapshot,
              loaded.replay().offset,
              loaded.replay().jobs.size());
          return loaded.replay();
        }
        problem = loaded.problem();
        Files.deleteIfExists(snapshot);
      } catch (IOException | UncheckedIOException e) {
        problem = "it cannot be read: " + e.getMessage();
      }
      snapshotState = "ignored: " + problem;
      LOG.info("ignoring {}: {}; replaying the ledger from its start", snapshot, problem);
    } else {
      snapshotState = "none";
    }
    Replay r = new Replay();
    r.fileKey = key;
    return r;
  }

  /**
   * Applies the complete lines from {@code r}'s offset to {@code size}, reading a chunk at a time.
   * An unterminated last line that is a JSON object is applied to a copy only (a later append
   * completes it); one that is not is a torn write and changes nothing.
   */
  private Replay catchUp(Replay r, FileChannel ch, long size) throws IOException {
    if (r.offset >= size) {
      return r;
    }
    LineReader lines = new LineReader(ch, r.offset, size);
    long lastStart = -1;
    while (lines.next()) {
      long start = lines.lineOffset();
      r.lineNo++;
      applyLine(r, lines.bytes(), lines.start(), lines.end(), start, false);
      long length = lines.end() + 1L - lines.start();
      r.offset = start + length;
      r.linesSinceSnapshot++;
      r.bytesSinceSnapshot += length;
      linesRead++;
      lastStart = start;
    }
    if (lastStart >= 0) {
      r.lastLineStart = lastStart;
      r.lastLineSha256 = LedgerSnapshot.sha256(LedgerSnapshot.read(ch, lastStart, r.offset));
    }
    if (lines.end() > lines.start()) {
      LedgerEvent ev = object(lines.bytes(), lines.start(), lines.end());
      if (ev != null) {
        Replay view = r.copy();
        view.lineNo++;
        view.apply(ev, lines.lineOffset());
        return view;
      }
    }
    return r;
  }

  private void applyLine(Replay r, byte[] bytes, int from, int to, long lineStart, boolean last) {
    LedgerEvent ev = object(bytes, from, to);
    if (ev == null) {
      if (!last && !isBlank(bytes, from, to)) {
        r.badLines.add(r.lineNo);
        LOG.debug("ledger {} line {} is not a JSON object; skipped", ledger, r.lineNo);
      }
      return;
    }
    r.apply(ev, lineStart);
  }

  /** The event of the JSON object in {@code bytes[from, to)}, or {@code null} if it is not one. */
  private static LedgerEvent object(byte[] bytes, int from, int to) {
    LedgerEvent ev = EventScanner.read(bytes, from, to - from);
    if (ev != null) {
      return ev;
    }
    return LedgerEvent.parse(new String(bytes, from, to - from, StandardCharsets.UTF_8))
        .orElse(null);
  }

  private static boolean isBlank(byte[] bytes, int from, int to) {
    return new String(bytes, from, to - from, StandardCharsets.UTF_8).isBlank();
  }

  private void writeSnapshot(Replay r, FileChannel ch) {
    try {
      LedgerSnapshot.write(snapshot, r, ch, Timestamps.utc(clock.instant()));
      snapshotsWritten++;
      LOG.debug(
          "ledger {}: wrote {} at byte {} ({} jobs)", ledger, snapshot, r.offset, r.jobs.size());
    } catch (IOException | UncheckedIOException e) {
      LOG.warn(
          "cannot write the ledger snapshot {}: {}; the ledger is unaffected",
          snapshot,
          e.getMessage());
    } finally {
      r.linesSinceSnapshot = 0;
      r.bytesSinceSnapshot = 0;
    }
  }

  private String fileKey() throws IOException {
    Object key = Files.readAttributes(ledger, BasicFileAttributes.class).fileKey();
    return key == null ? null : key.toString();
  }

  /**
   * The job document of {@code e}, read back from its {@code enqueue} line. Called under the lock.
   *
   * @throws LocalExecException {@code ledger_changed} if that line is no longer there (the ledger
   *     was edited in place); the next call replays the whole ledger again
   */
  private Map<String, Object> jobDocument(Replay.Entry e) {
    LedgerEvent parsed = null;
    try (FileChannel ch = PlaneFiles.open(ledger, StandardOpenOption.READ)) {
      byte[] line = lineAt(ch, e.enqueueOffset);
      parsed = LedgerEvent.parse(new String(line, StandardCharsets.UTF_8)).orElse(null);
    } catch (IOException ex) {
      LOG.debug("cannot read the enqueue of job {}: {}", e.jobId, ex.toString());
    }
    if (parsed instanceof LedgerEvent.Enqueued en
        && en.job() != null
        && e.jobId.equals(en.jobId())) {
      return en.job();
    }
    cache = null;
    try {
      Files.deleteIfExists(snapshot);
    } catch (IOException ex) {
      LOG.warn("cannot delete {}: {}", snapshot, ex.getMessage());
    }
    LOG.warn(
        "ledger {} has no enqueue of job {} at byte {} any more; replaying it again",
        ledger,
        e.jobId,
        e.enqueueOffset);
    throw new LocalExecException(
        "ledger_changed",
        "the ledger "
            + ledger
            + " has no enqueue of job '"
            + e.jobId
            + "' at byte "
            + e.enqueueOffset
            + " where its replay found one: it was edited in place; try again, the next call"
            + " replays it from its start",
        true);
  }

  /** The line starting at {@code offset}, without its line break (to the end of the file). */
  private static byte[] lineAt(FileChannel ch, long offset) throws IOException {
    LineReader lines = new LineReader(ch, offset, ch.size(), 4096);
    lines.next();
    return java.util.Arrays.copyOfRange(lines.bytes(), lines.start(), lines.end());
  }

  /**
   * Whether the state folder does not exist: nothing was ever queued here, and a read answers
   * without creating the folder or its lock file.
   */
  private boolean neverWritten() {
    return !PlaneFiles.existsAsAnything(lockFile.getParent());
  }

  @SuppressWarnings("try")
  private <T> T withLock(Supplier<T> action) {
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
    jvmLock.lock();
    try {
      Files.createDirectories(lockFile.getParent());
      try (FileChannel ch =
              PlaneFiles.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
}
