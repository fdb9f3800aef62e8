package dev.localexec.tasks.doccompact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.JsonValues;
import dev.localexec.api.ModelCallException;
import dev.localexec.api.spi.ModelBackend;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.tasks.testing.FakeModelBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocCompactorModelModeTest {
  @TempDir Path root;

  @BeforeEach
  void docs() throws IOException {
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(root.resolve("docs/a.md"), "# Alpha\n\nRun `make alpha` twice.\n");
    Files.writeString(root.resolve("docs/b.md"), "# Beta\n\nThe beta port is 8001.\n");
  }

  private static final FakeModelBackend SUMMARISER =
      new FakeModelBackend(
          r -> {
            String prompt = r.messages().get(1).content();
            return prompt.contains("docs/a.md") ? "Alpha: run `make alpha` twice." : "Beta: 8001.";
          });

  private RunOutcome run(ModelBackend model, String mode, String allowed, int toolCalls) {
    return run("job-doccompact0001", model, mode, allowed, toolCalls);
  }

  private RunOutcome run(
      String jobId, ModelBackend model, String mode, String allowed, int toolCalls) {
    LocalExecPlane.Builder b =
        LocalExecPlane.builder(root).register(new DocCompactorTask()).sandbox(SandboxMode.NONE);
    if (model != null) {
      b.model(model);
    }
    LocalExecPlane plane = b.build();
    String job =
        "{\"job_id\":\""
            + jobId
            + "\",\"job_type\":\"doc_compactor_task\","
            + "\"created_at_utc\":\"2026-11-24T08:00:00Z\",\"payload\":{\"inputs\":"
            + "[\"docs/a.md\",\"docs/b.md\"],\"max_input_bytes\":10000,"
            + "\"max_output_bytes\":4096,\"title\":\"Docs\""
            + (mode == null ? "" : ",\"mode\":\"" + mode + "\"")
            + "},\"budgets\":{\"max_wall_time_sec\":60,\"max_tool_calls\":"
            + toolCalls
            + ",\"max_output_bytes\":65536,\"max_concurrency_slots\":1},"
            + "\"tool_policy\":{\"allow_network\":false,\"allow_subprocess\":false,"
            + "\"allowed_tools\":"
            + allowed
            + "}}";
    plane.enqueue(plane.parseJob(job));
    return plane.runOnce();
  }

  private String summary(RunOutcome o) throws IOException {
    return Files.readString(root.resolve(o.summary()));
  }

  private List<Map<String, Object>> modelSummaries(RunOutcome o) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : Files.readAllLines(root.resolve(o.evidence()))) {
      Map<?, ?> e = (Map<?, ?>) Json.parse(line);
      if (e.get("kind").equals("model_request_summary")) {
        out.add(JsonValues.copyObject((Map<?, ?>) e.get("payload")));
      }
    }
    return out;
  }

  @Test
  void modelMode_summarisesEachSection() throws IOException {
    RunOutcome o = run(SUMMARISER, "model", "[\"model.chat\"]", 5);

    assertThat(o.status()).as(o.error()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(summary(o))
        .isEqualTo(
            "# Docs\n\n## docs/a.md\nAlpha: run `make alpha` twice.\n\n## docs/b.md\nBeta: 8001.\n\n");
    assertThat(o.result())
        .containsEntry("mode", "model")
        .containsEntry("model_calls", 2)
        .containsEntry("sections_by_model", 2)
        .containsEntry("sections_deterministic", 0);
    assertThat(modelSummaries(o)).extracting(m -> m.get("outcome")).containsExactly("ok", "ok");
  }

  @Test
  void modelMode_withoutAModel_fallsBackToTheDeterministicDocument() throws IOException {
    RunOutcome deterministic = run("job-doccompact0000", null, null, "[]", 5);
    String expected = summary(deterministic);

    RunOutcome o = run(null, "model", "[\"model.chat\"]", 5);

    assertThat(o.status()).as(o.error()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(summary(o)).isEqualTo(expected);
    assertThat(o.result())
        .containsEntry("mode", "deterministic_fallback")
        .containsEntry("fallback_reason", "model_not_enabled");
    assertThat(modelSummaries(o).get(1))
        .containsEntry("invoked", false)
        .containsEntry("reason", "model_absent_deterministic_fallback")
        .containsEntry("error", "model_not_enabled");
  }

  @Test
  void modelMode_modelUnreachable_fallsBack() {
    FakeModelBackend down =
        new FakeModelBackend(
            r -> {
              throw new ModelCallException(
                  ModelCallException.Kind.UNAVAILABLE, "connection refused");
            });

    RunOutcome o = run(down, "model", "[\"model.chat\"]", 5);

    assertThat(o.status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(o.result()).containsEntry("fallback_reason", "model_unavailable");
  }

  @Test
  void modelMode_withoutModelChatInThePolicy_failsTheJob() {
    RunOutcome o = run(SUMMARISER, "model", "[]", 5);

    assertThat(o.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(o.error()).isEqualTo("model_not_allowed");
  }

  @Test
  void modelMode_onlyAsManyModelSectionsAsToolCallsLeft() throws IOException {
    RunOutcome o = run(SUMMARISER, "model", "[\"model.chat\"]", 1);

    assertThat(o.status()).as(o.error()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(o.result())
        .containsEntry("model_calls", 1)
        .containsEntry("sections_by_model", 1)
        .containsEntry("sections_deterministic", 1);
    assertThat(summary(o))
        .startsWith("# Docs\n\n## docs/a.md\nAlpha: run `make alpha` twice.\n\n## docs/b.md\n")
        .contains("The beta port is 8001.");
  }
}
