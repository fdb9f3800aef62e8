package dev.localexec.tasks.repoindex;

import dev.localexec.api.TaskFailedException;
import dev.localexec.api.spi.JsonlOutput;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.tasks.glob.GitIgnore;
import dev.localexec.tasks.glob.GlobMatcher;
import dev.localexec.tasks.payload.Payload;
import dev.localexec.tasks.payload.PayloadSchema;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Indexes the files of the repo root: size, SHA-256, language, line count and keyword hits ({@code
 * repo_index_task}).
 *
 * <p>Payload: {@code include_globs} (required), {@code max_files}, {@code max_file_bytes}, {@code
 * exclude_globs}, {@code keywords}; globs are {@link GlobMatcher}'s, anchored at the root.
 *
 * <p>The walk: each folder's entries sorted by name, depth first; never runs git and never follows
 * a symlink. It skips {@code .git} (a folder or a file), the plane's own state, evidence and schema
 * folders under {@code workspace/local_exec}, the folder the index is written to, and whatever the
 * {@code .gitignore} files ignore, read the way git does: each file applies to its folder and
 * below, a deeper file's matching rule overrides a shallower one, {@code !} re-includes, and {@code
 * .git/info/exclude} (if present) comes below them all; an ignored folder is not entered. So the
 * index is the same with or without a {@code .git} folder (as long as its {@code info/exclude} has
 * no rules). Every symlink the walk meets that is neither ignored nor excluded is recorded as a
 * {@code path_rejected} evidence event, {@code {"path", "reason"}} with reason {@code
 * path_rejected:outside_repo} if its target is outside the root (resolved, or read literally when
 * dangling), else {@code path_rejected:symlink}. A regular file is considered when it matches an
 * include glob and no exclude glob; the walk stops after {@code max_files} of them.
 *
 * <p>Each considered file is read once, start to end: the SHA-256 and newline count of the whole
 * file; binary if a NUL byte occurs in its first 8 KiB; if it is text, its first {@code
 * max_file_bytes} bytes are searched for the keywords case-insensitively. Each gets a row in {@code
 * evidence/<job_id>_index.jsonl}: {@code {"path", "size", "sha256", "language", "binary", "lines"
 * (null for a binary), "bytes_scanned" (0 for a binary), "keyword_hits" (payload order),
 * "hit_lines" ({keyword: [line, ...]}, at most 20 lines each)}}; every row counts against the
 * output budget. A file that cannot be read is a {@code file_skipped} evidence event and the walk
 * goes on. Every 5,000 regular files seen, a {@code progress} event {@code {"files_seen",
 * "files_indexed", "bytes_hashed"}}.
 *
 * <p>Result: {@code {"files_considered", "hits_written" (rows with a hit), "index_jsonl",
 * "files_indexed", "bytes_total", "binaries", "languages" ({language: files}),
 * "symlinks_rejected"}}; the summary starts with the original's lines, then the totals, a languages
 * table and the ten files with the most hit lines. Stateless; one instance may run several jobs at
 * once.
 */
public final class RepoIndexTask implements TaskPlugin {

  /** The job type. */
  public static final String ID = "repo_index_task";

  /** The plane's own output folders under the root, never indexed. */
  public static final List<String> PLANE_DIRS =
      List.of(
          "workspace/local_exec/state",
          "workspace/local_exec/evidence",
          "workspace/local_exec/schemas");

  private static final String SCHEMA = PayloadSchema.load(ID);

  /** Creates the plug-in (for {@link java.util.ServiceLoader}). */
  public RepoIndexTask() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String payloadSchema() {
    return SCHEMA;
  }

  @Override
  public TaskResult run(TaskContext ctx) {
    Payload payload = Payload.of(ctx.job().payload());
    GlobMatcher include = globs("include_globs", payload.strings("include_globs"));
    GlobMatcher exclude = globs("exclude_globs", payload.strings("exclude_globs", List.of()));
    int maxFiles = payload.integer("max_files", 1, 50_000);
    int maxFileBytes = payload.integer("max_file_bytes", 128, 1_048_576);
    List<String> keywords = payload.strings("keywords", List.of());

    Path root = ctx.paths().root();
    GitIgnore exclusions =
        IndexWalk.readRules(ctx, root.resolve(".git/info/exclude"), ".git/info/exclude");
    IndexWalk.Ignores base =
        exclusions.size() == 0 ? null : new IndexWalk.Ignores("", exclusions, null);
    IndexWalk walk;
    String indexPath;
    try (JsonlOutput out = ctx.openJsonl("index.jsonl")) {
      indexPath = out.relativePath();
      int slash = indexPath.lastIndexOf('/');
      String outputDir = slash < 0 ? "" : indexPath.substring(0, slash);
      walk =
          new IndexWalk(
              ctx,
              out,
              new IndexWalk.Filter(include, exclude, concat(PLANE_DIRS, outputDir)),
              maxFiles,
              maxFileBytes,
              keywords);
      walk.run(root, base);
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("files_considered", walk.filesConsidered());
    result.put("hits_written", walk.hitsWritten());
    result.put("index_jsonl", indexPath);
    result.put("files_indexed", walk.filesIndexed());
    result.put("bytes_total", walk.bytesTotal());
    result.put("binaries", walk.binaries());
    result.put("languages", walk.languages());
    result.put("symlinks_rejected", walk.symlinksRejected());
    return new TaskResult(result, summary(ctx.job().jobId(), walk, indexPath));
  }

  private static String summary(String jobId, IndexWalk walk, String indexPath) {
    StringBuilder md = new StringBuilder();
    md.append("# Repo Index Task\n\n- job_id: ")
        .append(jobId)
        .append("\n- files_considered: ")
        .append(walk.filesConsidered())
        .append("\n- hits_written: ")
        .append(walk.hitsWritten())
        .append("\n- output: ")
        .append(indexPath)
        .append("\n- files_indexed: ")
        .append(walk.filesIndexed())
        .append("\n- bytes_total: ")
        .append(walk.bytesTotal())
        .append("\n- binaries: ")
        .append(walk.binaries())
        .append("\n- symlinks_rejected: ")
        .append(walk.symlinksRejected())
        .append("\n\n## Languages\n\n| language | files |\n|---|---:|\n");
    walk.languages()
        .forEach(
            (lang, count) ->
                md.append("| ").append(lang).append(" | ").append(count).append(" |\n"));
    md.append("\n## Top hits\n\n");
    List<IndexWalk.TopHit> top = walk.topHits();
    if (top.isEmpty()) {
      md.append("No keyword hits.\n");
    } else {
      md.append("| path | hit lines | keywords |\n|---|---:|---|\n");
      for (IndexWalk.TopHit hit : top) {
        md.append("| `")
            .append(hit.path().replace("|", "\\|").replace("`", "'"))
            .append("` | ")
            .append(hit.hitLines())
            .append(" | ")
            .append(String.join(", ", hit.keywords()).replace("|", "\\|"))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static GlobMatcher globs(String field, List<String> globs) {
    try {
      return GlobMatcher.of(globs);
    } catch (IllegalArgumentException e) {
      throw new TaskFailedException(
          Payload.INVALID, "payload." + field + ": " + e.getMessage() + "; fix the glob", e);
    }
  }

  private static List<String> concat(List<String> dirs, String more) {
    List<String> all = new java.util.ArrayList<>(dirs);
    all.add(more);
    return all;
  }
}
