package dev.localexec.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example plug-in, as a third party ships it: the CLI runs in its own JVM with the shipped
 * modules only; a {@code word_count_task} job is refused as an unknown type until the plug-in's
 * built jar is dropped into the plug-in folder (or onto the class path), then it runs.
 */
class PluginJarCliIT {
  private static final String JOB =
      "{\"job_id\": \"job-wordcount0001\", \"job_type\": \"word_count_task\","
          + " \"created_at_utc\": \"2026-11-24T00:00:00.000000Z\","
          + " \"payload\": {\"paths\": [\"notes.txt\"], \"min_length\": 3},"
          + " \"budgets\": {\"max_wall_time_sec\": 60, \"max_tool_calls\": 0,"
          + " \"max_output_bytes\": 65536, \"max_concurrency_slots\": 1},"
          + " \"tool_policy\": {\"allow_network\": false, \"allow_subprocess\": false,"
          + " \"allowed_tools\": []}}";

  @TempDir Path root;
  @TempDir Path work;

  private Path jobFile;

  @BeforeEach
  void prepare() throws IOException {
    Files.writeString(root.resolve("notes.txt"), "the plane runs the job; the job is done\n");
    jobFile = work.resolve("job.json");
    Files.writeString(jobFile, JOB);
  }

  @Test
  void withoutTheJar_enqueueRefusesTheUnknownTypeListingTheKnownOnes() throws Exception {
    Run run =
        cli(List.of(), "--repo-root", root.toString(), "enqueue", "--job-file", jobFile.toString());

    assertThat(run.exit).as(run.toString()).isEqualTo(3);
    assertThat(run.err)
        .contains(
            "$.job_type: unknown job type 'word_count_task'; known types: doc_compactor_task, mcp_call_task,"
                + " repo_index_task, test_runner_task");
  }

  @Test
  void aJarUnderTheRepoRoot_isNeverLoaded() throws Exception {
    Path plugins = Files.createDirectories(root.resolve("workspace/local_exec/plugins"));
    Files.copy(builtJar(), plugins.resolve("word-count.jar"), StandardCopyOption.REPLACE_EXISTING);

    Run run =
        cli(List.of(), "--repo-root", root.toString(), "enqueue", "--job-file", jobFile.toString());

    assertThat(run.exit).as(run.toString()).isEqualTo(3);
    assertThat(run.err).contains("$.job_type: unknown job type 'word_count_task'");
  }

  @Test
  void aPluginsFolderInsideTheRepoRoot_isRefused() throws Exception {
    Path plugins = Files.createDirectories(root.resolve("plugins"));
    Files.copy(builtJar(), plugins.resolve("word-count.jar"), StandardCopyOption.REPLACE_EXISTING);

    Run run =
        cli(List.of(), "--repo-root", root.toString(), "--plugins", plugins.toString(), "status");

    assertThat(run.exit).as(run.toString()).isEqualTo(2);
    assertThat(run.err)
        .contains(
            "--plugins "
                + plugins
                + ": the folder is inside the repo root "
                + root.toRealPath()
                + ", whose content jobs and the repository control");
  }

  @Test
  void aPluginsFolderOthersMayWrite_isRefused() throws Exception {
    Path plugins = Files.createDirectories(work.resolve("plugins"));
    Path jar = plugins.resolve("word-count.jar");
    Files.copy(builtJar(), jar, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(
        jar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));

    Run run =
        cli(List.of(), "--repo-root", root.toString(), "--plugins", plugins.toString(), "status");

    assertThat(run.exit).as(run.toString()).isEqualTo(2);
    assertThat(run.err)
        .contains(
            jar.toRealPath() + " is writable by its group or others (mode 666); chmod go-w it");
  }

  @Test
  void withTheJarInAPluginsOption_theJobRuns() throws Exception {
    Path plugins = Files.createDirectories(work.resolve("plugins"));
    Files.copy(builtJar(), plugins.resolve("word-count.jar"), StandardCopyOption.REPLACE_EXISTING);

    assertEnqueuesAndCompletes(
        List.of(), "--repo-root", root.toString(), "--plugins", plugins.toString());
  }

  @Test
  void withTheJarOnTheClassPath_theJobRuns() throws Exception {
    assertEnqueuesAndCompletes(List.of(builtJar()), "--repo-root", root.toString());
  }

  private void assertEnqueuesAndCompletes(List<Path> extra, String... global) throws Exception {
    List<String> enqueue = new ArrayList<>(List.of(global));
    enqueue.addAll(List.of("--sandbox", "none", "enqueue", "--job-file", jobFile.toString()));
    Run queued = cli(extra, enqueue.toArray(String[]::new));
    assertThat(queued.exit).as(queued.toString()).isZero();
    assertThat(queued.out)
        .contains("\"status\": \"enqueued\"", "\"job_id\": \"job-wordcount0001\"");

    List<String> once = new ArrayList<>(List.of(global));
    once.addAll(List.of("--sandbox", "none", "worker", "--once"));
    Run ran = cli(extra, once.toArray(String[]::new));
    assertThat(ran.exit).as(ran.toString()).isZero();
    assertThat(ran.out)
        .contains("\"status\": \"complete\"", "\"words_total\": 8", "\"notes.txt\": 8");
    assertThat(root.resolve("workspace/local_exec/evidence/job-wordcount0001.md"))
        .content(StandardCharsets.UTF_8)
        .contains("# Word Count Task", "- words_total: 8");
  }

  /**
   * The jar {@code package} built for this module, e.g. {@code local-exec-example-plugin-*.jar}.
   */
  private static Path builtJar() throws IOException {
    Path target = Path.of("target").toAbsolutePath();
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(target, "local-exec-example-plugin-*.jar")) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (!name.endsWith("-tests.jar") && !name.endsWith("-sources.jar")) {
          return p;
        }
      }
    }
    throw new IllegalStateException("no plug-in jar in " + target + "; run mvn package first");
  }

  /** The test class path without this module's own classes or jar, plus {@code extra}. */
  private static String classPath(List<Path> extra) throws Exception {
    Path own =
        Path.of(WordCountTask.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toAbsolutePath()
            .normalize();
    List<String> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.isEmpty()) {
        continue;
      }
      Path p = Path.of(e).toAbsolutePath().normalize();
      if (p.equals(own) || p.getFileName().toString().startsWith("local-exec-example-plugin")) {
        continue;
      }
      entries.add(e);
    }
    for (Path p : extra) {
      entries.add(p.toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  private Run cli(List<Path> extra, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(classPath(extra));
    cmd.add("dev.localexec.cli.LocalExecCli");
    cmd.addAll(List.of(args));
    Path out = work.resolve("out.txt");
    Path err = work.resolve("err.txt");
    Process p =
        new ProcessBuilder(cmd)
            .directory(work.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("the CLI did not finish in 60 s: " + cmd);
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private record Run(int exit, String out, String err) {}
}
