package dev.localexec.core.internal.sandbox;

import dev.localexec.core.exec.LaunchSpec;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback sandbox, util-linux {@code unshare -r [-n] -p -f --kill-child --mount-proc}: a new
 * user namespace, a new network namespace with only a down loopback unless the job's {@code
 * allow_network}, and a PID namespace whose init is a fixed {@code /bin/sh} running the command
 * (see {@code INIT}), so everything it starts ends with it, and with {@code unshare} ({@code
 * --kill-child}).
 *
 * <p>It gives <b>no filesystem isolation</b>: the command sees and may write whatever the worker's
 * user may, root-only files included when the worker is root, the host's {@code /tmp} (and the unix
 * sockets in it) and the plane's ledger and evidence. Prefer {@link BwrapLauncher}.
 *
 * <p>As {@link DirectLauncher} does, the environment is exactly the spec's, a bare program name is
 * resolved on the spec's {@code PATH}, standard input is the spec's ({@code /dev/null} for a job's
 * command) and standard output and error are pipes; the spec's writable folders need no bind. The
 * spec's resource-limit {@link LaunchSpec#wrapper() wrapper} goes in front of the whole command
 * line; there is no tmpfs to size. Stateless and thread-safe.
 */
public final class UnshareLauncher implements ProcessLauncher {

  /** The mechanism's name. */
  public static final String NAME = "unshare";

  /**
   * The namespace's init: runs the command as its child and exits with its status. The command is
   * not PID 1 itself, for the kernel drops signals a PID 1 has no handler for, among them the
   * SIGXFSZ and SIGXCPU of the rlimits (a write past {@code max_file_bytes} would only fail, and
   * the job would not learn why). A signal exit comes back as 128 + the signal.
   */
  static final String INIT = "\"$@\"; exit $?";

  private static final Logger log = LoggerFactory.getLogger(UnshareLauncher.class);

  private final String executable;

  /** A launcher that finds {@code unshare} on {@value LocalArgvRunner#SAFE_PATH}. */
  public UnshareLauncher() {
    this(Path.of(NAME));
  }

  /**
   * A launcher running {@code executable}.
   *
   * @param executable the {@code unshare} program; a bare name is looked up on {@value
   *     LocalArgvRunner#SAFE_PATH} at each start
   */
  public UnshareLauncher(Path executable) {
    this.executable = Objects.requireNonNull(executable, "executable").toString();
  }

  @Override
  public String name() {
    return NAME;
  }

  /** True: the resource-limit wrapper goes in front of the command line. */
  @Override
  public boolean appliesResourceLimits() {
    return true;
  }

  @Override
  public Process start(LaunchSpec spec) throws IOException {
    String program = DirectLauncher.locate(spec.argv().get(0), spec.environment().get("PATH"));
    String unshare = DirectLauncher.locate(executable, LocalArgvRunner.SAFE_PATH);
    List<String> command = new ArrayList<>();
    String setpriv = setpriv();
    if (setpriv != null) {
      // unshare does not die with the worker by itself; its --kill-child covers the rest.
      command.addAll(List.of(setpriv, "--pdeathsig", "KILL"));
    }
    command.addAll(command(unshare, program, spec));
    command = spec.wrap(command);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.directory(spec.cwd().toFile());
    builder.environment().clear();
    builder.environment().putAll(spec.environment());
    builder.redirectInput(spec.stdin());
    builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
    builder.redirectError(ProcessBuilder.Redirect.PIPE);
    Process process = builder.start();
    log.debug("unshare pid {}: {}", process.pid(), command);
    return process;
  }

  /**
   * util-linux {@code setpriv}, which makes {@code unshare} receive SIGKILL when the worker dies
   * (even by {@code kill -9}); {@code null} when it is not installed.
   */
  private static String setpriv() {
    try {
      return DirectLauncher.locate("setpriv", LocalArgvRunner.SAFE_PATH);
    } catch (IOException e) {
      return null;
    }
  }

  /** The {@code unshare} command line running {@code program} with the spec's arguments. */
  static List<String> command(String unshare, String program, LaunchSpec spec) {
    List<String> c = new ArrayList<>(List.of(unshare, "-r"));
    if (!spec.allowNetwork()) {
      c.add("-n");
    }
    c.addAll(List.of("-p", "-f", "--kill-child", "--mount-proc", "--"));
    c.addAll(List.of("/bin/sh", "-c", INIT, "local-exec-init", program));
    c.addAll(spec.argv().subList(1, spec.argv().size()));
    return c;
  }
}
