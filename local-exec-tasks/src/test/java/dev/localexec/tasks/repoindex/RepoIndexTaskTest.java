package dev.localexec.tasks.repoindex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.TaskFailedException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.tasks.testing.FakeTaskContext;
import dev.localexec.tasks.testing.RecordingEvidence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoIndexTaskTest {
  private static final String INDEX =
      "workspace/local_exec/evidence/" + FakeTaskContext.JOB_ID + "_index.jsonl";

  @TempDir Path root;

  private final RepoIndexTask task = new RepoIndexTask();

  @BeforeEach
  void repo() throws IOException {
    write("README.md", "Policy and AUDIT notes\n");
    write("scripts/enqueue.py", "# router: policy then audit\n");
    write("scripts/sub/deep.py", "policy\n");
    write("workspace/agents/README.md", "keeps an audit trail\n");
    write("workspace/agents/notes.bak.md", "policy\n");
    write("workspace/empty.py", "nothing to see\n");
    write("workspace/validation.py", "policy checks\n");
    write("workspace/worker.py", "POLICY and Router\n");
    write("workspace/local_exec/state/jobs.jsonl", "policy router audit\n");
    write(".git/hooks/policy.py", "policy\n");
    write("target/gen.py", "policy\n");
    write("app.log", "policy\n");
    write(".gitignore", "target/\n*.log\n");
    Files.createSymbolicLink(root.resolve("link.md"), root.resolve("README.md"));
    Files.createSymbolicLink(root.resolve("linkdir"), root.resolve("workspace"));
  }

  @Test
  void run_theOriginalDemoPayload_writesRowsInSortedOrder() {
    FakeTaskContext ctx =
        context(
            payload(
                List.of("workspace/**/*.py", "workspace/**/*.md", "scripts/*.py"),
                List.of("**/*.bak.*"),
                200,
                32768,
                List.of("policy", "router", "audit")));

    TaskResult result = task.run(ctx);

    assertThat(ctx.readLines(INDEX))
        .containsExactly(
            row(
                "scripts/enqueue.py",
                "# router: policy then audit\n",
                "python",
                1,
                28,
                "[\"policy\", \"router\", \"audit\"]",
                "{\"policy\": [1], \"router\": [1], \"audit\": [1]}"),
            row(
                "workspace/agents/README.md",
                "keeps an audit trail\n",
                "markdown",
                1,
                21,
                "[\"audit\"]",
                "{\"audit\": [1]}"),
            row("workspace/empty.py", "nothing to see\n", "python", 1, 15, "[]", "{}"),
            row(
                "workspace/validation.py",
                "policy checks\n",
                "python",
                1,
                14,
                "[\"policy\"]",
                "{\"policy\": [1]}"),
            row(
                "workspace/worker.py",
                "POLICY and Router\n",
                "python",
                1,
                18,
                "[\"policy\", \"router\"]",
                "{\"policy\": [1], \"router\": [1]}"));
    assertThat(result.result())
        .containsExactly(
            Map.entry("files_considered", 5),
            Map.entry("hits_written", 4L),
            Map.entry("index_jsonl", INDEX),
            Map.entry("files_indexed", 5),
            Map.entry("bytes_total", 96L),
            Map.entry("binaries", 0),
            Map.entry("languages", Map.of("markdown", 1, "python", 4)),
            Map.entry("symlinks_rejected", 2));
    assertThat(result.summaryMarkdown())
        .isEqualTo(
            "# Repo Index Task\n\n- job_id: job-testjob0001\n- files_considered: 5\n"
                + "- hits_written: 4\n- output: "
                + INDEX
                + "\n- files_indexed: 5\n- bytes_total: 96\n- binaries: 0\n"
                + "- symlinks_rejected: 2\n\n## Languages\n\n| language | files |\n|---|---:|\n"
                + "| markdown | 1 |\n| python | 4 |\n\n## Top hits\n\n"
                + "| path | hit lines | keywords |\n|---|---:|---|\n"
                + "| `scripts/enqueue.py` | 3 | policy, router, audit |\n"
                + "| `workspace/worker.py` | 2 | policy, router |\n"
                + "| `workspace/agents/README.md` | 1 | audit |\n"
                + "| `workspace/validation.py` | 1 | policy |\n");
    // symlinks are never followed: each one the walk meets is rejected in evidence
    assertThat(ctx.evidence().events())
        .containsExactly(
            new RecordingEvidence.Event(
                "path_rejected", Map.of("path", "link.md", "reason", "path_rejected:symlink")),
            new RecordingEvidence.Event(
                "path_rejected", Map.of("path", "linkdir", "reason", "path_rejected:symlink")));
  }

  @Test
  void run_keywordHits_followThePayloadOrderCaseInsensitively() {
    FakeTaskContext ctx =
        context(
            payload(
                List.of("workspace/worker.py"), List.of(), 10, 128, List.of("ROUTER", "Policy")));

    task.run(ctx);

    assertThat(ctx.readLines(INDEX))
        .containsExactly(
            row(
                "workspace/worker.py",
                "POLICY and Router\n",
                "python",
                1,
                18,
                "[\"ROUTER\", \"Policy\"]",
                "{\"ROUTER\": [1], \"Policy\": [1]}"));
  }

  @Test
  void run_skipsGitFoldersGitignoredPathsThePlaneFolderAndSymlinks() {
    FakeTaskContext ctx =
        context(payload(List.of("**"), List.of(), 1000, 4096, List.of("policy", "audit")));

    TaskResult result = task.run(ctx);

    assertThat(ctx.readLines(INDEX))
        .extracting(line -> line.substring(10, line.indexOf("\", ")))
        .containsExactly(
            ".gitignore",
            "README.md",
            "scripts/enqueue.py",
            "scripts/sub/deep.py",
            "workspace/agents/README.md",
            "workspace/agents/notes.bak.md",
            "workspace/empty.py",
            "workspace/validation.py",
            "workspace/worker.py");
    // .gitignore, README.md, 2 scripts, 5 workspace files; not .git, target, app.log, links, plane
    assertThat(result.result()).containsEntry("files_considered", 9);
  }

  @Test
  void run_rootLevelGlob_isAnchoredAtTheRoot() {
    FakeTaskContext ctx = context(payload(List.of("*.md"), List.of(), 10, 128, List.of("audit")));

    TaskResult result = task.run(ctx);

    assertThat(ctx.readLines(INDEX))
        .containsExactly(
            row(
                "README.md",
                "Policy and AUDIT notes\n",
                "markdown",
                1,
                23,
                "[\"audit\"]",
                "{\"audit\": [1]}"));
    assertThat(result.result()).containsEntry("files_considered", 1);
  }

  @Test
  void run_stopsAfterMaxFilesConsidered() {
    FakeTaskContext ctx =
        context(payload(List.of("**/*.py"), List.of(), 2, 128, List.of("policy")));

    TaskResult result = task.run(ctx);

    assertThat(ctx.readLines(INDEX))
        .extracting(line -> line.substring(10, line.indexOf("\", ")))
        .containsExactly("scripts/enqueue.py", "scripts/sub/deep.py");
    assertThat(result.result()).containsEntry("files_considered", 2);
  }

  @Test
  void run_readsAtMostMaxFileBytes() throws IOException {
    write("late.txt", "x".repeat(200) + "policy");
    write("early.txt", "policy" + "x".repeat(300));
    FakeTaskContext ctx = context(payload(List.of("*.txt"), List.of(), 10, 128, List.of("policy")));

    TaskResult result = task.run(ctx);

    assertThat(ctx.readLines(INDEX))
        .containsExactly(
            row(
                "early.txt",
                "policy" + "x".repeat(300),
                "text",
                0,
                128,
                "[\"policy\"]",
                "{\"policy\": [1]}"),
            row("late.txt", "x".repeat(200) + "policy", "text", 0, 128, "[]", "{}"));
    assertThat(result.result())
        .containsEntry("files_considered", 2)
        .containsEntry("hits_written", 1L);
  }

  @Test
  void run_withoutKeywords_indexesFilesWithoutHits() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("include_globs", List.of("**/*.py"));
    payload.put("max_files", 100);
    payload.put("max_file_bytes", 128);
    FakeTaskContext ctx = context(payload);

    TaskResult result = task.run(ctx);

    assertThat(ctx.readLines(INDEX))
        .extracting(line -> line.substring(10, line.indexOf("\", ")))
        .containsExactly(
            "scripts/enqueue.py",
            "scripts/sub/deep.py",
            "workspace/empty.py",
            "workspace/validation.py",
            "workspace/worker.py");
    assertThat(ctx.readLines(INDEX))
        .allMatch(l -> l.endsWith("\"keyword_hits\": [], \"hit_lines\": {}}"));
    assertThat(result.result())
        .containsEntry("files_considered", 5)
        .containsEntry("hits_written", 0L);
  }

  @Test
  void run_nonAsciiKeyword_matchesCaseInsensitivelyOnTheDecodedText() throws IOException {
    write("umlaut.txt", "first\nkein ÄRGER\närger, TODO\n");
    FakeTaskContext ctx =
        context(payload(List.of("umlaut.txt"), List.of(), 10, 128, List.of("ärger", "todo")));

    task.run(ctx);

    assertThat(ctx.readLines(INDEX))
        .containsExactly(
            row(
                "umlaut.txt",
                "first\nkein ÄRGER\närger, TODO\n",
                "text",
                3,
                31,
                "[\"ärger\", \"todo\"]",
                "{\"ärger\": [2, 3], \"todo\": [3]}"));
  }

  @Test
  void run_killSwitchOn_stopsBeforeTheWalk() {
    FakeTaskContext ctx = context(payload(List.of("**"), List.of(), 10, 128, List.of("policy")));
    ctx.killSwitch(true);

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(KillSwitchException.class)
        .extracting(e -> ((KillSwitchException) e).code())
        .isEqualTo("kill_switch:repo_index");
    assertThat(ctx.readLines(INDEX)).isEmpty();
  }

  @Test
  void run_checksKillSwitchAndWallTimeEvery64Entries() throws IOException {
    Path big = Files.createDirectories(root.resolve("big"));
    for (int i = 0; i < 130; i++) {
      Files.writeString(big.resolve(String.format("f%03d.txt", i)), "x");
    }
    FakeTaskContext ctx =
        context(payload(List.of("big/*.txt"), List.of(), 1000, 128, List.of("policy")));

    TaskResult result = task.run(ctx);

    // entries, in order: .git .gitignore README.md app.log big f000..f129 link.md linkdir
    // scripts enqueue.py sub deep.py target workspace agents README.md notes.bak.md empty.py
    // local_exec validation.py worker.py = 150, so checks at entries 0, 64 and 128
    assertThat(ctx.killSwitchChecks()).containsExactly("repo_index", "repo_index", "repo_index");
    assertThat(result.result()).containsEntry("files_considered", 130);
  }

  @Test
  void run_pastTheWallTime_failsWithTheBudgetCode() {
    FakeTaskContext ctx = context(payload(List.of("**"), List.of(), 10, 128, List.of("policy")));
    ctx.clock().advance(Duration.ofSeconds(301));

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(BudgetExceededException.class)
        .extracting(e -> ((BudgetExceededException) e).code())
        .isEqualTo("max_wall_time_sec exceeded");
  }

  @Test
  void run_rowsPastTheOutputBudget_failTheJob() throws IOException {
    for (int i = 0; i < 40; i++) {
      write(String.format("many/%02d.txt", i), "policy");
    }
    FakeTaskContext ctx =
        new FakeTaskContext(
            root,
            FakeTaskContext.job(
                RepoIndexTask.ID,
                payload(List.of("many/*.txt"), List.of(), 100, 128, List.of("policy")),
                Budget.of(300, 0, 1024, 1),
                ToolPolicy.denyAll()));

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(BudgetExceededException.class)
        .extracting(e -> ((BudgetExceededException) e).code())
        .isEqualTo("max_output_bytes exceeded");
    // each row is 240 bytes (with its newline): 4 rows fit in 1024
    assertThat(ctx.readLines(INDEX))
        .hasSize(4)
        .first()
        .isEqualTo(row("many/00.txt", "policy", "text", 0, 6, "[\"policy\"]", "{\"policy\": [1]}"));
    assertThat(ctx.readLines(INDEX).get(0).length() + 1).isEqualTo(240);
  }

  @Test
  void run_badGlob_isPayloadInvalid() {
    FakeTaskContext ctx = context(payload(List.of("[z-a]"), List.of(), 10, 128, List.of()));

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("payload.include_globs")
        .extracting(e -> ((TaskFailedException) e).code())
        .isEqualTo("payload_invalid");
  }

  @Test
  void run_wrongPayloadType_isPayloadInvalid() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("include_globs", "**");
    payload.put("max_files", 10);
    payload.put("max_file_bytes", 128);

    assertThatThrownBy(() -> task.run(context(payload)))
        .isInstanceOf(TaskFailedException.class)
        .hasMessage("payload.include_globs must be an array of strings, got String **");
  }

  private FakeTaskContext context(Map<String, Object> payload) {
    return new FakeTaskContext(root, FakeTaskContext.job(RepoIndexTask.ID, payload));
  }

  private static Map<String, Object> payload(
      List<String> include, List<String> exclude, int maxFiles, int maxBytes, List<String> kw) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("include_globs", include);
    payload.put("exclude_globs", exclude);
    payload.put("max_files", maxFiles);
    payload.put("max_file_bytes", maxBytes);
    payload.put("keywords", kw);
    return Collections.unmodifiableMap(payload);
  }

  /** The index row of a text file, with its size and SHA-256 computed here. */
  static String row(
      String path,
      String content,
      String language,
      int lines,
      int scanned,
      String hits,
      String hitLines) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    return "{\"path\": \""
        + path
        + "\", \"size\": "
        + bytes.length
        + ", \"sha256\": \""
        + sha256(bytes)
        + "\", \"language\": \""
        + language
        + "\", \"binary\": false, \"lines\": "
        + lines
        + ", \"bytes_scanned\": "
        + scanned
        + ", \"keyword_hits\": "
        + hits
        + ", \"hit_lines\": "
        + hitLines
        + "}";
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private void write(String rel, String content) throws IOException {
    Path file = root.resolve(rel);
    Files.createDirectories(file.getParent());
    Files.write(file, content.getBytes(StandardCharsets.UTF_8));
  }
}
