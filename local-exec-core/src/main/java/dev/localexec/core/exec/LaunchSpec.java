package dev.localexec.core.exec;

import dev.localexec.core.internal.exec.ArgvPolicy;
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
 */
public record LaunchSpec(
    List<String> argv,
    Path cwd,
    Map<String, String> environment,
    boolean allowNetwork,
    List<String> wrapper,
    long tmpfsBytes) {

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
        + "]";
  }
}
