package dev.localexec.tasks.doccompact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.localexec.api.spi.TaskResult;
import dev.localexec.tasks.testing.FakeTaskContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compacts this repository's own markdown (README.md first) within a budget, twice. */
class RepoDocsCompactionTest {

  private static final Set<String> NOT_IN_A_CLONE =
      Set.of("target", "workspace", "node_modules", ".git", ".idea", ".mvn");

  private static Path repo;
  private static List<String> inputs;

  @BeforeAll
  static void findDocs() throws IOException {
    repo = Path.of(System.getProperty("user.dir")).getParent();
    assumeTrue(repo != null && Files.isRegularFile(repo.resolve("README.md")), "no README.md");
    List<String> others;
    try (Stream<Path> files = Files.walk(repo)) {
      others =
          files
              .filter(p -> !excluded(repo.relativize(p)))
              .filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p))
              .map(p -> repo.relativize(p).toString().replace('\\', '/'))
              .filter(p -> !p.equals("README.md"))
              .sorted()
              .toList();
    }
    inputs = new ArrayList<>();
    inputs.add("README.md");
    inputs.addAll(others);
  }

  private static boolean excluded(Path relative) {
    for (Path part : relative) {
      String name = part.toString();
      if (NOT_IN_A_CLONE.contains(name) || (name.startsWith(".") && name.length() > 1)) {
        return true;
      }
    }
    return false;
  }

  @ParameterizedTest(name = "max_output_bytes {0}")
  @ValueSource(ints = {4096, 16384})
  void compact_ownDocs_fitsKeepsHeadingsInOrderAndIsByteIdenticalAcrossRuns(int budget) {
    TaskResult first = run(budget);
    TaskResult second = run(budget);

    String doc = first.summaryMarkdown();
    assertThat(second.summaryMarkdown()).isEqualTo(doc);
    assertThat(second.result()).isEqualTo(first.result());
    assertThat(doc.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(budget);
    assertThat(first.result())
        .containsEntry("output_bytes", doc.getBytes(StandardCharsets.UTF_8).length);

    List<String> readme = headings(repo.resolve("README.md"));
    assertThat(readme).isNotEmpty();
    int at = 0;
    int found = 0;
    List<String> docLines = List.of(doc.split("\n", -1));
    for (String heading : readme) {
      int index = docLines.subList(at, docLines.size()).indexOf(heading);
      if (index >= 0) {
        at += index + 1;
        found++;
      }
    }
    if (!doc.endsWith("\n" + DocCompactorTask.TRUNCATED_MARKER_TEXT + "\n")) {
      assertThat(first.result().get("headings_kept"))
          .isEqualTo(first.result().get("headings_total"));
      assertThat(found).as("README headings present, in order").isEqualTo(readme.size());
    }
    if (budget == 16384) {
      assertThat(found).as("README headings present, in order").isEqualTo(readme.size());
      assertThat(doc).doesNotContain(DocCompactorTask.TRUNCATED_MARKER_TEXT);
    }
  }

  private static TaskResult run(int budget) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("inputs", inputs);
    payload.put("max_input_bytes", 10_485_760);
    payload.put("max_output_bytes", budget);
    payload.put("title", "local-exec docs");
    return new DocCompactorTask()
        .run(new FakeTaskContext(repo, FakeTaskContext.job(DocCompactorTask.ID, payload)));
  }

  /** The ATX heading lines of a markdown file, outside fenced code. */
  private static List<String> headings(Path file) {
    List<String> out = new ArrayList<>();
    boolean fenced = false;
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith("```") || line.startsWith("~~~")) {
          fenced = !fenced;
        } else if (!fenced && line.matches("#{1,6} .*")) {
          out.add(line.stripTrailing());
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }
}
