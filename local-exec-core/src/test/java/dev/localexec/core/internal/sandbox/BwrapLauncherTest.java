package dev.localexec.core.internal.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.core.exec.LaunchSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code bwrap} command line {@link BwrapLauncher} builds, without running it. */
class BwrapLauncherTest {

  @TempDir Path tmp;
  private Path root;
  private BwrapLauncher launcher;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("repo")).toRealPath();
    Files.createDirectories(root.resolve("workspace/local_exec/state"));
    Files.createDirectories(root.resolve("src"));
    launcher = new BwrapLauncher(root);
  }

  private List<String> command(boolean network, Map<String, String> env) {
    LaunchSpec spec =
        new LaunchSpec(List.of("python3", "-c", "print(1)"), root.resolve("src"), env, network);
    try {
      return launcher.command("/usr/bin/bwrap", spec);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The arguments after the repo root's writable bind and before {@code --remount-ro}. */
  private List<String> protectedPart(List<String> c) {
    String r = root.toString();
    int bind = c.indexOf("--bind");
    assertThat(c.subList(bind, bind + 3)).containsExactly("--bind", r, r);
    return c.subList(bind + 3, c.indexOf("--remount-ro"));
  }

  @Test
  void command_startsWithTheIsolationFlags_andEndsWithTheArgvUnchanged() {
    List<String> c = command(false, Map.of("PATH", "/usr/bin"));

    assertThat(c.subList(0, 13))
        .containsExactly(
            "/usr/bin/bwrap",
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--tmpfs",
            "/tmp",
            "--tmpfs");
    assertThat(c.subList(c.size() - 8, c.size()))
        .containsExactly(
            "--remount-ro",
            "/",
            "--chdir",
            root.resolve("src").toString(),
            "--",
            "python3",
            "-c",
            "print(1)");
    assertThat(c).doesNotContain("--share-net", "--clearenv");
  }

  @Test
  void command_withATmpfsSize_sizesTmpRunAndDevShm_andMakesDevReadOnly() throws IOException {
    LaunchSpec spec =
        new LaunchSpec(
            List.of("true"), root.resolve("src"), Map.of(), false, List.of(), 268_435_456);

    List<String> c = launcher.command("/usr/bin/bwrap", spec);

    assertThat(c.subList(6, 26))
        .containsExactly(
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--size",
            "268435456",
            "--tmpfs",
            "/dev/shm",
            "--remount-ro",
            "/dev",
            "--size",
            "268435456",
            "--tmpfs",
            "/tmp",
            "--size",
            "268435456",
            "--tmpfs",
            "/run",
            "--ro-bind",
            "/usr");
  }

  @Test
  void command_withAllowNetwork_sharesTheNetworkOnly() {
    List<String> c = command(true, Map.of());

    assertThat(c.subList(0, 4))
        .containsExactly("/usr/bin/bwrap", "--unshare-all", "--share-net", "--die-with-parent");
  }

  @Test
  void command_bindsTheRepoRootWritable_pinsTheFoldersAboveThePlane_andThePlaneFolderReadOnly() {
    List<String> c = command(false, Map.of());
    String ws = root.resolve("workspace").toString();
    String plane = root.resolve("workspace/local_exec").toString();

    assertThat(protectedPart(c)).containsExactly("--bind", ws, ws, "--ro-bind", plane, plane);
  }

  @Test
  void command_keepsTheControlFilesReadOnly_andPinsGit() throws IOException {
    Path git = Files.createDirectories(root.resolve(".git"));
    Files.writeString(git.resolve("config"), "[core]\n");
    Files.createDirectories(git.resolve("info"));
    Files.writeString(root.resolve(".envrc"), "export X=1\n");
    Files.createDirectories(root.resolve("config/vllm"));
    String g = git.toString();

    List<String> c = command(false, Map.of());

    assertThat(protectedPart(c).subList(6, protectedPart(c).size()))
        .containsExactly(
            "--bind",
            g,
            g,
            "--ro-bind",
            g + "/config",
            g + "/config",
            "--ro-bind",
            g + "/hooks",
            g + "/hooks",
            "--ro-bind",
            g + "/info",
            g + "/info",
            "--ro-bind",
            root + "/.envrc",
            root + "/.envrc",
            "--ro-bind",
            root + "/config",
            root + "/config");
    assertThat(git.resolve("hooks")).isEmptyDirectory();
  }

  @Test
  void command_leavesOutASymlinkedControlPath_andOpenedOnes() throws IOException {
    Files.createSymbolicLink(root.resolve(".envrc"), tmp);
    Files.createDirectories(root.resolve(".vscode"));
    launcher =
        new BwrapLauncher(
            Path.of("bwrap"), root, List.of(Path.of("workspace/local_exec")), List.of(".envrc"));

    List<String> c = command(false, Map.of());

    assertThat(String.join(" ", protectedPart(c))).doesNotContain(".envrc", ".vscode");
  }

  @Test
  void command_refusesToStart_whenAFolderAboveThePlaneIsASymlink() throws IOException {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/local_exec"));
    deleteTree(root.resolve("workspace"));
    Files.createSymbolicLink(root.resolve("workspace"), elsewhere.getParent());
    LaunchSpec spec = new LaunchSpec(List.of("true"), root.resolve("src"), Map.of(), false);

    IOException e =
        catchThrowableOfType(IOException.class, () -> launcher.command("/usr/bin/bwrap", spec));

    assertThat(e).hasMessageContaining("is a symlink or not a folder");
    assertThat(e).hasMessageContaining(root.resolve("workspace/local_exec").toString());
  }

  private static void deleteTree(Path p) throws IOException {
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  @Test
  void command_bindsSystemFoldersReadOnly_andNoSecrets() {
    List<String> c = command(false, Map.of());
    String joined = String.join(" ", c);

    assertThat(joined).contains("--ro-bind /usr /usr");
    assertThat(joined).contains("--ro-bind-try /etc/passwd /etc/passwd");
    assertThat(joined).doesNotContain("--ro-bind / /", "--bind / /", "--ro-bind /etc /etc");
    assertThat(c)
        .noneMatch(
            a ->
                a.startsWith("/etc/shadow")
                    || a.startsWith("/etc/gshadow")
                    || a.startsWith("/etc/sudoers")
                    || a.startsWith("/etc/ssl/private")
                    || a.equals("/etc/ssl")
                    || a.equals("/root")
                    || a.equals("/home")
                    || a.equals("/var"));
    if (Files.isSymbolicLink(Path.of("/bin"))) {
      assertThat(joined).contains("--symlink usr/bin /bin");
    }
  }

  @Test
  void command_holdsNoEnvironmentValue() {
    List<String> c = command(false, Map.of("PATH", "/usr/bin", "API_TOKEN", "s3cret-value"));

    assertThat(String.join(" ", c)).doesNotContain("s3cret-value", "API_TOKEN", "--setenv");
  }

  @Test
  void constructor_refusesARootHoldingSystemFolders() {
    for (String bad : List.of("/", "/usr", "/tmp", "/etc", "/home")) {
      IllegalArgumentException e =
          catchThrowableOfType(
              IllegalArgumentException.class, () -> new BwrapLauncher(Path.of(bad)));

      assertThat(e).as(bad).isNotNull();
      assertThat(e.getMessage()).contains("is or holds the system folder");
    }
  }

  @Test
  void constructor_refusesAMissingRoot() {
    IllegalArgumentException e =
        catchThrowableOfType(
            IllegalArgumentException.class, () -> new BwrapLauncher(tmp.resolve("missing")));

    assertThat(e.getMessage()).contains("cannot be resolved");
  }

  @Test
  void writableFolders_areBoundAtTheirPathsOverThePrivateTmp() throws IOException {
    Path home = Files.createDirectories(tmp.resolve("home")).toRealPath();
    LaunchSpec spec =
        new LaunchSpec(
            List.of("true"),
            root,
            Map.of(),
            false,
            List.of(),
            0,
            ProcessBuilder.Redirect.PIPE,
            List.of(home));

    List<String> c = launcher.command("/usr/bin/bwrap", spec);

    int tmpfs = c.indexOf("/tmp") - 1;
    assertThat(c.get(tmpfs)).isEqualTo("--tmpfs");
    int bind = c.indexOf(home.toString()) - 1;
    assertThat(c.subList(bind, bind + 3))
        .containsExactly("--bind", home.toString(), home.toString());
    assertThat(bind).isGreaterThan(tmpfs);
    assertThat(spec.stdin()).isEqualTo(ProcessBuilder.Redirect.PIPE);
  }

  @Test
  void aJobsCommand_readsDevNull() {
    LaunchSpec spec = new LaunchSpec(List.of("true"), root, Map.of(), false);

    assertThat(spec.stdin()).isEqualTo(LaunchSpec.NO_INPUT);
    assertThat(spec.stdin().file()).isEqualTo(new java.io.File("/dev/null"));
    assertThat(spec.writableFolders()).isEmpty();
  }
}
