package dev.localexec.core.internal.worker;

import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.internal.evidence.JobEvidence;
import dev.localexec.core.internal.evidence.Summaries;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.plane.PlaneLayout;
import dev.localexec.core.queue.JobQueue;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evidence of a job a worker's claim failed instead of running it (it no longer validates, or
 * its attempts were used up): as for any failed job, a {@code summary} line, the summary file and a
 * chained {@code failed} line ({@code {"error": <code>, "detail": <the ledger's error>}}), whose
 * head the queue's {@code fail} event records.
 */
final class ClaimFailureEvidence implements JobQueue.ClaimFailures {
  private static final Logger LOG = LoggerFactory.getLogger(ClaimFailureEvidence.class);

  private final PlaneLayout layout;
  private final Clock clock;
  private final Redactor redactor;

  ClaimFailureEvidence(PlaneLayout layout, Clock clock, Redactor redactor) {
    this.layout = layout;
    this.clock = clock;
    this.redactor = redactor;
  }

  @Override
  public Optional<ChainHead> failed(JobQueue.ClaimFailure failure) {
    String error = failure.error();
    int colon = error.indexOf(':');
    String code = colon > 0 ? error.substring(0, colon) : error;
    String summary =
        redactor.redact(
            Summaries.failed(failure.jobId(), String.valueOf(failure.jobType()), code, error));
    JobEvidence evidence = new JobEvidence(layout.evidenceDir(), failure.jobId(), clock, redactor);
    evidence.record(
        "summary",
        Summaries.evidencePayload(
            layout.display(Summaries.path(layout.evidenceDir(), failure.jobId())),
            Summaries.bytes(summary)));
    try {
      Summaries.write(layout.evidenceDir(), failure.jobId(), summary);
    } catch (IOException e) {
      LOG.error("cannot write the summary of job {}: {}", failure.jobId(), e.toString());
    }
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("error", code);
    p.put("detail", error);
    return evidence.recordChained("failed", p);
  }
}
