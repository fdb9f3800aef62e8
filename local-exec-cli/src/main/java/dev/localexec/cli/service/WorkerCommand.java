package dev.localexec.cli.service;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The command line of a background worker loop for one repo root: {@code --repo-root ROOT [global
 * flags] worker --loop [worker flags] --stop-grace-sec N}, run either with the JVM and class path
 * of the running CLI, or through {@code bin/local-exec} of a local-exec checkout.
 *
 * @param root the repo root the worker serves (made absolute)
 * @param workerId the worker's id (its events go to {@code evidence/worker_<id>.jsonl})
 * @param globalFlags flags before the command ({@code --sandbox X}, {@code --allow-shells}, ...),
 *     without {@code --repo-root}
 * @param workerFlags flags of {@code worker --loop} ({@code --slots N}, ...), without {@code
 *     --stop-grace-sec}
 * @param stopGraceSec the grace period running jobs get when the worker receives SIGTERM
 */
public record WorkerCommand(
    Path root,
    String workerId,
    List<String> globalFlags,
    List<String> workerFlags,
    int stopGraceSec) {

  /** The CLI's main class; a process is one of our workers only if its command line names it. */
  public static final String MAIN_CLASS = "dev.localexec.cli.LocalExecCli";

  /** Validates and copies. */
  public WorkerCommand {
    root = root.toAbsolutePath().normalize();
    Objects.requireNonNull(workerId, "workerId");
    globalFlags = List.copyOf(globalFlags);
    workerFlags = List.copyOf(workerFlags);
    if (stopGraceSec < 0) {
      throw new IllegalArgumentException("stop grace must be zero or more, got " + stopGraceSec);
    }
  }

  /** The arguments after the program: {@code --repo-root ROOT ... worker --loop ...}. */
  public List<String> cliArguments() {
    List<String> a = new ArrayList<>();
    a.add("--repo-root");
    a.add(root.toString());
    a.addAll(globalFlags);
    a.add("worker");
    a.add("--loop");
    a.addAll(workerFlags);
    a.add("--stop-grace-sec");
    a.add(Integer.toString(stopGraceSec));
    return a;
  }

  /**
   * The worker run by this JVM's {@code java} with the class path the CLI runs with (entries made
   * absolute), and the options of {@code LOCAL_EXEC_JAVA_OPTS} (split at whitespace, as {@code
   * bin/local-exec} does).
   */
  public List<String> javaArgv(Map<String, String> env) {
    List<String> a = new ArrayList<>();
    a.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String opts = env.getOrDefault("LOCAL_EXEC_JAVA_OPTS", "").strip();
    if (!opts.isEmpty()) {
      a.addAll(List.of(opts.split("\\s+")));
    }
    a.add("-cp");
    a.add(absoluteClassPath());
    a.add(MAIN_CLASS);
    a.addAll(cliArguments());
    return a;
  }

  /**
   * The worker as a service manager should start it: {@code $LOCAL_EXEC_HOME/bin/local-exec ...}
   * when {@code LOCAL_EXEC_HOME} (set by {@code bin/local-exec}) names a checkout with an
   * executable {@code bin/local-exec}, else {@link #javaArgv}.
   */
  public List<String> serviceArgv(Map<String, String> env) {
    String home = env.get("LOCAL_EXEC_HOME");
    if (home != null && !home.isBlank()) {
      Path launcher = Path.of(home).toAbsolutePath().normalize().resolve("bin/local-exec");
      if (Files.isExecutable(launcher)) {
        List<String> a = new ArrayList<>();
        a.add(launcher.toString());
        a.addAll(cliArguments());
        return a;
      }
    }
    return javaArgv(env);
  }

  private static String absoluteClassPath() {
    List<String> out = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.isEmpty()) {
        continue;
      }
      boolean wildcard = e.equals("*") || e.endsWith(File.separator + "*");
      if (wildcard) {
        String dir = e.substring(0, e.length() - 1);
        out.add(
            Path.of(dir.isEmpty() ? "." : dir).toAbsolutePath().normalize() + File.separator + "*");
      } else {
        out.add(Path.of(e).toAbsolutePath().normalize().toString());
      }
    }
    return String.join(File.pathSeparator, out);
  }
}
