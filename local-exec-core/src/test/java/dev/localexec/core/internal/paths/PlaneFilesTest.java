package dev.localexec.core.internal.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.internal.evidence.Summaries;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.sandbox.SandboxMode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plane opens its files without following symlinks planted in the repo root. */
class PlaneFilesTest {
  @TempDir Path tmp;

  @Test
  void checkFolder_createsTheFolders_andAcceptsPlainOnes() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("repo"));

    PlaneFiles.checkFolder(root, root.resolve("workspace/local_exec/state"));

    assertThat(root.resolve("workspace/local_exec/state")).isDirectory();
  }

  @Test
  void checkFolder_refusesASymlinkOnTheWay() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("repo"));
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.createSymbolicLink(root.resolve("workspace"), elsewhere);

    IOException e =
        catchThrowableOfType(
            IOException.class,
            () -> PlaneFiles.checkFolder(root, root.resolve("workspace/local_exec/state")));

    assertThat(e)
        .hasMessage(
            root.resolve("workspace")
                + " is a symlink; the plane never follows links inside the repo root to its own"
                + " files. Remove it (the plane recreates its folders), or keep the plane's files"
                + " outside the root");
    assertThat(elsewhere).isEmptyDirectory();
  }

  @Test
  void checkFolder_refusesAFileWhereAFolderBelongs() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(root.resolve("workspace"), "not a folder");

    IOException e =
        catchThrowableOfType(
            IOException.class, () -> PlaneFiles.checkFolder(root, root.resolve("workspace/x")));

    assertThat(e)
        .hasMessage(
            root.resolve("workspace")
                + " is not a folder; the plane keeps its files there. Move it away and retry");
  }

  @Test
  void open_refusesASymlink_andLeavesItsTargetAlone() throws IOException {
    Path victim = Files.writeString(tmp.resolve("victim"), "keep");
    Path link = tmp.resolve("jobs.jsonl");
    Files.createSymbolicLink(link, victim);

    IOException e =
        catchThrowableOfType(
            IOException.class,
            () -> {
              try (FileChannel ch =
                  PlaneFiles.open(link, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ch.write(java.nio.ByteBuffer.wrap("x".getBytes()));
              }
            });

    assertThat(e).hasMessageStartingWith(link + " is a symlink");
    assertThat(Files.readString(victim)).isEqualTo("keep");
  }

  @Test
  void aSummaryIsNeverWrittenThroughAPlantedTemporaryLink() throws IOException {
    Path evidence = Files.createDirectories(tmp.resolve("evidence"));
    Path victim = Files.writeString(tmp.resolve("victim"), "keep");
    Files.createSymbolicLink(evidence.resolve("job-x1234567.md.tmp"), victim);
    Files.createSymbolicLink(evidence.resolve("job-x1234567.md"), victim);

    Summaries.write(evidence, "job-x1234567", "# summary\n");

    assertThat(Files.readString(victim)).isEqualTo("keep");
    assertThat(Files.isSymbolicLink(evidence.resolve("job-x1234567.md"))).isFalse();
    assertThat(evidence.resolve("job-x1234567.md")).hasContent("# summary");
  }

  @Test
  void aPlaneOverASymlinkedWorkspace_refusesToOpen() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("repo"));
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/local_exec/state"));
    Files.createSymbolicLink(root.resolve("workspace"), elsewhere.getParent().getParent());

    LocalExecException e =
        catchThrowableOfType(
            LocalExecException.class,
            () -> LocalExecPlane.builder(root).sandbox(SandboxMode.NONE).build());

    assertThat(e.code()).isEqualTo("plane_folder_unsafe");
    assertThat(e)
        .hasMessageStartingWith(
            "refusing to use "
                + root.resolve("workspace/local_exec/state")
                + ": "
                + root.resolve("workspace")
                + " is a symlink");
    assertThat(elsewhere).isEmptyDirectory();
  }
}
