package dev.localexec.mcporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.ToolCallException;
import dev.localexec.api.ToolCallException.Kind;
import dev.localexec.api.spi.ToolDescription;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.mcporter.config.McpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of real {@code mcporter call --output json} outputs (captured from mcporter 0.12.3). */
class McporterOutputTest {
  private static final Duration TIMEOUT = Duration.ofMillis(1500);
  private static final Duration TOOK = Duration.ofMillis(42);

  private static String fixture(String name) {
    try (InputStream in =
        McporterOutputTest.class.getResourceAsStream("/mcporter-output/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ToolResult parse(String tool, int rc, String stdout, String stderr) {
    return McporterOutput.parse(tool, rc, stdout, stderr, TIMEOUT, 131_072, TOOK);
  }

  @Test
  void rc0_envelope_isTheCompactEnvelope() {
    ToolResult r = parse("everything.echo", 0, fixture("echo.json"), "");

    assertThat(r.resultJson())
        .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"Echo: hi\"}]}");
    assertThat(r.structured()).isFalse();
    assertThat(r.bytes()).isEqualTo(47);
    assertThat(r.tool()).isEqualTo("everything.echo");
    assertThat(r.duration()).isEqualTo(TOOK);
  }

  @Test
  void rc0_sum_isTheEnvelope() {
    ToolResult r = parse("everything.get-sum", 0, fixture("sum.json"), "");

    assertThat(r.resultJson())
        .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"The sum of 2 and 3 is 5.\"}]}");
    assertThat(r.structured()).isFalse();
  }

  @Test
  void rc0_structuredContent_isTheParsedResult() {
    ToolResult r = parse("everything.get-structured-content", 0, fixture("structured.json"), "");

    assertThat(r.resultJson())
        .isEqualTo("{\"temperature\":36,\"conditions\":\"Light rain / drizzle\",\"humidity\":82}");
    assertThat(r.structured()).isTrue();
  }

  @Test
  void rc0_singleJsonText_isTheParsedResult() {
    ToolResult r = parse("everything.get-env", 0, fixture("get-env.json"), "");

    assertThat(r.resultJson())
        .isEqualTo(
            "{\"HOME\":\"/tmp/home\",\"PATH\":\"/usr/local/bin:/usr/bin:/bin\",\"SECRET_X\":\"leak\","
                + "\"PLAIN\":\"v1\"}");
    assertThat(r.structured()).isTrue();
  }

  @Test
  void rc0_structuredWithContentKey_isStructured() {
    ToolResult r = parse("s.t", 0, "{\"content\": \"plain\", \"n\": 1}", "");

    assertThat(r.resultJson()).isEqualTo("{\"content\":\"plain\",\"n\":1}");
    assertThat(r.structured()).isTrue();
  }

