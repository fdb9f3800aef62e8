package dev.localexec.core.queue;

import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.ChainHead;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The job queue a worker claims from: enqueue, claim, heartbeat, complete, fail, requeue and
 * status, with the ledger's meaning (the README's "Files" section). Two implementations: {@code
 * FileLedgerQueue}, the append-only {@code jobs.jsonl} on one host (the default), and the
 * PostgreSQL queue of the module {@code local-exec-postgres}, for workers on several hosts.
 *
 * <p>Every implementation keeps these promises, which {@code JobQueueContract} (core's test jar)
 * checks: claims are FIFO by enqueue order; each queued job is claimed by exactly one caller even
 * when several processes share the queue; a claim holds for its lease unless a heartbeat extends
 * it, and a running job whose lease expired is queued again; a write for a claim that is no longer
 * the job's running claim (another attempt took over, or the job finished) is refused with {@link
 * StaleClaimException}; every event is a {@link LedgerEvent} in the ledger's format, and every
 * job's state is the replay of its events through {@link JobStateMachine}.
 *
 * <p>Implementations are thread-safe. Every method may block on I/O (a file lock, a database round
 * trip) and throws {@link LocalExecException} with {@code retryable() == true} when the storage
 * cannot be reached.
 */
public interface JobQueue extends AutoCloseable {

  /**
   * Validates and appends an {@code enqueue} event.
   *
   * @return the event's {@code ts_utc}
   * @throws JobValidationException if the job does not satisfy its schemas
   * @throws LocalExecException {@code duplicate_job_id} if the id is already in the queue
   */
  String enqueue(Job job);

  /**
   * Queues a finished job again with a new {@code enqueue} event.
   *
   * @return the event's {@code ts_utc}
   * @throws LocalExecException {@code unknown_job} if the id is unknown, {@code job_active} if it
   *     is queued or running
   */
  String requeue(String jobId);

  /**
   * Claims the oldest queued job (FIFO by enqueue order), validating it again; a job that no longer
   * validates is failed with {@code job_invalid} and skipped.
   *
   * @param workerId the claiming worker
   * @param lease how long the claim holds without a heartbeat
   * @return the claim, or empty if nothing is queued
   */
  default Optional<Claim> claim(String workerId, Duration lease) {
    return claim(workerId, lease, DEFAULT_MAX_ATTEMPTS);
  }

  /** How many claims a job may have without an attempt finishing, unless the worker says. */
  int DEFAULT_MAX_ATTEMPTS = 3;

  /**
   * Claims the oldest queued job as {@link #claim(String, Duration)} does, and fails for good, with
   * {@code attempts_exhausted}, every claimable job that was already claimed {@code maxAttempts}
   * times without any attempt finishing (each worker holding it stopped or died, e.g. because the
   * job takes it down), so such a job never runs again on its own.
   *
   * @param workerId the claiming worker
   * @param lease how long the claim holds without a heartbeat
   * @param maxAttempts the claims a job may have, at least 1
   * @return the claim, or empty if nothing is queued
   */
  default Optional<Claim> claim(String workerId, Duration lease, int maxAttempts) {
    return claim(workerId, lease, maxAttempts, null, ClaimFailures.NONE);
  }

  /**
   * Claims the oldest queued job of one of {@code jobTypes} as {@link #claim(String, Duration,
   * int)} does, leaving jobs of other types queued (untouched, not validated, not failed) for a
   * worker that runs them; FIFO by enqueue order among the jobs of those types.
   *
   * @param workerId the claiming worker
   * @param lease how long the claim holds without a heartbeat
   * @param maxAttempts the claims a job may have, at least 1
   * @param jobTypes the job types the worker runs, or {@code null} for any type
   * @return the claim, or empty if no job of those types is queued
   */
  default Optional<Claim> claim(
      String workerId, Duration lease, int maxAttempts, Set<String> jobTypes) {
    return claim(workerId, lease, maxAttempts, jobTypes, ClaimFailures.NONE);
  }

