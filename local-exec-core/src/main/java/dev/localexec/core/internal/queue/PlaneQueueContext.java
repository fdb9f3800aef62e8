package dev.localexec.core.internal.queue;

import dev.localexec.api.Job;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.plane.PlaneLayout;
import dev.localexec.core.queue.QueueContext;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/** The {@link QueueContext} a plane gives the queue it opens. */
public record PlaneQueueContext(
    PlaneLayout layout, JobValidator validator, Clock clock, Redactor redactor)
    implements QueueContext {

  /** Checks for nulls. */
  public PlaneQueueContext {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(validator, "validator");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(redactor, "redactor");
  }

  @Override
  public Job validate(Object document) {
    return validator.validate(document);
  }

  @Override
  public String validatorMode() {
    return JobValidator.MODE;
  }

  @Override
  public void refuseSecretsIn(Map<String, ?> document) {
    redactor.refuseSecretsIn(document);
  }

  @Override
  public String redact(String text) {
    return redactor.redact(text);
  }

  @Override
  public Map<String, Object> redact(Map<?, ?> event) {
    return redactor.redactObject(event);
  }

  /**
   * The plane's own context behind {@code context}.
   *
   * @throws IllegalArgumentException if the context is not a plane's
   */
  public static PlaneQueueContext of(QueueContext context) {
    if (context instanceof PlaneQueueContext p) {
      return p;
    }
    throw new IllegalArgumentException(
        "the file ledger opens only with the context of its plane, got " + context);
  }
}
