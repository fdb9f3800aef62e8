package dev.localexec.core.exec;

import dev.localexec.core.internal.exec.ArgvPolicy;
import java.io.File;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ProcessLauncher} must start.
 *
 * @param argv the program and its arguments, already checked by an {@link ArgvPolicy}
 * @param cwd the working directory, absolute and inside the repo root
 * @param environment exactly the environment the process gets (nothing is inherited)
 * @param allowNetwork whether the process may use the network (a sandboxing launcher isolates it
 *     otherwise)
 * @param wrapper the plane's resource-limit wrapper (joins the command's cgroup, sets rlimits),
 *     which a launcher that {@link ProcessLauncher#appliesResourceLimits() applies limits} puts in
 *     front of its whole command line; empty for none
 * @param tmpfsBytes the size of each tmpfs a sandboxing launcher mounts ({@code /tmp}, {@code
 *     /run}, {@code /dev/shm}), or 0 for the kernel's default
 * @param stdin the process's standard input: {@code /dev/null} for a job's command, a pipe ({@link
 *     ProcessBuilder.Redirect#PIPE}) or a file for a tool server
 * @param writableFolders host folders outside the repo root a sandboxing launcher binds writable at
 *     the same paths (a tool backend's private {@code HOME}); empty for a job's command
 */
public record LaunchSpec(
    List<String> argv,
    Path cwd,
    Map<String, String> environment,
    boolean allowNetwork,
    List<String> wrapper,
    long tmpfsBytes,
    ProcessBuilder.Redirect stdin,
    List<Path> writableFolders) {

  /** Standard input from {@code /dev/null}, what a job's command gets. */
  public static final ProcessBuilder.Redirect NO_INPUT =
      ProcessBuilder.Redirect.from(new File("/dev/null"));

  /** Validates and copies; the environment keeps its order. */
  public LaunchSpec {
    if (argv == null || argv.isEmpty()) {
      throw new IllegalArgumentException("argv must not be empty");
    }
    argv = List.copyOf(argv);
    Objects.requireNonNull(cwd, "cwd");
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    wrapper = wrapper == null ? List.of() : List.copyOf(wrapper);
    if (tmpfsBytes < 0) {
      throw new IllegalArgumentException("tmpfsBytes must be 0 or more, got " + tmpfsBytes);
    }
    stdin = stdin == null ? NO_INPUT : stdin;
    if (stdin.type() != ProcessBuilder.Redirect.Type.PIPE
        && stdin.type() != ProcessBuilder.Redirect.Type.READ) {
      throw new IllegalArgumentException("stdin must be a pipe or a file to read, got " + stdin);
    }
    writableFolders = writableFolders == null ? List.of() : List.copyOf(writableFolders);
    for (Path p : writableFolders) {
      if (!p.isAbsolute()) {
        throw new IllegalArgumentException("a writable folder must be absolute, got " + p);
      }
    }
  }

  /** A job's command: standard input from {@code /dev/null}, no extra folders. */
  public LaunchSpec(
      List<String> argv,
      Path cwd,
      Map<String, String> environment,
      boolean allowNetwork,
      List<String> wrapper,
      long tmpfsBytes) {
    this(argv, cwd, environment, allowNetwork, wrapper, tmpfsBytes, NO_INPUT, List.of());
  }

  /** A spec without resource limits. */
  public LaunchSpec(
      List<String> argv, Path cwd, Map<String, String> environment, boolean allowNetwork) {
    this(argv, cwd, environment, allowNetwork, List.of(), 0);
  }

  /** {@code command} with the {@link #wrapper()} in front of it. */
  public List<String> wrap(List<String> command) {
    if (wrapper.isEmpty()) {
      return command;
    }
    List<String> c = new java.util.ArrayList<>(wrapper);
    c.addAll(command);
    return c;
  }

  /** The environment's variable names only, safe to log (values may be secrets). */
  @Override
  public String toString() {
    return "LaunchSpec[argv="
        + ArgvPolicy.render(argv)
        + ", cwd="
        + cwd
        + ", environment names="
        + environment.keySet()
        + ", allowNetwork="
        + allowNetwork
        + ", wrapper="
        + wrapper
        + ", tmpfsBytes="
        + tmpfsBytes
        + ", stdin="
        + stdin
        + ", writableFolders="
        + writableFolders
        + "]";
  }
}
