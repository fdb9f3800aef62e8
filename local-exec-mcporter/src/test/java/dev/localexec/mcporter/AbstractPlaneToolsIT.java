package dev.localexec.mcporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.JsonValues;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.mcporter.config.McpConfig;
import dev.localexec.tasks.mcpcall.McpCallTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Real jobs ({@code mcp_call_task}) through the plane, its guarded invoker and a real backend,
 * against the reference server: the evidence and the ledger say exactly what happened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AbstractPlaneToolsIT {
  private static final List<String> ENABLED =
      List.of(
          "everything.echo",
          "everything.get-sum",
          "everything.ech",
          "everything.trigger-long-running-operation");

  private Path root;
  private ToolBackend backend;
  private ToolBackend shortBackend;
  private ToolBackend smallBackend;
  private LocalExecPlane plane;
  private LocalExecPlane shortPlane;
  private LocalExecPlane smallPlane;
  private int jobs;

  /** Opens the backend under test. */
  protected abstract ToolBackend open(McpConfig config, Path root);

  /** The backend's name in evidence. */
  protected abstract String backendName();

  /** How the backend words a server whose program {@code /nonexistent/binary} cannot start. */
  protected abstract String unreachableBecause();

  /** The private HOME of the backend's processes. */
  protected abstract Path home(ToolBackend backend);

  @BeforeAll
  public void start() throws Exception {
    McpTestEnv.requireNode();
    root = Files.createTempDirectory("mcp-plane-it");
    Path conf = Files.createDirectories(root.resolve("config"));
    backend = open(McpTestEnv.writeConfig(conf, ENABLED, 30, 131_072, null), root);
    Path shortConf = Files.createDirectories(root.resolve("short"));
    shortBackend = open(McpTestEnv.writeConfig(shortConf, ENABLED, 2, 131_072, null), root);
    Path smallConf = Files.createDirectories(root.resolve("small"));
    tools.jackson.databind.node.ObjectNode broken =
        tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    broken.putObject("broken").put("command", "/nonexistent/binary");
    smallBackend =
        open(
            McpTestEnv.writeConfig(
                smallConf, List.of("everything.echo", "broken.echo"), 30, 1024, broken),
            root);
    plane = plane(root.resolve("plane"), backend);
    shortPlane = plane(root.resolve("short-plane"), shortBackend);
    smallPlane = plane(root.resolve("small-plane"), smallBackend);
  }

  protected static LocalExecPlane plane(Path planeRoot, ToolBackend tools) throws IOException {
    Files.createDirectories(planeRoot);
    return LocalExecPlane.builder(planeRoot)
        .register(new McpCallTask())
        .sandbox(SandboxMode.NONE)
        .tools(tools)
        .build();
  }

  @AfterAll
  public void stop() {
    ToolBackend[] all = {backend, smallBackend, shortBackend};
    for (ToolBackend b : all) {
      if (b != null) {
        b.close();
      }
    }
    // The last check also looks for any child of this JVM, so every backend is closed first.
    for (ToolBackend b : all) {
      if (b != null) {
        McpTestEnv.assertNoProcessLeft(home(b), b == shortBackend);
      }
    }
  }

  protected RunOutcome run(LocalExecPlane p, String allowed, String calls) {
    String id = String.format("job-mcpplane%04d", ++jobs);
    p.enqueue(
        p.parseJob(
            "{\"job_id\":\""
                + id
                + "\",\"job_type\":\"mcp_call_task\",\"created_at_utc\":\"2026-11-24T08:00:00Z\","
                + "\"payload\":{\"calls\":"
                + calls
                + "},\"budgets\":{\"max_wall_time_sec\":60,\"max_tool_calls\":5,"
                + "\"max_output_bytes\":65536,\"max_concurrency_slots\":1},"
                + "\"tool_policy\":{\"allow_network\":false,\"allow_subprocess\":false,"
                + "\"allowed_tools\":"
                + allowed
                + "}}"));
    RunOutcome o = p.runOnce();
    assertThat(o.jobId()).isEqualTo(id);
    return o;
  }

  protected static List<Map<String, Object>> events(Path planeRoot, RunOutcome o, String kind)
      throws IOException {
    List<Map<String, Object>> events = new ArrayList<>();
    for (String line : Files.readAllLines(planeRoot.resolve(o.evidence()))) {
      @SuppressWarnings("unchecked")
      Map<String, Object> e = (Map<String, Object>) Json.parse(line);
      if (kind.equals(e.get("kind"))) {
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) e.get("payload");
        events.add(payload);
      }
    }
    return events;
  }

  /** The {@code error} of the job's {@code fail} line in the ledger. */
  protected static String ledgerError(Path planeRoot, String jobId) throws IOException {
    String error = null;
    for (String line :
        Files.readAllLines(planeRoot.resolve("workspace/local_exec/state/jobs.jsonl"))) {
      @SuppressWarnings("unchecked")
      Map<String, Object> e = (Map<String, Object>) Json.parse(line);
      if ("fail".equals(e.get("event")) && jobId.equals(e.get("job_id"))) {
        error = (String) e.get("error");
      }
    }
    return error;
  }

  /** The payload without its measured {@code duration_ms}, which must be a whole number >= 0. */
  protected static String withoutDuration(Map<String, Object> payload) {
    Map<String, Object> copy = new java.util.LinkedHashMap<>(payload);
    Object ms = copy.remove("duration_ms");
    assertThat(ms).isInstanceOf(Number.class);
    assertThat(((Number) ms).longValue()).isNotNegative();
    return JsonValues.toJson(copy);
  }

  @Test
  void success_recordsTheCallAndItsResult() throws IOException {
    RunOutcome o =
        run(
            plane,
            "[\"everything.echo\"]",
            "[{\"tool\":\"everything.echo\",\"arguments\":{\"message\":\"hi\"}}]");

    assertThat(o.status()).as(o.error()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(JsonValues.toJson(o.result()))
        .isEqualTo(
            "{\"calls\":1,\"results\":[{\"tool\":\"everything.echo\",\"structured\":false,"
                + "\"result_bytes\":47}]}");
    Path planeRoot = root.resolve("plane");
    assertThat(events(planeRoot, o, "tool_call"))
        .extracting(JsonValues::toJson)
        .containsExactly(
            "{\"name\":\"everything.echo\",\"backend\":\""
                + backendName()
                + "\",\"argument_bytes\":16}");
    List<Map<String, Object>> results = events(planeRoot, o, "tool_result");
    assertThat(results).hasSize(1);
    assertThat(withoutDuration(results.get(0)))
        .isEqualTo(
            "{\"name\":\"everything.echo\",\"backend\":\""
                + backendName()
                + "\",\"outcome\":\"ok\",\"structured\":false,\"result_bytes\":47}");
    assertThat(Files.readString(planeRoot.resolve(o.summary())))
        .contains(
            "## everything.echo\n\n```json\n"
                + "{\"content\":[{\"type\":\"text\",\"text\":\"Echo: hi\"}]}\n```");
  }

  @Test
  void notAllowed_isRefusedBeforeTheBackend() throws IOException {
    RunOutcome o =
        run(
            plane,
            "[\"everything.echo\"]",
            "[{\"tool\":\"everything.get-sum\",\"arguments\":{\"a\":2,\"b\":3}}]");

    assertThat(o.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(o.error()).isEqualTo("tool_not_allowed:everything.get-sum");
    assertThat(ledgerError(root.resolve("plane"), o.jobId()))
        .isEqualTo("tool_not_allowed:everything.get-sum");
    assertThat(events(root.resolve("plane"), o, "tool_result"))
        .extracting(JsonValues::toJson)
        .containsExactly(
            "{\"name\":\"everything.get-sum\",\"backend\":\""
                + backendName()
                + "\",\"outcome\":\"tool_not_allowed:everything.get-sum\",\"error\":\"tool"
                + " everything.get-sum refused: it is not in the job's tool_policy.allowed_tools"
                + " [everything.echo]; add the exact name to let the job call it\"}");
  }

  @Test
  void notEnabled_isRefusedEvenWhenAllowed() throws IOException {
    RunOutcome o = run(plane, "[\"everything.get-env\"]", "[{\"tool\":\"everything.get-env\"}]");

    assertThat(o.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(o.error()).isEqualTo("tool_not_enabled:everything.get-env");
    assertThat(ledgerError(root.resolve("plane"), o.jobId()))
        .isEqualTo("tool_not_enabled:everything.get-env");
    List<Map<String, Object>> results = events(root.resolve("plane"), o, "tool_result");
    assertThat(results).hasSize(1);
    assertThat(results.get(0))
        .containsEntry("outcome", "tool_not_enabled:everything.get-env")
        .containsEntry("backend", backendName());
    assertThat(results.get(0))
        .containsEntry(
            "error",
            "tool everything.get-env refused: it is not in enabled_tools [everything.ech,"
                + " everything.echo, everything.get-sum, everything.trigger-long-running-operation];"
                + " add the exact name to enabled_tools in config/mcporter.json");
  }

  @Test
  void nearMiss_enabledAndAllowed_neverRunsTheClosestTool() throws IOException {
    RunOutcome o =
        run(
            plane,
            "[\"everything.ech\"]",
            "[{\"tool\":\"everything.ech\",\"arguments\":{\"message\":\"hi\"}}]");

    assertThat(o.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(o.error()).isEqualTo("tool_unknown:everything.ech");
    assertThat(ledgerError(root.resolve("plane"), o.jobId()))
        .isEqualTo("tool_unknown:everything.ech");
    List<Map<String, Object>> results = events(root.resolve("plane"), o, "tool_result");
    assertThat(results).hasSize(1);
    assertThat(withoutDuration(results.get(0)))
        .isEqualTo(
            "{\"name\":\"everything.ech\",\"backend\":\""
                + backendName()
                + "\",\"outcome\":\"tool_unknown:everything.ech\",\"error\":\"everything.ech: the"
                + " server has no such tool (MCP error -32602: Tool ech not found); use an exact"
                + " name from the server's tool list\"}");
    assertThat(Files.readString(root.resolve("plane").resolve(o.summary())))
        .doesNotContain("Echo: hi");
  }

  @Test
  void timeout_failsTheJobAndLeavesNoProcess() throws IOException {
    RunOutcome o =
        run(
            shortPlane,
            "[\"everything.trigger-long-running-operation\"]",
            "[{\"tool\":\"everything.trigger-long-running-operation\","
                + "\"arguments\":{\"duration\":30,\"steps\":5}}]");

    assertThat(o.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(o.error()).isEqualTo("tool_timeout:everything.trigger-long-running-operation");
    assertThat(ledgerError(root.resolve("short-plane"), o.jobId()))
        .isEqualTo("tool_timeout:everything.trigger-long-running-operation");
    List<Map<String, Object>> results = events(root.resolve("short-plane"), o, "tool_result");
    assertThat(results).hasSize(1);
    assertThat(withoutDuration(results.get(0)))
        .isEqualTo(
            "{\"name\":\"everything.trigger-long-running-operation\",\"backend\":\""
                + backendName()
                + "\",\"outcome\":\"tool_timeout:everything.trigger-long-running-operation\","
                + "\"error\":\"everything.trigger-long-running-operation did not answer within"
                + " 2000 ms; the call was stopped (raise timeout_sec in config/mcporter.json if it"
                + " needs longer)\"}");
    McpTestEnv.assertNoProcessLeft(home(shortBackend));
  }

  /** The job failed with {@code code} in the outcome and the ledger, and one such tool_result. */
  private void assertFailure(Path planeRoot, RunOutcome o, String code, String tool, String error)
      throws IOException {
    assertThat(o.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(o.error()).isEqualTo(code);
    assertThat(ledgerError(planeRoot, o.jobId())).isEqualTo(code);
    List<Map<String, Object>> results = events(planeRoot, o, "tool_result");
    assertThat(results).hasSize(1);
    assertThat(withoutDuration(results.get(0)))
        .isEqualTo(
            "{\"name\":\""
                + tool
                + "\",\"backend\":\""
                + backendName()
                + "\",\"outcome\":\""
                + code
                + "\",\"error\":"
                + JsonValues.toJson(error)
                + "}");
  }

  @Test
  void badArguments_failTheJobWithTheServersValidation() throws IOException {
    RunOutcome o =
        run(
            plane,
            "[\"everything.get-sum\"]",
            "[{\"tool\":\"everything.get-sum\",\"arguments\":{\"a\":\"two\",\"b\":3}}]");

    assertFailure(
        root.resolve("plane"),
        o,
        "tool_bad_arguments:everything.get-sum",
        "everything.get-sum",
        "everything.get-sum rejected its arguments: MCP error -32602: Input validation error:"
            + " Invalid arguments for tool get-sum: Invalid input: expected number, received"
            + " string at a; pass arguments that match the tool's input schema");
  }

  @Test
  void aResponseOverMaxResponseBytes_failsTheJob() throws IOException {
    RunOutcome o =
        run(
            smallPlane,
            "[\"everything.echo\"]",
            "[{\"tool\":\"everything.echo\",\"arguments\":{\"message\":\""
                + "x".repeat(2000)
                + "\"}}]");

    assertFailure(
        root.resolve("small-plane"),
        o,
        "tool_response_too_large:everything.echo",
        "everything.echo",
        "everything.echo answered 2045 bytes, more than max_response_bytes 1024; ask the tool"
            + " for less or raise max_response_bytes in config/mcporter.json");
  }

  @Test
  void aServerThatCannotStart_failsTheJobAsUnavailable() throws IOException {
    RunOutcome o = run(smallPlane, "[\"broken.echo\"]", "[{\"tool\":\"broken.echo\"}]");

    assertFailure(
        root.resolve("small-plane"),
        o,
        "tool_unavailable:broken.echo",
        "broken.echo",
        "broken.echo: the MCP server could not be reached ("
            + unreachableBecause()
            + "); check the server's entry in config/mcporter.json");
  }
}
