package dev.localexec.tasks.repoindex;

import static dev.localexec.tasks.repoindex.RepoIndexTaskTest.row;
import static dev.localexec.tasks.repoindex.RepoIndexTaskTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.spi.TaskResult;
import dev.localexec.tasks.testing.FakeTaskContext;
import dev.localexec.tasks.testing.RecordingEvidence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The must-show repo: a symlink to {@code /etc}, one to {@code ..} and one inside, nested
 * {@code .gitignore}s with negations, a binary file with a keyword after a NUL; indexed the same
 * with and without a {@code .git} folder.
 */
class RepoIndexGitIgnoreSymlinkTest {
  private static final String INDEX =
      "workspace/local_exec/evidence/" + FakeTaskContext.JOB_ID + "_index.jsonl";
  private static final byte[] BINARY = "abc\0TODO\nFIXME\n".getBytes(StandardCharsets.ISO_8859_1);
  private static final String NOTES = "line one\nTODO: write\n\nFIXME later, todo again\n";
  private static final String MAIN =
      "class Main {\n  // fixme: name\n  void run() {}\n  // TODO one\n  // todo two\n}\n";

  @TempDir Path tmp;
  Path repo;

  private final RepoIndexTask task = new RepoIndexTask();

  @BeforeEach
  void repo() throws IOException {
    repo = Files.createDirectories(tmp.resolve("repo"));
    write(".gitignore", "*.log\nbuild/\n!keep.log\n");
    write("app.log", "TODO ignored\n");
    write("keep.log", "TODO keep\n");
    write("build/out.txt", "TODO ignored\n");
    Files.write(repo.resolve("data.bin"), BINARY);
    write("docs/notes.md", NOTES);
    write("src/.gitignore", "generated/\n*.tmp\n!important.tmp\n");
    write("src/Main.java", MAIN);
    write("src/a.tmp", "TODO ignored\n");
    write("src/important.tmp", "no hits\n");
    write("src/generated/Gen.java", "// TODO ignored\n");
    write("src/sub/.gitignore", "!*.log\n");
    write("src/sub/debug.log", "FIXME re-included\n");
    Files.createSymbolicLink(repo.resolve("etc"), Paths.get("/etc"));
    Files.createSymbolicLink(repo.resolve("up"), Paths.get(".."));
    Files.createSymbolicLink(repo.resolve("docs/readme-link.md"), Paths.get("notes.md"));
  }

  @Test
  void run_mustShowRepo_rejectsSymlinksSkipsIgnoredAndIndexesBinariesWithoutScanning()
      throws IOException {
    FakeTaskContext ctx = context();

    TaskResult result = task.run(ctx);

    String gitignore = "*.log\nbuild/\n!keep.log\n";
    String srcIgnore = "generated/\n*.tmp\n!important.tmp\n";
    assertThat(ctx.readLines(INDEX))
        .containsExactly(
            row(".gitignore", gitignore, "gitignore", 3, 23, "[]", "{}"),
            "{\"path\": \"data.bin\", \"size\": 15, \"sha256\": \""
                + sha256(BINARY)
                + "\", \"language\": \"other\", \"binary\": true, \"lines\": null,"
                + " \"bytes_scanned\": 0, \"keyword_hits\": [], \"hit_lines\": {}}",
            row(
                "docs/notes.md",
                NOTES,
                "markdown",
                4,
                46,
                "[\"TODO\", \"FIXME\"]",
                "{\"TODO\": [2, 4], \"FIXME\": [4]}"),
            row("keep.log", "TODO keep\n", "other", 1, 10, "[\"TODO\"]", "{\"TODO\": [1]}"),
            row("src/.gitignore", srcIgnore, "gitignore", 3, 32, "[]", "{}"),
            row(
                "src/Main.java",
                MAIN,
                "java",
                6,
                76,
                "[\"TODO\", \"FIXME\"]",
                "{\"TODO\": [4, 5], \"FIXME\": [2]}"),
            row("src/important.tmp", "no hits\n", "other", 1, 8, "[]", "{}"),
            row("src/sub/.gitignore", "!*.log\n", "gitignore", 1, 7, "[]", "{}"),
            row(
                "src/sub/debug.log",
                "FIXME re-included\n",
                "other",
                1,
                18,
                "[\"FIXME\"]",
                "{\"FIXME\": [1]}"));
    assertThat(ctx.evidence().events())
        .containsExactly(
            rejected("docs/readme-link.md", "path_rejected:symlink"),
            rejected("etc", "path_rejected:outside_repo"),
            rejected("up", "path_rejected:outside_repo"));
    assertThat(result.result())
        .containsEntry("files_considered", 9)
        .containsEntry("files_indexed", 9)
        .containsEntry("hits_written", 4L)
        .containsEntry("binaries", 1)
        .containsEntry("symlinks_rejected", 3)
        .containsEntry("bytes_total", 235L)
        .containsEntry("languages", Map.of("gitignore", 3, "java", 1, "markdown", 1, "other", 4));
    assertThat(result.summaryMarkdown())
        .contains(
            "| path | hit lines | keywords |\n|---|---:|---|\n"
                + "| `docs/notes.md` | 3 | TODO, FIXME |\n"
                + "| `src/Main.java` | 3 | TODO, FIXME |\n"
                + "| `keep.log` | 1 | TODO |\n"
                + "| `src/sub/debug.log` | 1 | FIXME |\n");
  }

