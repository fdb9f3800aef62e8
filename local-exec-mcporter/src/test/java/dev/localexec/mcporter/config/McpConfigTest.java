package dev.localexec.mcporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.ToolCallException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class McpConfigTest {

  private static final String SERVER =
      "\"everything\": {\"command\": \"node\", \"args\": [\"server.js\", \"stdio\"]}";

  @Test
  void parse_specExample_givesSettingsAndServers() {
    McpConfig config =
        McpConfig.parse(
            "{\"enabled_tools\":[\"everything.echo\",\"everything.get-sum\"],\"timeout_sec\":12,"
                + "\"max_response_bytes\":2048,\"mcpServers\":{"
                + "\"everything\":{\"command\":\"node\",\"args\":[\"server.js\",\"stdio\"],"
                + "\"env\":{\"GREETING\":\"hello\"},\"allowedTools\":[\"echo\"]}},\"imports\":[]}",
            "mcporter.json");

    assertThat(config.settings().enabledTools())
        .containsExactlyInAnyOrder("everything.echo", "everything.get-sum");
    assertThat(config.settings().timeout()).isEqualTo(Duration.ofSeconds(12));
    assertThat(config.settings().maxResponseBytes()).isEqualTo(2048);
    assertThat(config.servers()).containsOnlyKeys("everything");
    McpServer server = config.servers().get("everything");
    assertThat(server.commandLine()).containsExactly("node", "server.js", "stdio");
    assertThat(server.env()).containsExactly(Map.entry("GREETING", "hello"));
    assertThat(server.stdio()).isTrue();
    assertThat(config.source()).isEqualTo("mcporter.json");
  }

  @Test
  void settings_enabledTools_areInNameOrder() {
    McpConfig config =
        McpConfig.parse(
            "{\"mcpServers\": {"
                + SERVER
                + "}, \"enabled_tools\": [\"everything.trigger\", \"everything.echo\","
                + " \"everything.get-sum\", \"everything.ech\"]}",
            "mcporter.json");

    assertThat(config.settings().enabledTools().toString())
        .isEqualTo("[everything.ech, everything.echo, everything.get-sum, everything.trigger]");
  }

  @Test
  void parse_minimal_givesDefaultsAndNothingEnabled() {
    McpConfig config = McpConfig.parse("{\"mcpServers\": {}}", "mcporter.json");

    assertThat(config.settings().enabledTools()).isEmpty();
    assertThat(config.settings().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.settings().maxResponseBytes()).isEqualTo(131_072);
    assertThat(config.servers()).isEmpty();
  }

  @Test
  void parse_jsonc_acceptsCommentsAndTrailingCommas() {
    McpConfig config =
        McpConfig.parse(
            "// the plane's tools\n{\n  /* servers */ \"mcpServers\": {"
                + SERVER
                + ",},\n  \"enabled_tools\": [\"everything.echo\",], // one\n}\n",
            "mcporter.json");

    assertThat(config.settings().enabledTools()).containsExactly("everything.echo");
  }

  @Test
  void parse_httpServer_isKeptWithItsUrl() {
    McpConfig config =
        McpConfig.parse(
            "{\"mcpServers\":{\"remote\":{\"baseUrl\":\"http://127.0.0.1:9/mcp\"}}}",
            "mcporter.json");

    assertThat(config.servers().get("remote").stdio()).isFalse();
    assertThat(config.servers().get("remote").url()).isEqualTo("http://127.0.0.1:9/mcp");
  }

  @Test
  void load_repoConfig_isValid() {
    McpConfig config = McpConfig.load(Path.of("../config/mcporter.json"));

    assertThat(config.settings().enabledTools()).isEmpty();
    assertThat(config.source()).endsWith("config/mcporter.json");
  }

  @Test
  void load_missingFile_saysHowToCreateIt(@TempDir Path dir) {
    Path file = dir.resolve("mcporter.json");

    assertThatThrownBy(() -> McpConfig.load(file))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ToolCallException.Kind.CONFIG_INVALID);
              assertThat(e.code()).isEqualTo("tool_config_invalid:*");
            })
        .hasMessage(file + ": file not found; create it with at least {\"mcpServers\": {}}");
  }

  @Test
  void load_badFile_namesTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mcporter.json");
    Files.writeString(file, "{\"mcpServers\": {}, \"timeout_sec\": 0}");

    assertThatThrownBy(() -> McpConfig.load(file))
        .hasMessage(
            file
                + ": $.timeout_sec: expected a whole number of seconds from 1 to 300, got 0; set it"
                + " in that range or remove it for the default 30");
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "[1]",
            "mcporter.json: $: expected a JSON object, got [1]; start from {\"mcpServers\": {}}"),
        Arguments.of(
            "{\"enabled_tools\": []}",
            "mcporter.json: $.mcpServers: missing; mcporter requires it: add \"mcpServers\": {} (an"
                + " empty object means no servers)"),
        Arguments.of(
            "{\"mcpServers\": []}",
            "mcporter.json: $.mcpServers: expected an object of servers by name, got []; write"
                + " \"mcpServers\": {}"),
        Arguments.of(
            "{\"mcpServers\": {\"my.server\": {\"command\": \"node\"}}}",
            "mcporter.json: $.mcpServers: server name \"my.server\" is not allowed; use letters,"
                + " digits, '-' and '_' only (no dot: tools are named server.tool)"),
        Arguments.of(
            "{\"mcpServers\": {\"everything\": \"node\"}}",
            "mcporter.json: $.mcpServers.everything: expected an object with \"command\" (stdio)"
                + " or \"baseUrl\" (HTTP), got \"node\"; fix the server entry"),
        Arguments.of(
            "{\"mcpServers\": {\"everything\": {\"args\": []}}}",
            "mcporter.json: $.mcpServers.everything: has neither \"command\" nor \"baseUrl\"; give"
                + " the command that starts the server, e.g. \"command\": \"node\""),
        Arguments.of(
            "{\"mcpServers\": {\"everything\": {\"command\": \"\"}}}",
            "mcporter.json: $.mcpServers.everything.command: expected a non-empty string, got"
                + " \"\"; give the program that starts the server"),
        Arguments.of(
            "{\"mcpServers\": {\"everything\": {\"command\": \"node\", \"args\": \"server.js\"}}}",
            "mcporter.json: $.mcpServers.everything.args: expected an array of strings, got"
                + " \"server.js\"; write e.g. \"args\": [\"server.js\", \"stdio\"]"),
        Arguments.of(
            "{\"mcpServers\": {\"everything\": {\"command\": \"node\", \"args\": [\"a\", 2]}}}",
            "mcporter.json: $.mcpServers.everything.args[1]: expected a string, got 2; quote it"),
        Arguments.of(
            "{\"mcpServers\": {\"everything\": {\"command\": \"node\", \"env\": [\"A=1\"]}}}",
            "mcporter.json: $.mcpServers.everything.env: expected an object of strings, got"
                + " [\"A=1\"]; write e.g. \"env\": {\"NAME\": \"value\"}"),
        Arguments.of(
            "{\"mcpServers\": {\"everything\": {\"command\": \"node\", \"env\": {\"PORT\": 80}}}}",
            "mcporter.json: $.mcpServers.everything.env.PORT: expected a string, got 80; quote it"),
        Arguments.of(
            "{\"mcpServers\": {\"everything\": {\"command\": \"node\", \"cwd\": 1}}}",
            "mcporter.json: $.mcpServers.everything.cwd: expected a string, got 1; give a folder"),
        Arguments.of(
            "{\"mcpServers\": {\"everything\": {\"command\": \"node\", \"allow_network\": \"yes\"}}}",
            "mcporter.json: $.mcpServers.everything.allow_network: expected true or false, got"
                + " \"yes\"; leave it out for a server that needs no network"),
        Arguments.of(
            "{\"mcpServers\": {}, \"imports\": [\"cursor\"]}",
            "mcporter.json: $.imports: must be [] (no other editors' MCP configurations), got"
                + " [\"cursor\"]; write \"imports\": []"),
        Arguments.of(
            "{\"mcpServers\": {" + SERVER + "}, \"enabled_tools\": \"everything.echo\"}",
            "mcporter.json: $.enabled_tools: expected an array of \"server.tool\" names, got"
                + " \"everything.echo\"; write e.g. \"enabled_tools\": [\"everything.echo\"]"),
        Arguments.of(
            "{\"mcpServers\": {" + SERVER + "}, \"enabled_tools\": [7]}",
            "mcporter.json: $.enabled_tools[0]: expected a \"server.tool\" string, got 7; write"
                + " the exact name, e.g. \"everything.echo\""),
        Arguments.of(
            "{\"mcpServers\": {"
                + SERVER
                + "}, \"enabled_tools\": [\"everything.echo\", \"echo\"]}",
            "mcporter.json: $.enabled_tools[1]: \"echo\" is not an exact \"server.tool\" name (no"
                + " spaces or wildcards); write e.g. \"everything.echo\""),
        Arguments.of(
            "{\"mcpServers\": {" + SERVER + "}, \"enabled_tools\": [\"everything.*\"]}",
            "mcporter.json: $.enabled_tools[0]: \"everything.*\" is not an exact \"server.tool\""
                + " name (no spaces or wildcards); write e.g. \"everything.echo\""),
        Arguments.of(
            "{\"mcpServers\": {" + SERVER + "}, \"enabled_tools\": [\"nothing.echo\"]}",
            "mcporter.json: $.enabled_tools[0]: \"nothing.echo\" names server \"nothing\", which"
                + " is not in $.mcpServers [everything]; add the server or remove the tool"),
        Arguments.of(
            "{\"mcpServers\": {"
                + SERVER
                + "}, \"enabled_tools\": [\"everything.echo\","
                + " \"everything.echo\"]}",
            "mcporter.json: $.enabled_tools[1]: \"everything.echo\" is listed twice; remove the"
                + " duplicate"),
        Arguments.of(
            "{\"mcpServers\": {}, \"timeout_sec\": 301}",
            "mcporter.json: $.timeout_sec: expected a whole number of seconds from 1 to 300, got"
                + " 301; set it in that range or remove it for the default 30"),
        Arguments.of(
            "{\"mcpServers\": {}, \"timeout_sec\": \"30\"}",
            "mcporter.json: $.timeout_sec: expected a whole number of seconds from 1 to 300, got"
                + " \"30\"; set it in that range or remove it for the default 30"),
        Arguments.of(
            "{\"mcpServers\": {}, \"timeout_sec\": 2.5}",
            "mcporter.json: $.timeout_sec: expected a whole number of seconds from 1 to 300, got"
                + " 2.5; set it in that range or remove it for the default 30"),
        Arguments.of(
            "{\"mcpServers\": {}, \"max_response_bytes\": 1023}",
            "mcporter.json: $.max_response_bytes: expected a whole number of bytes from 1024 to"
                + " 1048576, got 1023; set it in that range or remove it for the default 131072"),
        Arguments.of(
            "{\"mcpServers\": {}, \"max_response_bytes\": 1048577}",
            "mcporter.json: $.max_response_bytes: expected a whole number of bytes from 1024 to"
                + " 1048576, got 1048577; set it in that range or remove it for the default"
                + " 131072"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void parse_invalid_givesOneClearLine(String json, String message) {
    assertThatThrownBy(() -> McpConfig.parse(json, "mcporter.json"))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ToolCallException.Kind.CONFIG_INVALID);
              assertThat(e.tool()).isEqualTo("*");
            })
        .hasMessage(message);
    assertThat(message).doesNotContain("\n");
  }

  @Test
  void parse_syntaxError_givesLineAndColumn() {
    assertThatThrownBy(() -> McpConfig.parse("{\n  \"mcpServers\": {\n}", "mcporter.json"))
        .isInstanceOf(ToolCallException.class)
        .hasMessage(
            "mcporter.json: not valid JSON (Unexpected end-of-input: expected close marker for"
                + " Object at line 3, column 2); fix the syntax");
  }

  @Test
  void parse_duplicateKey_isRefused() {
    assertThatThrownBy(
            () -> McpConfig.parse("{\"mcpServers\": {}, \"mcpServers\": {}}", "mcporter.json"))
        .hasMessage(
            "mcporter.json: not valid JSON (Duplicate Object property \"mcpServers\" at line 1,"
                + " column 32); fix the syntax");
  }

  @Test
  void serverEnv_resolvesHostReferencesOnly() {
    McpServer server =
        new McpServer(
            "s",
            "node",
            List.of(),
            Map.of("A", "${TOKEN}", "B", "${MISSING:-dflt}", "C", "$env:TOKEN/x", "D", "plain"),
            null,
            null);

    assertThat(ServerEnv.referencedNames(server)).containsExactly("MISSING", "TOKEN");
    assertThat(ServerEnv.hostValues(server, Map.of("TOKEN", "t0k3n", "OTHER", "o")))
        .containsExactly("t0k3n");
    assertThat(ServerEnv.redact("failed: t0k3n rejected", Set.of("t0k3n")))
        .isEqualTo("failed: *** rejected");
    assertThat(ServerEnv.resolve(server, Map.of("TOKEN", "t0k", "OTHER", "o")))
        .containsOnly(
            Map.entry("A", "t0k"),
            Map.entry("B", "dflt"),
            Map.entry("C", "t0k/x"),
            Map.entry("D", "plain"));
  }

  @Test
  void allowNetwork_isOffUnlessTheServerSaysSo_andAnHttpServerNeedsIt() {
    McpConfig config =
        McpConfig.parse(
            "{\"mcpServers\": {\"local\": {\"command\": \"node\"},"
                + " \"fetcher\": {\"command\": \"npx\", \"allow_network\": true},"
                + " \"remote\": {\"baseUrl\": \"http://127.0.0.1:9/mcp\"}}}",
            "mcporter.json");

    assertThat(config.server("local").orElseThrow().needsNetwork()).isFalse();
    assertThat(config.server("fetcher").orElseThrow().allowNetwork()).isTrue();
    assertThat(config.server("fetcher").orElseThrow().needsNetwork()).isTrue();
    assertThat(config.server("remote").orElseThrow().allowNetwork()).isFalse();
    assertThat(config.server("remote").orElseThrow().needsNetwork()).isTrue();
  }
}
