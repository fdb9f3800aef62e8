package dev.localexec.cli.service;

import dev.localexec.core.exec.ProcessStates;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What {@code /proc} says about a process, with the JDK's view as the fallback. */
final class Processes {
  private Processes() {}

  /**
   * Whether a process runs: alive for the JDK and not a zombie in {@code /proc/<pid>/stat}. {@link
   * ProcessHandle#isAlive()} alone reports an ended, not yet reaped process alive.
   */
  static boolean running(ProcessHandle h) {
    return ProcessStates.isRunning(h);
  }

  /**
   * The process's arguments, program first: {@code /proc/<pid>/cmdline}, else the JDK's {@link
   * ProcessHandle.Info}; empty if the process is gone or they cannot be read.
   */
  static Optional<List<String>> argv(ProcessHandle h) {
    Path cmdline = Path.of("/proc", Long.toString(h.pid()), "cmdline");
    if (Files.isDirectory(Path.of("/proc", "self"))) {
      try {
        String raw = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
        if (raw.isEmpty()) {
          return Optional.empty();
        }
        if (raw.endsWith("\0")) {
          raw = raw.substring(0, raw.length() - 1);
        }
        return Optional.of(List.of(raw.split("\0", -1)));
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    ProcessHandle.Info info = h.info();
    if (info.command().isEmpty()) {
      return Optional.empty();
    }
    List<String> out = new java.util.ArrayList<>();
    out.add(info.command().get());
    info.arguments().ifPresent(a -> out.addAll(Arrays.asList(a)));
    return Optional.of(out);
  }

  /** The {@code setsid} program (util-linux) on {@code path}, if installed. */
  static Optional<Path> setsid(String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, "setsid");
      if (p.isAbsolute() && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