  /**
   * Claims as {@link #claim(String, Duration, int, Set)} does, and tells {@code failures} about
   * each job it fails instead of claiming ({@code job_invalid}, {@code attempts_exhausted}) before
   * it records that failure, so that the job's evidence and summary are written like those of any
   * failed job and the {@code fail} event records the evidence head.
   *
   * @param workerId the claiming worker
   * @param lease how long the claim holds without a heartbeat
   * @param maxAttempts the claims a job may have, at least 1
   * @param jobTypes the job types the worker runs, or {@code null} for any type
   * @param failures told about each job failed at claim
   * @return the claim, or empty if no job of those types is queued
   */
  Optional<Claim> claim(
      String workerId,
      Duration lease,
      int maxAttempts,
      Set<String> jobTypes,
      ClaimFailures failures);

  /**
   * A job a queue failed at claim instead of handing it out.
   *
   * @param jobId the job
   * @param jobType its type
   * @param workerId the worker whose claim failed it
   * @param attempts the claims it had
   * @param error the error the {@code fail} event records
   */
  record ClaimFailure(String jobId, String jobType, String workerId, int attempts, String error) {}

  /** Told about each job a claim fails; writes the job's evidence. */
  @FunctionalInterface
  interface ClaimFailures {
    /** Writes nothing. */
    ClaimFailures NONE = failure -> Optional.empty();

    /**
     * Records {@code failure} in the job's evidence; called before the queue records the failure,
     * while it holds the claim's lock. Exceptions are logged and the failure is recorded without an
     * evidence head.
     *
     * @return the head of the job's evidence chain after its final line, or empty for none
     */
    Optional<ChainHead> failed(ClaimFailure failure);
  }

  /** The error of a job whose {@code attempts} claims all ended without a final event. */
  static String attemptsExhausted(String jobId, int attempts) {
    return "attempts_exhausted: job '"
        + jobId
        + "' was claimed "
        + attempts
        + (attempts == 1 ? " time" : " times")
        + " and no attempt finished (the worker holding it stopped or died each time);"
        + " requeue it to run it again";
  }

  /**
   * Extends a running claim's lease.
   *
   * @return the new lease end in Unix seconds
   * @throws StaleClaimException if the job is no longer this claim's
   */
  double heartbeat(Claim claim, Duration lease);

  /**
   * Records a claim's result, without an evidence head.
   *
   * @return the event's {@code ts_utc}
   * @throws StaleClaimException if the job is no longer this claim's
   */
  default String complete(Claim claim, Map<String, ?> result) {
    return complete(claim, result, null);
  }

  /**
   * Records a claim's result and the head of the job's evidence chain ({@code evidence_head}).
   *
   * @param evidenceHead the evidence head, or {@code null} to record none
   * @return the event's {@code ts_utc}
   * @throws StaleClaimException if the job is no longer this claim's
   */
  String complete(Claim claim, Map<String, ?> result, ChainHead evidenceHead);

  /**
   * Records a claim's failure, without an evidence head.
   *
   * @return the event's {@code ts_utc}
   * @throws StaleClaimException if the job is no longer this claim's
   */
  default String fail(Claim claim, String error) {
    return fail(claim, error, null);
  }

  /**
   * Records a claim's failure and the head of the job's evidence chain.
   *
   * @param evidenceHead the evidence head, or {@code null} to record none
   * @return the event's {@code ts_utc}
   * @throws StaleClaimException if the job is no longer this claim's
   */
  String fail(Claim claim, String error, ChainHead evidenceHead);

  /** Every job's state, in the order of their first enqueue. */
  List<JobStatus> status();

  /** One job's state, if the job is known. */
  Optional<JobStatus> status(String jobId);

  /**
   * The final event ({@code complete} or {@code fail}) of the job's latest attempt, if the job is
   * finished: its {@code result} or {@code error} as the ledger records them. Empty for a job that
   * is unknown, queued or running.
   */
  Optional<LedgerEvent> finalEvent(String jobId);

  /** Lines of the ledger that could not be read (not counting a torn last line), 1-based. */
  List<Integer> unreadableLines();

