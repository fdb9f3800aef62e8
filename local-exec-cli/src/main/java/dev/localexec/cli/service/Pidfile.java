package dev.localexec.cli.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * The content of {@code worker.pid}: the pid alone on the first line (what the original wrote, so
 * {@code head -1 worker.pid} still gives the pid), then {@code key=value} lines: {@code started_at}
 * (the process start time, to tell a reused pid from ours), {@code stop_grace_sec} and {@code
 * repo_root}.
 *
 * @param pid the worker's pid
 * @param startedAt its start time as the JDK reports it, or {@code null} if unknown
 * @param stopGraceSec the grace period its running jobs get on SIGTERM
 * @param repoRoot the repo root it serves, or {@code null} if unknown
 */
record Pidfile(long pid, Instant startedAt, int stopGraceSec, String repoRoot) {

  /** Validates. */
  Pidfile {
    if (pid <= 0) {
      throw new IllegalArgumentException("pid must be positive, got " + pid);
    }
    if (stopGraceSec < 0) {
      throw new IllegalArgumentException("stop grace must be zero or more, got " + stopGraceSec);
    }
  }

  /** The file's text. */
  String render() {
    StringBuilder b = new StringBuilder().append(pid).append('\n');
    if (startedAt != null) {
      b.append("started_at=").append(startedAt).append('\n');
    }
    b.append("stop_grace_sec=").append(stopGraceSec).append('\n');
    if (repoRoot != null) {
      b.append("repo_root=").append(repoRoot).append('\n');
    }
    return b.toString();
  }

  /**
   * Parses a pidfile's text: the pid on the first line, then optional {@code key=value} lines
   * (unknown keys are ignored).
   *
   * @return the pidfile, or empty when the first line is not a positive number
   */
  static Optional<Pidfile> parse(String text, int defaultGraceSec) {
    List<String> lines = text.lines().map(String::strip).toList();
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (pid <= 0) {
      return Optional.empty();
    }
    Instant started = null;
    int grace = defaultGraceSec;
    String root = null;
    for (String line : lines.subList(1, lines.size())) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      try {
        switch (key) {
          case "started_at" -> started = Instant.parse(value);
          case "stop_grace_sec" -> grace = Math.max(0, Integer.parseInt(value));
          case "repo_root" -> root = value;
          default -> {
            // a later version's key
          }
        }
      } catch (DateTimeParseException | NumberFormatException e) {
        // keep the default: an unreadable value is not trusted
      }
    }
    return Optional.of(new Pidfile(pid, started, grace, root));
  }

  /**
   * Reads {@code file}.
   *
   * @return empty if the file is missing; a pidfile whose first line is not a pid is returned as
   *     {@link Optional#empty()} too (the caller treats the file as stale)
   */
  static Optional<Pidfile> read(Path file, int defaultGraceSec) throws IOException {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), defaultGraceSec);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Writes the file atomically (a temporary file in the same folder, then a rename). */
  void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, render(), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
