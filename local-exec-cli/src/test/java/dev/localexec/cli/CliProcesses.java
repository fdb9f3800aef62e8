package dev.localexec.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the command line (and other programs) as processes of their own for a test, and reaps
 * them: after each test every process it started, and every descendant still attached to it, is
 * resumed if stopped, killed and waited for, so no test leaves a process behind. Register it as a
 * field: {@code @RegisterExtension final CliProcesses processes = new CliProcesses();}.
 */
final class CliProcesses implements AfterEachCallback {
  /** How long a reaped process may take to go after it was killed. */
  private static final Duration REAP_WAIT = Duration.ofSeconds(10);

  private final List<Process> started = new ArrayList<>();
  private Path io;

  /** How a process ended when {@link Launch#run} waited for it. */
  record Finished(int code, String out, String err, Duration took) {
    /** Standard output split into lines, none for an empty output. */
    List<String> lines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    @Override
    public String toString() {
      return "exit " + code + "\nstdout: " + cut(out) + "\nstderr: " + cut(err);
    }

    private static String cut(String s) {
      return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
    }
  }

  /** A process to start: its command, folder, environment and where its output goes. */
  final class Launch {
    private final List<String> command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path dir;
    private ProcessBuilder.Redirect out;
    private ProcessBuilder.Redirect err;
    private Path outFile;
    private Path errFile;

    private Launch(List<String> command) {
      this.command = List.copyOf(command);
    }

    /** Runs in {@code folder} (the default: the test JVM's working folder). */
    Launch in(Path folder) {
      this.dir = folder;
      return this;
    }

    /** Sets a variable of the inherited environment; {@code null} removes it. */
    Launch env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** Sets each variable of {@code variables}; a {@code null} value removes it. */
    Launch env(Map<String, String> variables) {
      variables.forEach(env::put);
      return this;
    }

    /** Writes standard output to {@code file}, replacing it. */
    Launch stdout(Path file) {
      this.out = ProcessBuilder.Redirect.to(file.toFile());
      this.outFile = file;
      return this;
    }

    /** Writes standard error to {@code file}, replacing it. */
    Launch stderr(Path file) {
      this.err = ProcessBuilder.Redirect.to(file.toFile());
      this.errFile = file;
      return this;
    }

    /** Appends standard error to {@code file}. */
    Launch stderrAppend(Path file) {
      this.err = ProcessBuilder.Redirect.appendTo(file.toFile());
      this.errFile = file;
      return this;
    }

    /**
     * Starts the process with standard input empty; output not sent to a file is discarded. The
     * process is reaped after the test.
     */
    Process start() throws IOException {
      return start(
          out == null ? ProcessBuilder.Redirect.DISCARD : out,
          err == null ? ProcessBuilder.Redirect.DISCARD : err);
    }

    private Process start(ProcessBuilder.Redirect stdout, ProcessBuilder.Redirect stderr)
        throws IOException {
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(stdout)
              .redirectError(stderr);
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      env.forEach(
          (k, v) -> {
            if (v == null) {
              pb.environment().remove(k);
            } else {
              pb.environment().put(k, v);
            }
          });
      Process p = pb.start();
      synchronized (started) {
        started.add(p);
      }
      return p;
    }

    /**
     * Starts the process and waits for it; output not sent to a file is kept in a file of the
     * extension's own. A process still running after {@code timeout} is reaped and the test fails.
     */
    Finished run(Duration timeout) throws IOException, InterruptedException {
      int n;
      synchronized (started) {
        n = started.size() + 1;
      }
      Path o = outFile != null ? outFile : ioFolder().resolve("p" + n + ".out");
      Path e = errFile != null ? errFile : ioFolder().resolve("p" + n + ".err");
      Instant t0 = Instant.now();
      Process p =
          start(
              out != null ? out : ProcessBuilder.Redirect.to(o.toFile()),
              err != null ? err : ProcessBuilder.Redirect.to(e.toFile()));
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        reap(p);
        throw new AssertionError("did not finish in " + timeout.toSeconds() + " s: " + command);
      }
      Duration took = Duration.between(t0, Instant.now());
      return new Finished(p.exitValue(), read(o), read(e), took);
    }
  }

  /** {@code java -cp CLASSPATH LocalExecCli --repo-root ROOT args...}. */
  Launch cli(Path root, String... args) {
    List<String> a = new ArrayList<>(List.of("--repo-root", root.toString()));
    a.addAll(List.of(args));
    return java(LocalExecCli.class.getName(), a.toArray(String[]::new));
  }

  /** A JVM on the test's class path running {@code mainClass}. */
  Launch java(String mainClass, String... args) {
    return program(javaCommand(List.of(), mainClass, args));
  }

  /** The command of a JVM on the test's class path, behind {@code prefix} (e.g. a sandbox). */
  static List<String> javaCommand(List<String> prefix, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Any program. */
  Launch program(List<String> argv) {
    return new Launch(argv);
  }

  /** The processes started for the current test, in order. */
  List<Process> started() {
    synchronized (started) {
      return List.copyOf(started);
    }
  }

  /**
   * Stops {@code p} and its descendants now: resumes them (a test may have stopped them), kills
   * them and waits for them.
   */
  void reap(Process p) throws InterruptedException {
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    tree.add(p.toHandle());
    for (ProcessHandle h : tree) {
      signal(h.pid(), "CONT");
    }
    for (ProcessHandle h : tree) {
      h.destroyForcibly();
    }
    long deadline = System.nanoTime() + REAP_WAIT.toNanos();
    for (ProcessHandle h : tree) {
      while (h.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    p.waitFor(REAP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends {@code SIG<name>} to a process (e.g. {@code STOP}, {@code CONT}, {@code TERM}). */
  static void signal(long pid, String name) throws InterruptedException {
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(pid))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    List<Process> all;
    synchronized (started) {
      all = List.copyOf(started);
      started.clear();
    }
    for (Process p : all) {
      if (p.isAlive() || p.descendants().findAny().isPresent()) {
        reap(p);
      }
    }
    if (io != null) {
      try (var files = Files.walk(io)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
      io = null;
    }
  }

  private Path ioFolder() throws IOException {
    if (io == null) {
      io = Files.createTempDirectory("cli-processes");
    }
    return io;
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }
}
