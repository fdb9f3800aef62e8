package dev.localexec.tasks.repoindex;

import dev.localexec.api.spi.JsonlOutput;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.tasks.glob.GitIgnore;
import dev.localexec.tasks.glob.GlobMatcher;
import java.io.IOException;
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
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the index over the root: a depth-first walk in sorted order that never follows a
 * symlink. Holds the run's counters and buffers, so it is used by one thread for one job.
 */
final class IndexWalk {
  private static final Logger LOG = LoggerFactory.getLogger(IndexWalk.class);

  /** The kill switch and the wall time are checked once every this many entries. */
  static final int CHECK_EVERY = 64;

  /** A {@code progress} evidence event is recorded every this many regular files seen. */
  static final int PROGRESS_EVERY = 5_000;

  /** Files listed in the summary's top hits. */
  static final int TOP_HITS = 10;

  /** Which entries the walk looks at (besides the {@code .gitignore} rules). */
  record Filter(GlobMatcher include, GlobMatcher exclude, List<String> skippedDirs) {

    boolean entersDir(String rel) {
      return !isGit(rel) && !skippedDirs.contains(rel) && !exclude.matches(rel + "/");
    }

    boolean considersFile(String rel) {
      return !isGit(rel) && include.matches(rel) && !exclude.matches(rel);
    }

    private static boolean isGit(String rel) {
      return rel.equals(".git") || rel.endsWith("/.git");
    }
  }

  /**
   * The {@code .gitignore} rules in force in a folder: its own file's, then its parents' (a linked
   * list, deepest first, shared by the folders below).
   */
  record Ignores(String base, GitIgnore rules, Ignores parent) {

    boolean ignored(String rel, boolean isDir) {
      for (Ignores f = this; f != null; f = f.parent) {
        String sub = f.base.isEmpty() ? rel : rel.substring(f.base.length() + 1);
        GitIgnore.Match match = f.rules.match(sub, isDir);
        if (match != GitIgnore.Match.NONE) {
          return match == GitIgnore.Match.IGNORED;
        }
      }
      return false;
    }
  }

  /** A file of the summary's top hits. */
  record TopHit(String path, long hitLines, List<String> keywords, long order) {}

  private record Entry(Path path, String rel, Ignores ignores) {}

