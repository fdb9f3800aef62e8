package dev.localexec.tasks.mcpcall;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.tasks.testing.FakeToolBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class McpCallTaskTest {
  @TempDir Path root;

  private final FakeToolBackend backend = new FakeToolBackend(Set.of("fake.echo", "fake.sum"));

  private LocalExecPlane plane() {
    return LocalExecPlane.builder(root)
        .register(new McpCallTask())
        .sandbox(SandboxMode.NONE)
        .tools(backend)
        .build();
  }

  private static String job(String id, String allowed, String calls) {
    return "{\"job_id\":\""
        + id
        + "\",\"job_type\":\"mcp_call_task\",\"created_at_utc\":\"2026-11-24T08:00:00Z\","
        + "\"payload\":{\"calls\":"
        + calls
        + "},\"budgets\":{\"max_wall_time_sec\":60,\"max_tool_calls\":5,"
        + "\"max_output_bytes\":65536,\"max_concurrency_slots\":1},"
        + "\"tool_policy\":{\"allow_network\":false,\"allow_subprocess\":false,"
        + "\"allowed_tools\":"
        + allowed
        + "}}";
  }

  private List<Map<String, Object>> evidence(RunOutcome o) throws IOException {
    List<Map<String, Object>> events = new ArrayList<>();
    for (String line : Files.readAllLines(root.resolve(o.evidence()))) {
      @SuppressWarnings("unchecked")
      Map<String, Object> e = (Map<String, Object>) Json.parse(line);
      events.add(e);
    }
    return events;
  }

  @Test
  void calls_runInOrder_andTheResultHoldsSizes() throws IOException {
    LocalExecPlane plane = plane();
    plane.enqueue(
        plane.parseJob(
            job(
                "job-mcpcall00001",
                "[\"fake.echo\",\"fake.sum\"]",
                "[{\"tool\":\"fake.echo\",\"arguments\":{\"message\":\"hi \\\"there\\\"\"}},"
                    + "{\"tool\":\"fake.sum\",\"arguments\":{\"a\":2,\"b\":3}}]")));

    RunOutcome o = plane.runOnce();

    assertThat(o.status()).as(o.error()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(backend.requests())
        .extracting(r -> r.tool() + " " + r.argumentsJson())
        .containsExactly(
            "fake.echo {\"message\":\"hi \\\"there\\\"\"}", "fake.sum {\"a\":2,\"b\":3}");
    assertThat(dev.localexec.api.JsonValues.toJson(o.result()))
        .isEqualTo(
            "{\"calls\":2,\"results\":[{\"tool\":\"fake.echo\",\"structured\":true,"
                + "\"result_bytes\":49},{\"tool\":\"fake.sum\",\"structured\":true,"
                + "\"result_bytes\":35}]}");
    assertThat(
            evidence(o).stream()
                .map(e -> e.get("kind"))
                .filter(k -> k.toString().startsWith("tool_")))
        .containsExactly("tool_call", "tool_result", "tool_call", "tool_result");
    assertThat(Files.readString(root.resolve(o.summary())))
        .contains("## fake.sum\n\n```json\n{\"tool\":\"sum\",\"args\":{\"a\":2,\"b\":3}}\n```");
  }

  @Test
  void aCallNotAllowed_failsTheJob_andLaterCallsDoNotRun() throws IOException {
    LocalExecPlane plane = plane();
    plane.enqueue(
        plane.parseJob(
            job(
                "job-mcpcall00002",
                "[\"fake.echo\"]",
                "[{\"tool\":\"fake.sum\",\"arguments\":{\"a\":1}},{\"tool\":\"fake.echo\"}]")));

    RunOutcome o = plane.runOnce();

    assertThat(o.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(o.error()).isEqualTo("tool_not_allowed:fake.sum");
    assertThat(backend.requests()).isEmpty();
    Map<String, Object> result =
        evidence(o).stream()
            .filter(e -> e.get("kind").equals("tool_result"))
            .findFirst()
            .orElseThrow();
    assertThat(dev.localexec.api.JsonValues.toJson(result.get("payload")))
        .isEqualTo(
            "{\"name\":\"fake.sum\",\"backend\":\"fake\",\"outcome\":\"tool_not_allowed:fake.sum\","
                + "\"error\":\"tool fake.sum refused: it is not in the job's"
                + " tool_policy.allowed_tools [fake.echo]; add the exact name to let the job call"
                + " it\"}");
  }

  @Test
  void aToolNotEnabled_failsTheJobEvenWhenAllowed() {
    LocalExecPlane plane = plane();
    plane.enqueue(
        plane.parseJob(job("job-mcpcall00003", "[\"fake.other\"]", "[{\"tool\":\"fake.other\"}]")));

    RunOutcome o = plane.runOnce();

    assertThat(o.error()).isEqualTo("tool_not_enabled:fake.other");
    assertThat(backend.requests()).isEmpty();
  }
}
