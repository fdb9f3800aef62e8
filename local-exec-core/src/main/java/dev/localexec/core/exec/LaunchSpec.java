package dev.localexec.core.exec;

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
 */
public record LaunchSpec(
    List<String> argv, Path cwd, Map<String, String> environment, boolean allowNetwork) {

  /** Validates and copies; the environment keeps its order. */
  public LaunchSpec {
    if (argv == null || argv.isEmpty()) {
      throw new IllegalArgumentException("argv must not be empty");
    }
    argv = List.copyOf(argv);
    Objects.requireNonNull(cwd, "cwd");
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
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
        + "]";
  }
}