  private final TaskContext ctx;
  private final JsonlOutput out;
  private final Filter filter;
  private final int maxFiles;
  private final FileScanner scanner;
  private final Path realRoot;
  private final Map<String, Integer> languages = new TreeMap<>();
  private final PriorityQueue<TopHit> top =
      new PriorityQueue<>(
          Comparator.comparingLong(TopHit::hitLines)
              .thenComparing(Comparator.comparingLong(TopHit::order).reversed()));
  private int entriesSeen;
  private int filesSeen;
  private int filesConsidered;
  private int filesIndexed;
  private int binaries;
  private int symlinksRejected;
  private long bytesTotal;
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
    this.realRoot = ctx.paths().root();
    this.scanner = new FileScanner(maxFileBytes, keywords, () -> ctx.budget().checkWallTime());
  }

  /**
   * Walks the root, writing a row per considered file, until done or {@code max_files}.
   *
   * @param root the root folder
   * @param base the rules below every {@code .gitignore} ({@code .git/info/exclude}), or null
   */
  void run(Path root, Ignores base) {
    Deque<Entry> pending = new ArrayDeque<>();
    pushChildren(pending, new Entry(root, "", base));
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
      boolean isDir = attrs.isDirectory();
      if (entry.ignores() != null && entry.ignores().ignored(entry.rel(), isDir)) {
        continue;
      }
      if (isDir) {
        if (filter.entersDir(entry.rel())) {
          pushChildren(pending, entry);
        }
      } else if (attrs.isRegularFile()) {
        if (++filesSeen % PROGRESS_EVERY == 0) {
          progress();
        }
        if (filter.considersFile(entry.rel())) {
          filesConsidered++;
          index(entry);
        }
      } else if (attrs.isSymbolicLink()) {
        if (!filter.exclude.matches(entry.rel())) {
          rejectSymlink(entry);
        }
      }
      // sockets, fifos and devices are skipped
    }
    LOG.debug(
        "repo index of job {}: {} entries seen, {} files considered, {} indexed, {} with hits",
        ctx.job().jobId(),
        entriesSeen,
        filesConsidered,
        filesIndexed,
        hitsWritten);
  }

  int filesConsidered() {
    return filesConsidered;
  }

  int filesIndexed() {
    return filesIndexed;
  }

  long hitsWritten() {
    return hitsWritten;
  }

  long bytesTotal() {
    return bytesTotal;
  }

  int binaries() {
    return binaries;
  }

  int symlinksRejected() {
    return symlinksRejected;
  }

  /** Files per language, by language name. */
  Map<String, Integer> languages() {
    return new LinkedHashMap<>(languages);
  }

  /** The files with the most hit lines, most first (the earlier path first on a tie). */
  List<TopHit> topHits() {
    List<TopHit> list = new ArrayList<>(top);
    list.sort(
        Comparator.comparingLong(TopHit::hitLines).reversed().thenComparingLong(TopHit::order));
    return list;
  }

  /** Records a {@code file_skipped} event for a path that could not be read. */
  static void recordSkipped(TaskContext ctx, String rel, IOException e) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("path", rel.isEmpty() ? "." : rel);
    payload.put("reason", "io_error:" + e.getClass().getSimpleName());
    ctx.evidence().record("file_skipped", payload);
    LOG.debug("job {}: skipping {}: {}", ctx.job().jobId(), rel, e.toString());
  }

  private void progress() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("files_seen", filesSeen);
    payload.put("files_indexed", filesIndexed);
    payload.put("bytes_hashed", bytesTotal);
    ctx.evidence().record("progress", payload);
  }

  private void rejectSymlink(Entry entry) {
    String reason = "path_rejected:" + (leadsOutside(entry.path()) ? "outside_repo" : "symlink");
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("path", entry.rel());
    payload.put("reason", reason);
    ctx.evidence().record("path_rejected", payload);
    symlinksRejected++;
  }

  /**
   * Whether a symlink's target (resolved if it exists, else read literally) is outside the root.
   */
  private boolean leadsOutside(Path link) {
    try {
      return !link.toRealPath().startsWith(realRoot);
    } catch (IOException dangling) {
      try {
        Path target = link.getParent().resolve(Files.readSymbolicLink(link)).normalize();
        return !target.startsWith(realRoot);
      } catch (IOException | UnsupportedOperationException e) {
        return true;
      }
    }
  }

  /** Pushes a folder's children so that they pop in name order, with the folder's rules. */
  private void pushChildren(Deque<Entry> pending, Entry dir) {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir.path())) {
      stream.forEach(children::add);
    } catch (IOException e) {
      recordSkipped(ctx, dir.rel(), e);
      return;
    }
    children.sort(Comparator.comparing(p -> p.getFileName().toString()));
    Ignores ignores = dir.ignores();
    for (Path child : children) {
      if (child.getFileName().toString().equals(".gitignore")) {
        ignores = readIgnores(child, dir.rel(), ignores);
        break;
      }
    }
    for (int i = children.size() - 1; i >= 0; i--) {
      Path child = children.get(i);
      String name = child.getFileName().toString();
      pending.push(new Entry(child, dir.rel().isEmpty() ? name : dir.rel() + "/" + name, ignores));
    }
  }

  /** The rules of a folder's {@code .gitignore} on top of its parent's (a symlink is not read). */
  private Ignores readIgnores(Path file, String dirRel, Ignores parent) {
    GitIgnore rules =
        readRules(ctx, file, dirRel.isEmpty() ? ".gitignore" : dirRel + "/.gitignore");
    return rules.size() == 0 ? parent : new Ignores(dirRel, rules, parent);
  }

  /** The rules of an ignore file, or none if it is missing, a symlink, or unreadable. */
  static GitIgnore readRules(TaskContext ctx, Path file, String rel) {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return GitIgnore.empty();
    }
    try {
      return GitIgnore.parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      recordSkipped(ctx, rel, e);
      return GitIgnore.empty();
    }
  }

  private void index(Entry entry) {
    FileScanner.Scan scan;
    try {
      scan = scanner.scan(entry.path());
    } catch (IOException e) {
      recordSkipped(ctx, entry.rel(), e);
      return;
    }
    String language = Languages.of(entry.rel());
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("path", entry.rel());
    row.put("size", scan.size());
    row.put("sha256", scan.sha256());
    row.put("language", language);
    row.put("binary", scan.binary());
    row.put("lines", scan.binary() ? null : scan.lines());
    row.put("bytes_scanned", scan.bytesScanned());
    row.put("keyword_hits", scan.keywordHits());
    row.put("hit_lines", scan.hitLines());
    out.write(row);
    filesIndexed++;
    bytesTotal += scan.size();
    languages.merge(language, 1, Integer::sum);
    if (scan.binary()) {
      binaries++;
    }
    if (!scan.keywordHits().isEmpty()) {
      hitsWritten++;
      top.add(new TopHit(entry.rel(), scan.hitLineCount(), scan.keywordHits(), filesIndexed));
      if (top.size() > TOP_HITS) {
        top.poll();
      }
    }
  }
}
