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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Indexes which files of the repo root mention which keywords ({@code repo_index_task}).
 *
 * <p>Payload: {@code include_globs} (required), {@code max_files}, {@code max_file_bytes}, {@code
 * exclude_globs}, {@code keywords}; globs are {@link GlobMatcher}'s, anchored at the root. The root
 * is walked with each folder's entries sorted by name, without following symlinks (they are
 * skipped), skipping {@code .git}, the plane's own state, evidence and schema folders under {@code
 * workspace/local_exec}, the folder the index is written to, and whatever the root's {@code
 * .gitignore} ignores. A file is considered when it matches an include glob and no exclude glob;
 * the walk stops after {@code max_files} of them. Each is read up to {@code max_file_bytes} bytes
 * and searched for the keywords, case-insensitively; a file with at least one hit gets a row {@code
 * {"path", "bytes_scanned", "keyword_hits"}} (hits in the payload's keyword order) in {@code
 * evidence/<job_id>_index.jsonl}. A file that cannot be read is recorded as a {@code file_skipped}
 * evidence event and the walk goes on.
 *
 * <p>Result: {@code {"files_considered", "hits_written", "index_jsonl"}}. Stateless; one instance
 * may run several jobs at once.
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
    GitIgnore gitIgnore = readGitIgnore(ctx, root);
    int considered;
    long written;
    String indexPath;
    try (JsonlOutput out = ctx.openJsonl("index.jsonl")) {
      indexPath = out.relativePath();
      int slash = indexPath.lastIndexOf('/');
      String outputDir = slash < 0 ? "" : indexPath.substring(0, slash);
      IndexWalk walk =
          new IndexWalk(
              ctx,
              out,
              new IndexWalk.Filter(include, exclude, gitIgnore, concat(PLANE_DIRS, outputDir)),
              maxFiles,
              maxFileBytes,
              keywords);
      walk.run(root);
      considered = walk.filesConsidered();
      written = walk.hitsWritten();
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("files_considered", considered);
    result.put("hits_written", written);
    result.put("index_jsonl", indexPath);
    String summary =
        "# Repo Index Task\n\n- job_id: "
            + ctx.job().jobId()
            + "\n- files_considered: "
            + considered
            + "\n- hits_written: "
            + written
            + "\n- output: "
            + indexPath
            + "\n";
    return new TaskResult(result, summary);
  }

  private static GlobMatcher globs(String field, List<String> globs) {
    try {
      return GlobMatcher.of(globs);
    } catch (IllegalArgumentException e) {
      throw new TaskFailedException(
          Payload.INVALID, "payload." + field + ": " + e.getMessage() + "; fix the glob", e);
    }
  }

  private static GitIgnore readGitIgnore(TaskContext ctx, Path root) {
    Path file = root.resolve(".gitignore");
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return GitIgnore.empty();
    }
    try {
      return GitIgnore.parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      IndexWalk.recordSkipped(ctx, ".gitignore", e);
      return GitIgnore.empty();
    }
  }

  private static List<String> concat(List<String> dirs, String more) {
    List<String> all = new java.util.ArrayList<>(dirs);
    all.add(more);
    return all;
  }
}
