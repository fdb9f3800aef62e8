package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.spi.TaskPlugin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job files in {@code examples/jobs} (the ones the README points to) are valid documents for
 * the plane's validator, and there is exactly one for each task type that local-exec-tasks ships.
 */
class ExampleJobsTest {
  @TempDir Path root;
  Cli cli;

  @BeforeEach
  void setUp() {
    Fixtures.seedRoot(root);
    cli = new Cli(root);
  }

  static Path examplesJobs() {
    Path p = Path.of(System.getProperty("user.dir")).resolve("../examples/jobs").normalize();
    assertThat(p).as("the example jobs folder").isDirectory();
    return p;
  }

  static List<Path> exampleFiles() throws IOException {
    try (Stream<Path> s = Files.list(examplesJobs())) {
      return s.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }

  static TreeSet<String> shippedTaskTypes() {
    return ServiceLoader.load(TaskPlugin.class).stream()
        .filter(p -> p.type().getPackageName().startsWith("dev.localexec.tasks."))
        .map(p -> p.get().id())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyExampleJob_isValid() throws Exception {
    List<Path> files = exampleFiles();
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      Cli.Result r = cli.run("validate", f.toString());

      assertThat(r.code()).as(f + ": " + r.err() + r.out()).isZero();
      assertThat(r.err()).as(f.toString()).isEmpty();
      assertThat(r.lastJson()).as(f.toString()).containsEntry("status", "valid");
    }
  }

  @Test
  void eachShippedTaskType_hasExactlyOneExampleJob_namedAfterIt() throws Exception {
    Map<String, List<String>> filesByType = new TreeMap<>();
    for (Path f : exampleFiles()) {
      Cli.Result r = cli.run("validate", f.toString());
      assertThat(r.code()).as(f + ": " + r.err()).isZero();
      String type = (String) r.lastJson().get("job_type");
      filesByType.computeIfAbsent(type, t -> new ArrayList<>()).add(f.getFileName().toString());
    }

    assertThat(shippedTaskTypes())
        .containsExactly(
            "doc_compactor_task", "mcp_call_task", "repo_index_task", "test_runner_task");
    assertThat(filesByType.keySet()).containsExactlyElementsOf(shippedTaskTypes());
    filesByType.forEach(
        (type, names) -> assertThat(names).as(type).containsExactly(type + ".json"));
  }
}
