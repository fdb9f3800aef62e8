package dev.localexec.api.spi;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A process a {@link ToolBackend} needs started: an MCP server, or a program that starts servers
 * itself (the {@code mcporter} command line).
 *
 * @param argv the program and its arguments; the program is an absolute path, or a bare name found
 *     on {@code /usr/local/bin:/usr/bin:/bin}
 * @param cwd the working folder, absolute; a sandboxing {@link ToolProcesses} refuses one outside
 *     the repo root
 * @param environment exactly the environment the process gets (nothing is inherited; a sandbox may
 *     fix {@code PATH})
 * @param allowNetwork whether the process may use the network; a sandbox isolates it otherwise
 *     (then not even the host's loopback is reachable)
 * @param input a file given as standard input, or {@code null} for a pipe the backend writes
 *     ({@link Process#getOutputStream()})
 * @param privateFolders host folders outside the repo root the process may read and write at the
 *     same paths (e.g. the backend's private {@code HOME}), each absolute and existing
 */
public record ToolProcessSpec(
    List<String> argv,
    Path cwd,
    Map<String, String> environment,
    boolean allowNetwork,
    Path input,
    List<Path> privateFolders) {

  /** Validates and copies; the environment keeps its order. */
  public ToolProcessSpec {
    if (argv == null || argv.isEmpty()) {
      throw new IllegalArgumentException("argv must not be empty");
    }
    argv = List.copyOf(argv);
    Objects.requireNonNull(cwd, "cwd");
    if (!cwd.isAbsolute()) {
      throw new IllegalArgumentException("cwd must be absolute, got " + cwd);
    }
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    privateFolders = privateFolders == null ? List.of() : List.copyOf(privateFolders);
    for (Path p : privateFolders) {
      if (!p.isAbsolute()) {
        throw new IllegalArgumentException("a private folder must be absolute, got " + p);
      }
    }
  }

  /** The environment's variable names only, safe to log (values may be secrets). */
  @Override
  public String toString() {
    return "ToolProcessSpec[argv="
        + argv
        + ", cwd="
        + cwd
        + ", environment names="
        + environment.keySet()
        + ", allowNetwork="
        + allowNetwork
        + ", input="
        + input
        + ", privateFolders="
        + privateFolders
        + "]";
  }
}
