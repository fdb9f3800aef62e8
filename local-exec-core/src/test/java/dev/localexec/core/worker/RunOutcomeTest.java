package dev.localexec.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.core.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The printed form of a {@link RunOutcome}: the same keys, order and strings for every status. */
class RunOutcomeTest {

  @Test
  void statuses_printTheirJsonNames() {
    assertThat(RunOutcome.Status.values())
        .extracting(RunOutcome.Status::jsonName)
        .containsExactly("complete", "failed", "idle", "kill_switch", "stopped");
  }

  @Test
  void nothingRun_printsStatusAndWorkerOnly() {
    assertThat(Json.line(RunOutcome.nothingRun(RunOutcome.Status.KILL_SWITCH, "w1").toMap()))
        .isEqualTo("{\"status\": \"kill_switch\", \"worker_id\": \"w1\"}");
    assertThat(RunOutcome.nothingRun(RunOutcome.Status.IDLE, "w1").ranJob()).isFalse();
  }

  @Test
  void aCompleteJob_printsItsResultEvidenceAndSummary() {
    RunOutcome o =
        new RunOutcome(
            RunOutcome.Status.COMPLETE,
            "job-a",
            "w1",
            Map.of("n", 1),
            null,
            false,
            "workspace/local_exec/evidence/job-a.jsonl",
            "workspace/local_exec/evidence/job-a.md");
    assertThat(o.complete()).isTrue();
    assertThat(Json.line(o.toMap()))
        .isEqualTo(
            "{\"status\": \"complete\", \"job_id\": \"job-a\", \"worker_id\": \"w1\","
                + " \"result\": {\"n\": 1},"
                + " \"evidence\": \"workspace/local_exec/evidence/job-a.jsonl\","
                + " \"summary\": \"workspace/local_exec/evidence/job-a.md\"}");
  }

  @Test
  void aJobEndedByAStop_isInterruptedAndPrintsItsError() {
    RunOutcome o =
        new RunOutcome(
            RunOutcome.Status.FAILED,
            "job-a",
            "w1",
            null,
            "worker_stopped:polling",
            true,
            "e.jsonl",
            null);
    assertThat(o.interrupted()).isTrue();
    assertThat(o.complete()).isFalse();
    assertThat(Json.line(o.toMap()))
        .isEqualTo(
            "{\"status\": \"failed\", \"job_id\": \"job-a\", \"worker_id\": \"w1\","
                + " \"error\": \"worker_stopped:polling\", \"evidence\": \"e.jsonl\", \"summary\": null}");
  }

  @Test
  void aStatusIsRequired() {
    assertThatThrownBy(() -> RunOutcome.nothingRun(null, "w1"))
        .isInstanceOf(NullPointerException.class);
  }
}