  @Test
  void run_withAndWithoutAGitFolder_writesTheSameIndex() throws IOException {
    FakeTaskContext without = context();
    TaskResult first = task.run(without);
    byte[] indexWithout = Files.readAllBytes(repo.resolve(INDEX));

    write(".git/HEAD", "ref: refs/heads/main\n");
    write(".git/config", "[core]\n\tbare = false\n");
    write(".git/info/exclude", "# git ls-files --others --exclude-from=.git/info/exclude\n");
    write(".git/objects/TODO", "TODO FIXME\n");
    FakeTaskContext with = context();
    TaskResult second = task.run(with);

    assertThat(Files.readAllBytes(repo.resolve(INDEX))).isEqualTo(indexWithout);
    assertThat(second.result()).isEqualTo(first.result());
    assertThat(with.evidence().events()).isEqualTo(without.evidence().events());
  }

  @Test
  void run_gitInfoExclude_isHonouredBelowTheGitignoreFiles() throws IOException {
    write(".git/info/exclude", "*.md\ndata.bin\nsrc/important.tmp\n");
    write("src/.gitignore", "generated/\n*.tmp\n!important.tmp\n!*.md\n");
    write("src/readme.md", "FIXME\n");

    FakeTaskContext ctx = context();
    task.run(ctx);

    // data.bin and docs/*.md are excluded; the .gitignore files' negations (!important.tmp,
    // !*.md) take precedence below src
    assertThat(ctx.readLines(INDEX))
        .extracting(line -> line.substring(10, line.indexOf("\", ")))
        .containsExactly(
            ".gitignore",
            "keep.log",
            "src/.gitignore",
            "src/Main.java",
            "src/important.tmp",
            "src/readme.md",
            "src/sub/.gitignore",
            "src/sub/debug.log");
  }

  private FakeTaskContext context() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("include_globs", List.of("**"));
    payload.put("max_files", 100);
    payload.put("max_file_bytes", 4096);
    payload.put("keywords", List.of("TODO", "FIXME", "todo"));
    return new FakeTaskContext(repo, FakeTaskContext.job(RepoIndexTask.ID, payload));
  }

  private static RecordingEvidence.Event rejected(String path, String reason) {
    return new RecordingEvidence.Event("path_rejected", Map.of("path", path, "reason", reason));
  }

  private void write(String rel, String content) throws IOException {
    Path file = repo.resolve(rel);
    Files.createDirectories(file.getParent());
    Files.write(file, content.getBytes(StandardCharsets.UTF_8));
  }
}
