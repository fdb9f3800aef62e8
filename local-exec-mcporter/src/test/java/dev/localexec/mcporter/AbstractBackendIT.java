package dev.localexec.mcporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.KillSwitchException;
import dev.localexec.api.ToolCallException;
import dev.localexec.api.ToolCallException.Kind;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolDescription;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.mcporter.config.McpConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The same calls against the real reference server through each backend, with the same exact
 * results: a backend is interchangeable for the plane.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AbstractBackendIT {
  protected static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  protected Path dir;
  protected McpConfig config;
  protected ToolBackend backend;

  /** Opens the backend under test. */
  protected abstract ToolBackend open(McpConfig config);

  /** The private HOME of the backend's processes. */
  protected abstract Path home(ToolBackend backend);

  @BeforeAll
  public void start() throws Exception {
    McpTestEnv.requireNode();
    dir = Files.createTempDirectory("mcp-it");
    config = McpTestEnv.writeConfig(dir);
    backend = open(config);
  }

  @AfterAll
  public void stop() {
    if (backend != null) {
      Path home = home(backend);
      backend.close();
      McpTestEnv.assertNoProcessLeft(home, true);
    }
  }

  protected static ToolRequest request(String tool, String args) {
    return new ToolRequest(tool, args, CALL_TIMEOUT, 131_072, () -> false);
  }

  @Test
  void echo_givesTheContentEnvelope() {
    ToolResult r = backend.call(request("everything.echo", "{\"message\":\"hi\"}"));

    assertThat(r.resultJson())
        .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"Echo: hi\"}]}");
    assertThat(r.structured()).isFalse();
    assertThat(r.bytes()).isEqualTo(47);
    assertThat(r.tool()).isEqualTo("everything.echo");
  }

  @Test
  void getSum_addsNumbers() {
    ToolResult r = backend.call(request("everything.get-sum", "{\"a\":2,\"b\":3}"));

    assertThat(r.resultJson())
        .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"The sum of 2 and 3 is 5.\"}]}");
  }

  @Test
  void structuredContent_isReturnedParsed() {
    ToolResult r =
        backend.call(request("everything.get-structured-content", "{\"location\":\"Chicago\"}"));

    assertThat(r.structured()).isTrue();
    assertThat(r.resultJson())
        .isEqualTo("{\"temperature\":36,\"conditions\":\"Light rain / drizzle\",\"humidity\":82}");
  }

  @Test
  void missingArgument_isBadArguments() {
    assertThatThrownBy(() -> backend.call(request("everything.get-sum", "{\"a\":2}")))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> assertThat(e.code()).isEqualTo("tool_bad_arguments:everything.get-sum"))
        .hasMessage(
            "everything.get-sum rejected its arguments: MCP error -32602: Input validation error:"
                + " Invalid arguments for tool get-sum: Invalid input: expected number, received"
                + " undefined at b; pass arguments that match the tool's input schema");
  }

  @Test
  void argumentsNotAnObject_areRefusedBeforeAnythingRuns() {
    assertThatThrownBy(() -> backend.call(request("everything.echo", "[1,2]")))
        .isInstanceOfSatisfying(
            ToolCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_ARGUMENTS))
        .hasMessage(
            "everything.echo: arguments must be a JSON object, got [1,2]; pass an object such as"
                + " {}");
  }

  @Test
  void unknownTool_isUnknownTool() {
    assertThatThrownBy(() -> backend.call(request("everything.nosuchtool", "{}")))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> assertThat(e.code()).isEqualTo("tool_unknown:everything.nosuchtool"))
        .hasMessage(
            "everything.nosuchtool: the server has no such tool (MCP error -32602: Tool nosuchtool"
                + " not found); use an exact name from the server's tool list");
  }

  @Test
  void nearMiss_neverRunsTheClosestTool() {
    assertThatThrownBy(() -> backend.call(request("everything.ech", "{\"message\":\"hi\"}")))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> assertThat(e.code()).isEqualTo("tool_unknown:everything.ech"))
        .hasMessage(
            "everything.ech: the server has no such tool (MCP error -32602: Tool ech not found);"
                + " use an exact name from the server's tool list");
  }

  @Test
  void unknownServer_isRefusedBeforeAnythingRuns() {
    assertThatThrownBy(() -> backend.call(request("nothing.echo", "{}")))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> assertThat(e.code()).isEqualTo("tool_unknown:nothing.echo"))
        .hasMessage(
            "nothing.echo: no server 'nothing' in "
                + config.source()
                + " (servers: [everything]); use an exact server.tool name");
  }

  @Test
  void responseLargerThanTheBound_isRefused() {
    String message = "x".repeat(3000);
    ToolRequest r =
        new ToolRequest(
            "everything.echo",
            "{\"message\":\"" + message + "\"}",
            CALL_TIMEOUT,
            1024,
            () -> false);

    assertThatThrownBy(() -> backend.call(r))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> assertThat(e.code()).isEqualTo("tool_response_too_large:everything.echo"))
        .hasMessage(
            "everything.echo answered 3045 bytes, more than max_response_bytes 1024; ask the tool"
                + " for less or raise max_response_bytes in config/mcporter.json");
  }

  @Test
  void timeout_stopsTheCallAndLeavesNoProcess() {
    ToolRequest r =
        new ToolRequest(
            "everything.trigger-long-running-operation",
            "{\"duration\":30,\"steps\":5}",
            Duration.ofMillis(1500),
            131_072,
            () -> false);

    assertThatThrownBy(() -> backend.call(r))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
              assertThat(e.code())
                  .isEqualTo("tool_timeout:everything.trigger-long-running-operation");
            })
        .hasMessage(
            "everything.trigger-long-running-operation did not answer within 1500 ms; the call was"
                + " stopped (raise timeout_sec in config/mcporter.json if it needs longer)");
    McpTestEnv.assertNoProcessLeft(home(backend), true);
  }

  @Test
  void cancelled_stopsTheCallWithTheKillSwitch() {
    AtomicBoolean cancelled = new AtomicBoolean();
    long start = System.nanoTime();
    ToolRequest r =
        new ToolRequest(
            "everything.trigger-long-running-operation",
            "{\"duration\":30,\"steps\":5}",
            CALL_TIMEOUT,
            131_072,
            () -> {
              if (System.nanoTime() - start > 1_000_000_000L) {
                cancelled.set(true);
              }
              return cancelled.get();
            });

    assertThatThrownBy(() -> backend.call(r))
        .isInstanceOfSatisfying(
            KillSwitchException.class,
            e -> assertThat(e.code()).isEqualTo("kill_switch:tool_call"));
    McpTestEnv.assertNoProcessLeft(home(backend), true);
  }

  @Test
  void server_seesNoHostSecret_onlyItsConfiguredEnv() {
    ToolResult r = backend.call(request("everything.get-env", "{}"));

    JsonNode env = McpConfig.JSONC.readTree(r.resultJson());
    assertThat(r.structured()).isTrue();
    assertThat(env.propertyNames())
        .containsExactlyInAnyOrder("PATH", "HOME", McpTestEnv.PLAIN_NAME);
    assertThat(env.path(McpTestEnv.PLAIN_NAME).asString()).isEqualTo(McpTestEnv.PLAIN_VALUE);
    assertThat(env.path("HOME").asString()).isEqualTo(home(backend).toString());
    assertThat(r.resultJson())
        .doesNotContain(McpTestEnv.SECRET_NAME)
        .doesNotContain(McpTestEnv.SECRET_VALUE);
  }

  @Test
  void listTools_namesTheServersTools() {
    List<ToolDescription> tools = backend.listTools(CALL_TIMEOUT);

    assertThat(tools)
        .extracting(ToolDescription::name)
        .contains(
            "everything.echo",
            "everything.get-sum",
            "everything.get-env",
            "everything.trigger-long-running-operation");
    ToolDescription sum =
        tools.stream().filter(t -> t.tool().equals("get-sum")).findFirst().orElseThrow();
    assertThat(sum.description()).isEqualTo("Returns the sum of two numbers");
    assertThat(McpConfig.JSONC.readTree(sum.inputSchemaJson()).path("required").toString())
        .isEqualTo("[\"a\",\"b\"]");
  }

  @Test
  void settings_comeFromTheFile() {
    assertThat(backend.settings().enabledTools())
        .containsExactlyInAnyOrder(
            "everything.echo", "everything.get-sum", "everything.get-structured-content");
    assertThat(backend.settings().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(Map.of("n", backend.name())).isNotEmpty();
  }
}