  /**
   * Writes the queue's ledger as a {@code jobs.jsonl} file in the file ledger's format (every event
   * line in ledger order, as the file ledger writes it), replacing {@code target}.
   *
   * @return the number of lines written
   * @throws java.io.UncheckedIOException if the file cannot be written
   */
  long exportLedger(java.nio.file.Path target);

  /**
   * The name of this host as the queue records it in final events ({@code host}), or {@code null}
   * when the queue serves one host and records none.
   */
  default String hostName() {
    return null;
  }

  /**
   * Where the queue lives, for people: a file path, or a database URL without credentials. Never
   * contains a secret.
   */
  String location();

  /**
   * A kill switch every host sharing this queue sees, in addition to the local file; empty for a
   * queue on one host.
   */
  default Optional<SharedKillSwitch> sharedKillSwitch() {
    return Optional.empty();
  }

  /**
   * Facts for {@code health} beyond the jobs by state, in the order {@code health} prints them:
   * where the ledger is, its size in events ({@code ledger_events}) and its last event ({@code
   * last_event}, {@code {"ts_utc", "event"}} or {@code null}), and what the kind of queue adds.
   * Reads only; empty by default.
   */
  default Map<String, Object> health() {
    return Map.of();
  }

  /**
   * What is wrong with the queue now, for {@code health}, one sentence each (e.g. a ledger cut
   * below its head, a ledger that cannot be read); none by default.
   */
  default List<String> problems() {
    return List.of();
  }

  /**
   * The ledger as a file ledger's {@code jobs.jsonl}, for {@code verify} to recompute its hash
   * chain and check the evidence against its final events.
   *
   * @param file the ledger file
   * @param headFile the head file the ledger must still hold ({@code jobs.head}), or {@code null}
   *     when the queue keeps its head elsewhere
   * @param host the host whose evidence is checked (final events naming another host are that
   *     host's), or {@code null} for a queue on one host
   * @param copy whether the file is a copy for this check, which the caller deletes after it
   */
  record LedgerFile(
      java.nio.file.Path file, java.nio.file.Path headFile, String host, boolean copy) {}

  /**
   * The ledger as a file for {@code verify}: by default a copy {@link #exportLedger exported} into
   * a new file in {@code folder}, which the caller deletes; the file ledger gives its own file.
   *
   * @param folder where a copy may be written
   * @throws java.io.UncheckedIOException if the copy cannot be written
   */
  default LedgerFile ledgerFile(java.nio.file.Path folder) {
    java.nio.file.Path copy;
    try {
      copy = java.nio.file.Files.createTempFile(folder, "jobs.queue-copy.", ".jsonl");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write a copy of the ledger in " + folder, e);
    }
    exportLedger(copy);
    return new LedgerFile(copy, null, hostName(), true);
  }

  /**
   * The operator accepts the ledger as it is now after it was cut or rewritten: its head file is
   * written anew. Until then a queue that keeps its head where a job could cut the ledger refuses
   * claims and enqueues with {@code ledger_cut}.
   *
   * @return {@code {"status", "previous_head", "ledger_head", "head"}}
   * @throws LocalExecException {@code not_a_file_ledger} by default: a queue that keeps its
   *     ledger's head out of a job's reach (a database) has nothing to accept
   */
  default Map<String, Object> acceptLedgerHead() {
    throw new LocalExecException(
        "not_a_file_ledger",
        "accept-head is for the file ledger; the queue "
            + location()
            + " keeps its ledger's head in the database, out of a job's reach",
        false);
  }

  /** Releases connections or other resources; the queue is unusable afterwards. Never throws. */
  @Override
  default void close() {}

  /** Opens the queue of a plane. */
  @FunctionalInterface
  interface Factory {
    /**
     * Opens a queue for a plane.
     *
     * @param context the plane's files, clock, validation and redaction
     */
    JobQueue open(QueueContext context);

    /** The file ledger in the layout's state folder: the default. */
    static Factory fileLedger() {
      return dev.localexec.core.internal.queue.FileLedgerQueue::open;
    }
  }
}
