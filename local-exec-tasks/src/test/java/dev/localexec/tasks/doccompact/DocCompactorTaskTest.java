package dev.localexec.tasks.doccompact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.tasks.testing.FakeTaskContext;
import dev.localexec.tasks.testing.RecordingEvidence.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocCompactorTaskTest {

  /** The original's {@code config/mcporter.json}: 216 bytes. */
  private static final String MCPORTER_JSON =
      "{\n"
          + "  \"enabled_tools\": [],\n"
          + "  \"onboarding_example_read_only_tool\": \"repo.search\",\n"
          + "  \"timeout_sec\": 30,\n"
          + "  \"max_response_bytes\": 131072,\n"
          + "  \"notes\": \"Deny-by-default. Explicitly opt-in tool names before enabling calls.\"\n"
          + "}\n";

  @TempDir Path root;

  private final DocCompactorTask task = new DocCompactorTask();

  @Test
  void run_theOriginalFixtureJob_matchesItsResultEvidenceAndSummary() throws IOException {
    write("config/mcporter.json", MCPORTER_JSON);
    FakeTaskContext ctx =
        context(
            payload(
                List.of("config/mcporter.json", "../etc/passwd", "/etc/passwd", "missing.txt"),
                4096,
                300,
                "Compacted"));

    TaskResult result = task.run(ctx);

    assertThat(MCPORTER_JSON.getBytes(StandardCharsets.UTF_8)).hasSize(216);
    assertThat(result.result())
        .containsExactly(
            Map.entry("inputs_considered", 4),
            Map.entry("bytes_read", 216L),
            Map.entry("output_bytes", 253),
            Map.entry("ratio", 1.171),
            Map.entry("headings_kept", 0),
            Map.entry("headings_total", 0),
            Map.entry("duplicates_dropped", 0),
            Map.entry("code_blocks_shortened", 0),
            Map.entry("lists_shortened", 0));
    assertThat(ctx.evidence().events())
        .containsExactly(
            rejected("../etc/passwd", "path_rejected:parent_ref"),
            rejected("/etc/passwd", "path_rejected:absolute"),
            rejected("missing.txt", "path_rejected:not_found"),
            new Event(
                "model_request_summary",
                map(
                    "invoked",
                    false,
                    "reason",
                    "doc_compactor_uses_local_compaction",
                    "input_count",
                    4,
                    "max_input_bytes",
                    4096)));
    assertThat(result.summaryMarkdown())
        .isEqualTo("# Compacted\n\n## config/mcporter.json\n" + MCPORTER_JSON);
    assertThat(ctx.budget().outputBytesUsed()).isEqualTo(253);
  }

  @Test
  void run_folderAndSymlinkOut_areRejectedAndTheJobCompletes(@TempDir Path outside)
      throws IOException {
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(outside.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(root.resolve("escape.txt"), outside.resolve("secret.txt"));
    write("a.md", "alpha\n");
    FakeTaskContext ctx = context(payload(List.of("docs", "escape.txt", "a.md"), 4096, 1024, null));

    TaskResult result = task.run(ctx);

    assertThat(ctx.evidence().ofKind("path_rejected"))
        .containsExactly(
            rejected("docs", "path_rejected:not_a_file"),
            rejected("escape.txt", "path_rejected:outside_repo"));
    assertThat(result.summaryMarkdown()).isEqualTo("# Compacted Docs\n\n## a.md\nalpha\n");
    assertThat(result.result())
        .containsEntry("inputs_considered", 3)
        .containsEntry("bytes_read", 6L);
  }

  @Test
  void run_compactsWhitespaceDeterministically() throws IOException {
    write("notes.md", "\n\n  # Notes   \r\n\tindented\t\n\n\n\nafter gap  \n   \n\n");
    write("b.txt", "b\n");
    FakeTaskContext ctx = context(payload(List.of("notes.md", "b.txt"), 4096, 1024, "T"));

    TaskResult result = task.run(ctx);

    assertThat(result.summaryMarkdown())
        .isEqualTo("# T\n\n## notes.md\n  # Notes\n\n\tindented\n\nafter gap\n## b.txt\nb\n");
    assertThat(result.result())
        .containsEntry("headings_kept", 1)
        .containsEntry("headings_total", 1);
  }

  @Test
  void run_readsAtMostMaxInputBytesAcrossInputs() throws IOException {
    write("one.txt", "1".repeat(100));
    write("two.txt", "2".repeat(100));
    write("three.txt", "3".repeat(100));
    FakeTaskContext ctx =
        context(payload(List.of("one.txt", "two.txt", "three.txt"), 150, 4096, "T"));

    TaskResult result = task.run(ctx);

    assertThat(result.result()).containsEntry("bytes_read", 150L);
    assertThat(result.summaryMarkdown())
        .isEqualTo(
            "# T\n\n## one.txt\n" + "1".repeat(100) + "\n## two.txt\n" + "2".repeat(50) + "\n");
    assertThat(ctx.evidence().ofKind("input_skipped"))
        .containsExactly(
            new Event(
                "input_skipped", map("path", "three.txt", "reason", "max_input_bytes_reached")));
  }

  @Test
  void run_longParagraphOverTheBudget_isCutToItsFirstCharactersAtACharacterBoundary()
      throws IOException {
    write("a.md", "# H\n\n" + "é".repeat(300) + "\n");
    FakeTaskContext ctx = context(payload(List.of("a.md"), 4096, 500, "Tx"));

    TaskResult result = task.run(ctx);

    String expected = "# Tx\n\n## a.md\n# H\n\n" + "é".repeat(200) + "…\n";
    assertThat(result.summaryMarkdown()).isEqualTo(expected);
    assertThat(result.result())
        .containsEntry("output_bytes", 423)
        .containsEntry("ratio", 0.698)
        .containsEntry("headings_kept", 1);
  }

  @Test
  void run_inputHeadingsThatCannotFit_areCutAtACharacterBoundaryWithTheMarker() throws IOException {
    String name = "d/" + "é".repeat(60) + ".md";
    write(name, "# H\n\ntext\n");
    FakeTaskContext ctx = context(payload(List.of(name), 4096, 128, "Tx"));

    TaskResult result = task.run(ctx);

    // 11 header bytes + 52 two-byte characters + 13 marker bytes
    String expected = "# Tx\n\n## d/" + "é".repeat(52) + "\n[truncated]\n";
    assertThat(result.summaryMarkdown()).isEqualTo(expected);
    assertThat(result.result())
        .containsEntry("output_bytes", 128)
        .containsEntry("headings_kept", 0);
  }

  @Test
  void run_documentPastTheOutputBudget_failsTheJob() throws IOException {
    write("big.md", "x".repeat(2000));
    FakeTaskContext ctx =
        new FakeTaskContext(
            root,
            FakeTaskContext.job(
                DocCompactorTask.ID,
                payload(List.of("big.md"), 4096, 4096, "T"),
                Budget.of(30, 0, 1024, 1),
                ToolPolicy.denyAll()));

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(BudgetExceededException.class)
        .extracting(e -> ((BudgetExceededException) e).code())
        .isEqualTo("max_output_bytes exceeded");
  }

  @Test
  void run_cutInsideACharacterOnInput_dropsThePartialCharacter() throws IOException {
    write("a.md", "a".repeat(127) + "é");
    FakeTaskContext ctx = context(payload(List.of("a.md"), 128, 1024, "T"));

    TaskResult result = task.run(ctx);

    assertThat(result.result()).containsEntry("bytes_read", 128L);
    assertThat(result.summaryMarkdown()).isEqualTo("# T\n\n## a.md\n" + "a".repeat(127) + "\n");
  }

  private FakeTaskContext context(Map<String, Object> payload) {
    return new FakeTaskContext(root, FakeTaskContext.job(DocCompactorTask.ID, payload));
  }

  private static Map<String, Object> payload(
      List<String> inputs, int maxIn, int maxOut, String title) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("inputs", inputs);
    payload.put("max_input_bytes", maxIn);
    payload.put("max_output_bytes", maxOut);
    if (title != null) {
      payload.put("title", title);
    }
    return payload;
  }

  private static Event rejected(String path, String reason) {
    return new Event("path_rejected", map("path", path, "reason", reason));
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private void write(String rel, String content) throws IOException {
    Path file = root.resolve(rel);
    Files.createDirectories(file.getParent());
    Files.write(file, content.getBytes(StandardCharsets.UTF_8));
  }
}
