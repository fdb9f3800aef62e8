package dev.localexec.core.internal.exec;

import dev.localexec.core.exec.LaunchSpec;
import dev.localexec.core.exec.ProcessLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the program directly with {@link ProcessBuilder}, without any sandbox ({@code "sandbox":
 * "none"}): the environment is exactly {@link LaunchSpec#environment()}, standard input is the
 * spec's ({@code /dev/null} for a job's command), standard output and error are pipes. {@link
 * LaunchSpec#allowNetwork()} is not enforced. The spec's resource-limit {@link LaunchSpec#wrapper()
 * wrapper} goes in front of the program, so a cgroup holds its whole tree even without a sandbox.
 * Stateless and thread-safe.
 *
 * <p>A program named without a {@code /} is looked up in the {@code PATH} of the spec's environment
 * (the JDK would otherwise search the JVM's own {@code PATH}), and the process gets the resolved
 * path as {@code argv[0]}.
 */
public final class DirectLauncher implements ProcessLauncher {

  /** Creates the launcher. */
  public DirectLauncher() {}

  @Override
  public String name() {
    return "none";
  }

  /** True: the resource-limit wrapper goes in front of the program. */
  @Override
  public boolean appliesResourceLimits() {
    return true;
  }

  @Override
  public Process start(LaunchSpec spec) throws IOException {
    List<String> command = new ArrayList<>(spec.argv());
    command.set(0, locate(command.get(0), spec.environment().get("PATH")));
    ProcessBuilder builder = new ProcessBuilder(spec.wrap(command));
    builder.directory(spec.cwd().toFile());
    builder.environment().clear();
    builder.environment().putAll(spec.environment());
    builder.redirectInput(spec.stdin());
    builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
    builder.redirectError(ProcessBuilder.Redirect.PIPE);
    return builder.start();
  }

  /**
   * Finds a bare program name in {@code path}, as a shell would; names with a {@code /} are
   * returned as given.
   *
   * @param program the program, e.g. {@code python3} or {@code ./run.sh}
   * @param path a {@code PATH} value, folders separated by {@code :}; may be null
   * @return the path of the first executable regular file named {@code program}
   * @throws IOException if no folder of {@code path} holds such a file
   */
  public static String locate(String program, String path) throws IOException {
    if (program.indexOf('/') >= 0) {
      return program;
    }
    if (path != null) {
      for (String dir : path.split(":", -1)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, program);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    throw new IOException("no executable named '" + program + "' in PATH " + path);
  }
}
