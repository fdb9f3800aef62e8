package dev.localexec.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.spi.TaskPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TaskPluginDiscoveryTest {

  static Stream<TaskPlugin> plugins() {
    return ServiceLoader.load(TaskPlugin.class).stream().map(ServiceLoader.Provider::get);
  }

  @Test
  void serviceLoader_findsTheFourShippedTasks() {
    assertThat(plugins().map(TaskPlugin::id))
        .containsExactly(
            "repo_index_task", "test_runner_task", "doc_compactor_task", "mcp_call_task");
  }

  @ParameterizedTest
  @MethodSource("plugins")
  void plugin_hasAValidIdAndTheCurrentApiVersion(TaskPlugin plugin) {
    assertThat(plugin.id()).matches("^[a-z][a-z0-9_]*$");
    assertThat(plugin.apiVersion()).isEqualTo(TaskPlugin.API_VERSION);
  }

  @ParameterizedTest
  @MethodSource("plugins")
  void payloadSchema_isTheShippedResourceLoadedOnce(TaskPlugin plugin) throws IOException {
    String resource = "/dev/localexec/tasks/schemas/" + plugin.id() + ".schema.json";
    String text;
    try (InputStream in = TaskPluginDiscoveryTest.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(plugin.payloadSchema()).isEqualTo(text).isSameAs(plugin.payloadSchema());
  }

  @ParameterizedTest
  @MethodSource("plugins")
  void payloadSchema_isAClosedDraft202012ObjectSchema(TaskPlugin plugin) {
    String schema = plugin.payloadSchema();

    assertThat(schema.strip()).startsWith("{").endsWith("}");
    assertThat(balancedOutsideStrings(schema)).as("brackets balanced").isTrue();
    assertThat(schema)
        .contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"")
        .contains("\"additionalProperties\": false")
        .doesNotContain("\"$id\"")
        .doesNotContain("\"additionalProperties\": true");
    // A tool's arguments are the one open object: the tool's own input schema decides them.
    int open = plugin.id().equals("mcp_call_task") ? 1 : 0;
    assertThat(count(schema, "\"type\": \"object\""))
        .as("every object is closed")
        .isEqualTo(count(schema, "\"additionalProperties\": false") + open);
  }

  @ParameterizedTest
  @MethodSource("plugins")
  void payloadSchema_requiresTheSpecsFields(TaskPlugin plugin) {
    List<String> required =
        switch (plugin.id()) {
          case "repo_index_task" -> List.of("include_globs", "max_files", "max_file_bytes");
          case "test_runner_task" -> List.of("commands", "timeout_sec");
          case "mcp_call_task" -> List.of("calls");
          default -> List.of("inputs", "max_input_bytes", "max_output_bytes");
        };
    String expected = "\"required\": [\"" + String.join("\", \"", required) + "\"]";

    assertThat(plugin.payloadSchema()).contains(expected);
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static boolean balancedOutsideStrings(String json) {
    StringBuilder stack = new StringBuilder();
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        stack.append(c == '{' ? '}' : ']');
      } else if (c == '}' || c == ']') {
        if (stack.length() == 0 || stack.charAt(stack.length() - 1) != c) {
          return false;
        }
        stack.setLength(stack.length() - 1);
      }
    }
    return stack.length() == 0 && !inString;
  }
}
