package dev.localexec.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.ToolPolicy;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobStateMachineTest {
  private static final Map<String, Object> DOC = Map.of("job_id", "job-aaaaaaaa", "job_type", "t");

  private static JobRecord run(LedgerEvent... events) {
    JobRecord r = null;
    for (LedgerEvent e : events) {
      r = JobStateMachine.apply(r, e);
    }
    return r;
  }

  private static LedgerEvent.Claimed claim(String ts, String worker, Integer attempt, Long fence) {
    return new LedgerEvent.Claimed(ts, "job-aaaaaaaa", worker, 100.0, attempt, fence);
  }

  @Test
  void enqueueClaimHeartbeatFail() {
    JobRecord r =
        run(
            LedgerEvent.Enqueued.of("t1", "jsonschema", DOC, false),
            claim("t2", "w1", null, 5L),
            new LedgerEvent.Heartbeat("t3", "job-aaaaaaaa", "w1", 160.0, 1, 5L),
            new LedgerEvent.Failed("t4", "job-aaaaaaaa", "w1", "boom", 1, 5L, null, "h1"));

    assertThat(r)
        .isEqualTo(
            new JobRecord(
                "job-aaaaaaaa", "t", JobState.FAILED, 1, "w1", 160.0, 5, "t4", "boom", "h1"));
    assertThat(r.status(1e9).error()).isEqualTo("boom");
  }

  @Test
  void aRequeueResetsTheAttemptsAndAClaimWithoutAnAttemptCountsOneMore() {
    JobRecord r =
        run(
            LedgerEvent.Enqueued.of("t1", "jsonschema", DOC, false),
            claim("t2", "w1", 1, null),
            new LedgerEvent.Completed("t3", "job-aaaaaaaa", "w1", Map.of(), 1, null, null, "h1"),
            LedgerEvent.Enqueued.of("t4", "jsonschema", DOC, true),
            claim("t5", "w2", null, null),
            claim("t6", "w3", null, null));

    assertThat(r)
        .isEqualTo(
            new JobRecord(
                "job-aaaaaaaa", "t", JobState.RUNNING, 2, "w3", 100.0, 0, "t6", null, null));
  }

  @Test
  void aHeartbeatOfAFinishedJobOnlyMarksItUpdated() {
    JobRecord done =
        run(
            LedgerEvent.Enqueued.of("t1", "jsonschema", DOC, false),
            claim("t2", "w1", 1, null),
            new LedgerEvent.Completed("t3", "job-aaaaaaaa", "w1", Map.of(), 1, null, null, null));

    JobRecord after =
        JobStateMachine.apply(
            done, new LedgerEvent.Heartbeat("t4", "job-aaaaaaaa", "w1", 999.0, 1, null));

    assertThat(after.state()).isEqualTo(JobState.COMPLETE);
    assertThat(after.leaseExpiresUnix()).isEqualTo(100.0);
    assertThat(after.updatedTs()).isEqualTo("t4");
  }

  @Test
  void eventsOfAnUnknownJobLeaveItUnknown() {
    assertThat(JobStateMachine.apply(null, claim("t", "w1", 1, null))).isNull();
    assertThatThrownBy(
            () ->
                JobStateMachine.apply(
                    run(LedgerEvent.Enqueued.of("t1", "jsonschema", DOC, false)),
                    new LedgerEvent.Other("t", "x", "job-b")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void leasesClaimabilityAndOwnership() {
    JobRecord r =
        run(LedgerEvent.Enqueued.of("t1", "jsonschema", DOC, false), claim("t2", "w1", 1, 7L));
    Job job =
        new Job(
            "job-aaaaaaaa",
            "t",
            "2026-11-24T04:00:00Z",
            Map.of(),
            Budget.of(300, 10, 262144, 1),
            ToolPolicy.denyAll(),
            null);

    assertThat(r.stateAt(99.0)).isEqualTo(JobState.RUNNING);
    assertThat(r.stateAt(100.5)).isEqualTo(JobState.QUEUED);
    assertThat(JobStateMachine.claimable(r, 100.5, Set.of("t"))).isTrue();
    assertThat(JobStateMachine.claimable(r, 100.5, Set.of("other"))).isFalse();
    assertThat(JobStateMachine.claimable(r, 100.5, null)).isTrue();
    assertThat(JobStateMachine.claimable(r, 99.0, null)).isFalse();
    assertThat(JobStateMachine.attemptsExhausted(r, 1)).isTrue();
    JobStateMachine.requireHeldBy(r, new Claim(job, "w1", 1, 100.0, "t2", 7));
    assertThatThrownBy(
            () -> JobStateMachine.requireHeldBy(r, new Claim(job, "w1", 1, 100.0, "t2", 8)))
        .isInstanceOf(StaleClaimException.class)
        .hasMessage(
            "job 'job-aaaaaaaa' attempt 1 (fence 8) by w1 is no longer the running claim; its write was"
                + " refused");
    assertThatThrownBy(() -> JobStateMachine.requireHeldBy(null, new Claim(job, "w2", 1, 1, "t")))
        .isInstanceOf(StaleClaimException.class)
        .hasMessage(
            "job 'job-aaaaaaaa' attempt 1 by w2 is no longer the running claim; its write was refused");
  }
}
