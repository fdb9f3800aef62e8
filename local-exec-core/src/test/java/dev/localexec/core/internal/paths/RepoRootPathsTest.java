package dev.localexec.core.internal.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.PathRejectedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RepoRootPathsTest {

  @TempDir Path temp;
  private Path root;
  private RepoRootPaths paths;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(temp.resolve("repo"));
    Files.createDirectories(root.resolve("src/main"));
    Files.writeString(root.resolve("src/main/a.txt"), "a");
    Files.writeString(temp.resolve("secret.txt"), "outside");
    paths = RepoRootPaths.of(root);
  }

  private static String reason(RepoRootPaths paths, String rel) {
    PathRejectedException e =
        catchThrowableOfType(PathRejectedException.class, () -> paths.resolveExisting(rel));
    assertThat(e).as("'%s' must be refused", rel).isNotNull();
    assertThat(e.path()).isEqualTo(rel);
    assertThat(e.code()).isEqualTo("path_rejected:" + e.reason());
    return e.reason();
  }

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "../etc/passwd | parent_ref",
        "src/../../x | parent_ref",
        "src\\..\\x | parent_ref",
        "src/main/.. | parent_ref",
        "/etc/passwd | absolute",
        "\\etc\\passwd | absolute",
        "C:\\Windows | absolute",
        "c:/x | absolute",
        "missing.txt | not_found",
        "src/missing/a.txt | not_found",
      })
  void resolveExisting_refuses(String rel, String expected) {
    assertThat(reason(paths, rel)).isEqualTo(expected);
  }

  @Test
  void resolveExisting_emptyOrBlankOrNull_isEmpty() {
    assertThat(reason(paths, "")).isEqualTo("empty");
    assertThat(reason(paths, "  ")).isEqualTo("empty");
    assertThat(reason(paths, null)).isEqualTo("empty");
  }

  @Test
  void resolveExisting_absoluteCheckedBeforeParentRef() {
    assertThat(reason(paths, "/../x")).isEqualTo("absolute");
  }

  @Test
  void resolveExisting_symlinkLeadingOut_isOutsideRepo() throws IOException {
    Files.createSymbolicLink(root.resolve("link.txt"), temp.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("linkdir"), temp);

    assertThat(reason(paths, "link.txt")).isEqualTo("outside_repo");
    assertThat(reason(paths, "linkdir")).isEqualTo("outside_repo");
    assertThat(reason(paths, "linkdir/secret.txt")).isEqualTo("outside_repo");
  }

  @Test
  void resolveExisting_siblingWithRootAsPrefix_isOutsideRepo() throws IOException {
    Path sibling = Files.createDirectories(temp.resolve("repo-other"));
    Files.writeString(sibling.resolve("x.txt"), "x");
    Files.createSymbolicLink(root.resolve("sib"), sibling);

    assertThat(reason(paths, "sib/x.txt")).isEqualTo("outside_repo");
  }

  @Test
  void resolveExisting_danglingSymlink_isNotFound() throws IOException {
    Files.createSymbolicLink(root.resolve("dangling"), temp.resolve("nothing-here"));

    assertThat(reason(paths, "dangling")).isEqualTo("not_found");
  }

  @Test
  void resolveExisting_symlinkInsideRoot_resolvesToRealPath() throws IOException {
    Files.createSymbolicLink(root.resolve("alias"), root.resolve("src/main"));

    Path resolved = paths.resolveExisting("alias/a.txt");

    assertThat(resolved).isEqualTo(root.toRealPath().resolve("src/main/a.txt"));
  }

  @Test
  void resolveExisting_existing_returnsRealPathInsideRoot() throws IOException {
    assertThat(paths.resolveExisting("src/main/a.txt"))
        .isEqualTo(root.toRealPath().resolve("src/main/a.txt"));
    assertThat(paths.resolveExisting("./src//main/"))
        .isEqualTo(root.toRealPath().resolve("src/main"));
    assertThat(paths.resolveExisting(".")).isEqualTo(root.toRealPath());
  }

  @Test
  void resolveDirectory_file_isNotADirectory() {
    PathRejectedException e =
        catchThrowableOfType(
            PathRejectedException.class, () -> paths.resolveDirectory("src/main/a.txt"));

    assertThat(e.code()).isEqualTo("path_rejected:not_a_directory");
    assertThat(paths.resolveDirectory("src")).isEqualTo(paths.root().resolve("src"));
  }

  @Test
  void resolveDirectory_missing_isNotFound() {
    assertThatThrownBy(() -> paths.resolveDirectory("nope"))
        .isInstanceOf(PathRejectedException.class)
        .hasFieldOrPropertyWithValue("reason", "not_found");
  }

  @Test
  void of_rootThroughSymlink_isRealAndAbsolute() throws IOException {
    Path link = Files.createSymbolicLink(temp.resolve("repo-link"), root);

    RepoRootPaths viaLink = RepoRootPaths.of(link);

    assertThat(viaLink.root()).isEqualTo(root.toRealPath()).isAbsolute();
    assertThat(viaLink.resolveExisting("src/main/a.txt"))
        .isEqualTo(root.toRealPath().resolve("src/main/a.txt"));
  }

  @Test
  void of_missingRoot_isRefused() {
    assertThatThrownBy(() -> RepoRootPaths.of(temp.resolve("none")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("none");
  }

  @Test
  void relativize_givesSlashSeparatedRelativePath() {
    assertThat(paths.relativize(paths.root())).isEqualTo(".");
    assertThat(paths.relativize(paths.root().resolve("src/main/a.txt")))
        .isEqualTo("src/main/a.txt");
    assertThat(paths.relativize(paths.resolveExisting("src/main"))).isEqualTo("src/main");
  }

  @Test
  void relativize_outside_isRefused() {
    assertThatThrownBy(() -> paths.relativize(temp.resolve("secret.txt")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
