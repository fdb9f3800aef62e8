package dev.localexec.tasks.repoindex;

import dev.localexec.api.spi.JsonlOutput;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.tasks.glob.GitIgnore;
import dev.localexec.tasks.glob.GlobMatcher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the index over the root: a depth-first walk in sorted order that never follows a
 * symlink. Holds the run's counters, so it is used by one thread for one job.
 */
final class IndexWalk {
  private static final Logger LOG = LoggerFactory.getLogger(IndexWalk.class);

  /** The kill switch and the wall time are checked once every this many entries. */
  static final int CHECK_EVERY = 64;

  /** Which entries the walk looks at. */
  record Filter(
      GlobMatcher include, GlobMatcher exclude, GitIgnore gitIgnore, List<String> skippedDirs) {

    boolean entersDir(String rel) {
      return !rel.equals(".git")
          && !rel.endsWith("/.git")
          && !skippedDirs.contains(rel)
          && !gitIgnore.isIgnored(rel, true);
    }

    boolean considersFile(String rel) {
      return !rel.equals(".git")
          && !rel.endsWith("/.git")
          && !gitIgnore.isIgnored(rel, false)
          && include.matches(rel)
          && !exclude.matches(rel);
    }
  }

  private record Entry(Path path, String rel) {}

  private final TaskContext ctx;
  private final JsonlOutput out;
  private final Filter filter;
  private final int maxFiles;
  private final int maxFileBytes;
  private final Map<String, String> keywords = new LinkedHashMap<>();
  private int entriesSeen;
  private int filesConsidered;
  private long hitsWritten;

  IndexWalk(
      TaskContext ctx,
      JsonlOutput out,
      Filter filter,
      int maxFiles,
      int maxFileBytes,
      List<String> keywords) {
    this.ctx = ctx;
    this.out = out;
    this.filter = filter;
    this.maxFiles = maxFiles;
    this.maxFileBytes = maxFileBytes;
    Set<String> seen = new LinkedHashSet<>();
    for (String keyword : keywords) {
      String lower = keyword.toLowerCase(Locale.ROOT);
      if (seen.add(lower)) {
        this.keywords.put(keyword, lower);
      }
    }
  }

  /** Walks the root, writing a row per file with hits, until done or {@code max_files}. */
  void run(Path root) {
    Deque<Entry> pending = new ArrayDeque<>();
    pushChildren(pending, new Entry(root, ""));
    while (!pending.isEmpty() && filesConsidered < maxFiles) {
      Entry entry = pending.pop();
      if (entriesSeen++ % CHECK_EVERY == 0) {
        ctx.checkKillSwitch("repo_index");
        ctx.budget().checkWallTime();
      }
      BasicFileAttributes attrs;
      try {
        attrs =
            Files.readAttributes(
                entry.path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        recordSkipped(ctx, entry.rel(), e);
        continue;
      }
      if (attrs.isDirectory()) {
        if (filter.entersDir(entry.rel())) {
          pushChildren(pending, entry);
        }
      } else if (attrs.isRegularFile() && filter.considersFile(entry.rel())) {
        filesConsidered++;
        scan(entry);
      }
      // symlinks and other special files are skipped
    }
    LOG.debug(
        "repo index of job {}: {} entries seen, {} files considered, {} rows",
        ctx.job().jobId(),
        entriesSeen,
        filesConsidered,
        hitsWritten);
  }

  int filesConsidered() {
    return filesConsidered;
  }

  long hitsWritten() {
    return hitsWritten;
  }

  /** Records a {@code file_skipped} event for a path that could not be read. */
  static void recordSkipped(TaskContext ctx, String rel, IOException e) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("path", rel.isEmpty() ? "." : rel);
    payload.put("reason", "io_error:" + e.getClass().getSimpleName());
    ctx.evidence().record("file_skipped", payload);
    LOG.debug("job {}: skipping {}: {}", ctx.job().jobId(), rel, e.toString());
  }

  /** Pushes a folder's children so that they pop in name order. */
  private void pushChildren(Deque<Entry> pending, Entry dir) {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir.path())) {
      stream.forEach(children::add);
    } catch (IOException e) {
      recordSkipped(ctx, dir.rel(), e);
      return;
    }
    children.sort(Comparator.comparing(p -> p.getFileName().toString()));
    for (int i = children.size() - 1; i >= 0; i--) {
      Path child = children.get(i);
      String name = child.getFileName().toString();
      pending.push(new Entry(child, dir.rel().isEmpty() ? name : dir.rel() + "/" + name));
    }
  }

  private void scan(Entry entry) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(entry.path(), LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(maxFileBytes);
    } catch (IOException e) {
      recordSkipped(ctx, entry.rel(), e);
      return;
    }
    String text = new String(bytes, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    List<String> hits = new ArrayList<>();
    keywords.forEach(
        (keyword, lower) -> {
          if (text.contains(lower)) {
            hits.add(keyword);
          }
        });
    if (hits.isEmpty()) {
      return;
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("path", entry.rel());
    row.put("bytes_scanned", bytes.length);
    row.put("keyword_hits", hits);
    out.write(row);
    hitsWritten++;
  }
}
