package dev.localexec.core.internal.tools;

import dev.localexec.api.PolicyViolationException;
import dev.localexec.api.spi.ToolProcessSpec;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.core.exec.LaunchSpec;
import dev.localexec.core.exec.ProcessLauncher;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ToolProcesses} a plane gives its tool backend: each process starts through the plane's
 * {@link ProcessLauncher}, the same one (and so the same sandbox) as a job's commands, chosen the
 * first time a process starts. The working folder must lie inside the repo root (symlinks
 * resolved); a launcher that refuses everything (no sandbox works and the operator did not turn it
 * off) refuses the server with {@code sandbox_unavailable}. A server gets no resource limits of a
 * job (a warm server outlives the job that started it), only the sandbox's sized tmpfs mounts.
 *
 * <p>Thread-safe.
 */
public final class SandboxedToolProcesses implements ToolProcesses {
  private static final Logger LOG = LoggerFactory.getLogger(SandboxedToolProcesses.class);

  private final Supplier<ProcessLauncher> launcher;
  private final Path root;
  private final long tmpfsBytes;

  /**
   * @param launcher the plane's launcher, asked for at each start (the plane chooses it once)
   * @param root the repo root
   * @param tmpfsBytes the size of each tmpfs a sandbox mounts, 0 for the kernel's default
   */
  public SandboxedToolProcesses(Supplier<ProcessLauncher> launcher, Path root, long tmpfsBytes) {
    this.launcher = Objects.requireNonNull(launcher, "launcher");
    this.root = root.toAbsolutePath().normalize();
    this.tmpfsBytes = tmpfsBytes;
  }

  @Override
  public String sandbox() {
    return launcher.get().name();
  }

  @Override
  public Process start(ToolProcessSpec spec) throws IOException {
    ProcessLauncher l = launcher.get();
    l.checkAvailable();
    Path realRoot = root.toRealPath();
    Path cwd;
    try {
      cwd = spec.cwd().toRealPath();
    } catch (IOException e) {
      throw new IOException("the working folder " + spec.cwd() + " does not exist", e);
    }
    if (!cwd.startsWith(realRoot)) {
      throw new PolicyViolationException(
          "cwd_outside_root",
          "a tool server's working folder must lie inside the repo root "
              + realRoot
              + ", got "
              + spec.cwd());
    }
    LaunchSpec launch =
        new LaunchSpec(
            spec.argv(),
            cwd,
            spec.environment(),
            spec.allowNetwork(),
            List.of(),
            tmpfsBytes,
            spec.input() == null
                ? ProcessBuilder.Redirect.PIPE
                : ProcessBuilder.Redirect.from(new File(spec.input().toString())),
            spec.privateFolders());
    Process p = l.start(launch);
    LOG.debug("tool process {} started by {}: {}", p.pid(), l.name(), launch);
    return p;
  }
}
