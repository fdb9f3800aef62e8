package dev.localexec.tasks.testrunner;

import dev.localexec.api.PathRejectedException;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.tasks.glob.GlobMatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds and reads the JUnit XML reports a job names in {@code reports}: root-relative paths of
 * files or folders (every {@code .xml} below a folder) and globs ({@link GlobMatcher}'s syntax,
 * e.g. {@code target/surefire-reports/*.xml}, {@code build/test-results/**}{@code /*.xml}).
 *
 * <p>Nothing is read outside the root: a pattern that is absolute or holds a {@code ..} segment,
 * and a file whose real path (symlinks resolved) leaves the root, are refused through {@link
 * TaskContext#paths()} and recorded as {@code path_rejected} evidence ({@code {"path", "reason"}},
 * e.g. {@code path_rejected:parent_ref}); the job goes on. A glob that matches nothing is recorded
 * as {@code report_unmatched} ({@code {"path", "reason"}}, {@code no_match} or {@code bad_glob}), a
 * file that is not JUnit XML (a {@code DOCTYPE} included) as {@code report_unreadable} ({@code
 * {"path", "reason"}}). At most {@value #MAX_FILES} files of at most {@value #MAX_FILE_BYTES} bytes
 * each are read. Stateless.
 */
final class Reports {
  static final int MAX_FILES = 1000;
  static final long MAX_FILE_BYTES = 64L * 1024 * 1024;
  private static final int MAX_DEPTH = 32;

  private Reports() {}

  /** What the reports held, and the root-relative paths of the files read. */
  record Read(TestTally tally, List<String> files) {}

  static Read read(TaskContext ctx, List<String> patterns) {
    Set<String> files = new TreeSet<>();
    for (String pattern : patterns) {
      ctx.budget().checkWallTime();
      files.addAll(find(ctx, pattern));
    }
    TestTally tally = new TestTally();
    List<String> read = new ArrayList<>();
    for (String relative : files) {
      if (read.size() >= MAX_FILES) {
        record(ctx, "report_unreadable", relative, "max_files_reached");
        continue;
      }
      ctx.budget().checkWallTime();
      Path file;
      try {
        file = ctx.paths().resolveExisting(relative);
      } catch (PathRejectedException e) {
        record(ctx, "path_rejected", relative, e.code());
        continue;
      }
      try {
        if (!Files.isRegularFile(file)) {
          continue;
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
          record(ctx, "report_unreadable", relative, "too_large");
          continue;
        }
        tally.add(JunitXml.parse(file));
        read.add(relative);
      } catch (IOException e) {
        record(ctx, "report_unreadable", relative, "io_error:" + e.getClass().getSimpleName());
      } catch (JunitXml.UnreadableException e) {
        record(ctx, "report_unreadable", relative, TestTally.cut(e.getMessage()));
      }
    }
    return new Read(tally, List.copyOf(read));
  }

  /** The root-relative files one pattern names; refusals are recorded. */
  private static List<String> find(TaskContext ctx, String pattern) {
    String p = pattern.replace('\\', '/');
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    List<String> segments = List.of(p.split("/"));
    int firstGlob = -1;
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i).chars().anyMatch(c -> "*?[{".indexOf(c) >= 0)) {
        firstGlob = i;
        break;
      }
    }
    String base = firstGlob < 0 ? p : String.join("/", segments.subList(0, firstGlob));
    String refused = refusal(p, segments);
    if (refused != null) {
      record(ctx, "path_rejected", pattern, "path_rejected:" + refused);
      return List.of();
    }
    Path start;
    try {
      start = base.isEmpty() ? ctx.paths().root() : ctx.paths().resolveExisting(base);
    } catch (PathRejectedException e) {
      record(ctx, "path_rejected", pattern, e.code());
      return List.of();
    }
    if (firstGlob < 0 && Files.isRegularFile(start)) {
      return List.of(p);
    }
    GlobMatcher matcher;
    try {
      matcher = firstGlob < 0 ? null : GlobMatcher.of(List.of(p));
    } catch (IllegalArgumentException e) {
      record(ctx, "report_unmatched", pattern, "bad_glob");
      return List.of();
    }
    List<String> found = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(start, MAX_DEPTH)) {
      walk.filter(Files::isRegularFile)
          .map(f -> join(base, start.relativize(f).toString().replace('\\', '/')))
          .filter(rel -> matcher == null ? rel.endsWith(".xml") : matcher.matches(rel))
          .limit(MAX_FILES + 1L)
          .forEach(found::add);
    } catch (IOException | java.io.UncheckedIOException e) {
      record(ctx, "report_unreadable", pattern, "io_error:" + e.getClass().getSimpleName());
    }
    if (found.isEmpty()) {
      record(ctx, "report_unmatched", pattern, "no_match");
    }
    return found;
  }

  /** Why a pattern is refused before anything is read ({@code empty}, ...), or null. */
  private static String refusal(String p, List<String> segments) {
    if (p.isBlank()) {
      return "empty";
    }
    if (p.startsWith("/") || p.matches("^[A-Za-z]:.*")) {
      return "absolute";
    }
    return segments.contains("..") ? "parent_ref" : null;
  }

  private static String join(String base, String rest) {
    if (rest.isEmpty()) {
      return base;
    }
    return base.isEmpty() ? rest : base + "/" + rest;
  }

  private static void record(TaskContext ctx, String kind, String path, String reason) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("path", path);
    payload.put("reason", reason);
    ctx.evidence().record(kind, payload);
  }
}