  @Test
  void rc1_inputValidation_isBadArguments() {
    assertThatThrownBy(() -> parse("everything.get-sum", 1, fixture("badargs.json"), ""))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.BAD_ARGUMENTS);
              assertThat(e.code()).isEqualTo("tool_bad_arguments:everything.get-sum");
            })
        .hasMessage(
            "everything.get-sum rejected its arguments: MCP error -32602: Input validation error:"
                + " Invalid arguments for tool get-sum: Invalid input: expected number, received"
                + " undefined at b; pass arguments that match the tool's input schema");
  }

  @Test
  void rc1_toolNotFound_isUnknownTool() {
    assertThatThrownBy(() -> parse("everything.ech", 1, fixture("unknown-tool.json"), ""))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> assertThat(e.code()).isEqualTo("tool_unknown:everything.ech"))
        .hasMessage(
            "everything.ech: the server has no such tool (MCP error -32602: Tool ech not found);"
                + " use an exact name from the server's tool list");
  }

  @Test
  void rc1_transportTimeout_isTimeout() {
    assertThatThrownBy(
            () ->
                parse("everything.trigger-long-running-operation", 1, fixture("timeout.json"), ""))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
              assertThat(e.retryable()).isTrue();
            })
        .hasMessage(
            "everything.trigger-long-running-operation did not answer within 1500 ms; the call was"
                + " stopped (raise timeout_sec in config/mcporter.json if it needs longer)");
  }

  @Test
  void rc1_spawnFailure_isUnavailable() {
    assertThatThrownBy(() -> parse("everything.echo", 1, fixture("spawnfail.json"), ""))
        .isInstanceOfSatisfying(
            ToolCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
        .hasMessage(
            "everything.echo: the MCP server could not be reached (spawn /nonexistent/binary"
                + " ENOENT); check the server's entry in config/mcporter.json");
  }

  @Test
  void rc1_blockedByConfiguration_isUnavailable() {
    assertThatThrownBy(() -> parse("everything.get-sum", 1, fixture("blocked.json"), ""))
        .isInstanceOfSatisfying(
            ToolCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
        .hasMessage(
            "everything.get-sum: the MCP server could not be reached (Tool 'get-sum' is not"
                + " accessible on server 'everything' (blocked by configuration).); check the"
                + " server's entry in config/mcporter.json");
  }

  @Test
  void rc1_unknownServer_isUnknownTool() {
    String out =
        "{\"server\":\"nosuch\",\"tool\":\"echo\",\"error\":\"Unknown MCP server 'nosuch'.\","
            + "\"issue\":{\"kind\":\"other\",\"rawMessage\":\"x\"}}";

    assertThatThrownBy(() -> parse("nosuch.echo", 1, out, ""))
        .isInstanceOfSatisfying(
            ToolCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_TOOL));
  }

  @Test
  void rc1_otherToolError_isToolError() {
    String out = "{\"content\":[{\"type\":\"text\",\"text\":\"disk full\"}],\"isError\":true}";

    assertThatThrownBy(() -> parse("fs.write", 1, out, ""))
        .isInstanceOfSatisfying(
            ToolCallException.class, e -> assertThat(e.code()).isEqualTo("tool_error:fs.write"))
        .hasMessage("fs.write reported an error: disk full");
  }

  @Test
  void rc0_isErrorStillFails() {
    String out = "{\"content\":[{\"type\":\"text\",\"text\":\"boom\"}],\"isError\":true}";

    assertThatThrownBy(() -> parse("s.t", 0, out, "")).hasMessage("s.t reported an error: boom");
  }

  @Test
  void rc1_noJson_isUnavailableWithStderrFirstLine() {
    String stderr =
        "[mcporter] Unable to parse --args: Unexpected token\n    at parse (x.js:1:1)\n";

    assertThatThrownBy(() -> parse("everything.echo", 1, "", stderr))
        .isInstanceOfSatisfying(
            ToolCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
        .hasMessage(
            "everything.echo: the MCP server could not be reached (mcporter exited 1: [mcporter]"
                + " Unable to parse --args: Unexpected token); check the server's entry in"
                + " config/mcporter.json");
  }

  @Test
  void rc0_tooLarge_isRefusedWithItsSize() {
    String text = "x".repeat(2000);
    String out = "{\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}]}";

    assertThatThrownBy(
            () -> McporterOutput.parse("everything.echo", 0, out, "", TIMEOUT, 1024, TOOK))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> assertThat(e.code()).isEqualTo("tool_response_too_large:everything.echo"))
        .hasMessage(
            "everything.echo answered 2039 bytes, more than max_response_bytes 1024; ask the tool"
                + " for less or raise max_response_bytes in config/mcporter.json");
  }

  @Test
  void list_givesEachToolWithItsSchema() {
    List<ToolDescription> tools =
        McporterBackend.toolsOf("everything", McpConfig.JSONC.readTree(fixture("list.json")));

    assertThat(tools).hasSize(1);
    assertThat(tools.get(0).name()).isEqualTo("everything.get-sum");
    assertThat(tools.get(0).description()).isEqualTo("Returns the sum of two numbers");
    assertThat(tools.get(0).inputSchemaJson())
        .startsWith("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"");
  }
}
