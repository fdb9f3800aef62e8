package dev.localexec.core.queue;

import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.core.plane.PlaneLayout;
import java.time.Clock;
import java.util.Map;

/**
 * What a {@link JobQueue} gets from the plane that opens it ({@link JobQueue.Factory#open}): the
 * plane's files, its clock, the validation of job documents and the redaction of secrets. A queue
 * validates every job at enqueue and again at claim, and passes every event through {@link
 * #redact(Map)} before it stores it, so no secret reaches the ledger.
 */
public interface QueueContext {

  /** The plane's files. */
  PlaneLayout layout();

  /** The time source for timestamps and leases. */
  Clock clock();

  /**
   * Validates a job document (a tree as {@link dev.localexec.core.json.Json#parse} returns it)
   * against the job schema and its task's payload schema.
   *
   * @return the job
   * @throws JobValidationException if the document does not satisfy them
   */
  Job validate(Object document);

  /** The validator's name as enqueue events record it ({@code validator_mode}). */
  String validatorMode();

  /**
   * Refuses a job document that holds a secret value of the plane's environment.
   *
   * @throws dev.localexec.api.PolicyViolationException {@code secret_in_job} naming where
   */
  void refuseSecretsIn(Map<String, ?> document);

  /** {@code text} with every secret value of the plane's environment replaced. */
  String redact(String text);

  /** A copy of {@code event} with every secret value, at any depth, replaced. */
  Map<String, Object> redact(Map<?, ?> event);
}
