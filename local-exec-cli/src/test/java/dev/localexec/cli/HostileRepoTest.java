package dev.localexec.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.junit.jupiter.InjectSoftAssertions;
import org.assertj.core.api.junit.jupiter.SoftAssertionsExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up of the hostile-job tests: a fresh repo root and a folder outside it per test, a {@link
 * HostileRepo} over them (bubblewrap required), and soft assertions, so that a failing test names
 * every part of its attack that still works. No test leaves a process running.
 */
@ExtendWith(SoftAssertionsExtension.class)
abstract class HostileRepoTest {
  @TempDir Path root;
  @TempDir Path outside;

  @InjectSoftAssertions SoftAssertions softly;

  @RegisterExtension final CliProcesses processes = new CliProcesses();

  HostileRepo repo;

  @BeforeEach
  void repo() {
    repo = new HostileRepo(root, outside, processes);
  }

  @AfterEach
  void noProcessLeft() throws InterruptedException {
    repo.close();
  }

  /** A command of {@code python3 -c script args...}. */
  static List<String> python(String script, String... args) {
    List<String> argv = new ArrayList<>(List.of("python3", "-c", script));
    argv.addAll(List.of(args));
    return argv;
  }

  /**
   * The plane's folder is where it was: {@code workspace} not a link, {@code workspace/local_exec}
   * a folder, and {@code workspace} not moved to {@code moved}.
   */
  void assertWorkspaceInPlace(String moved) {
    Path ws = root.resolve("workspace");
    softly.assertThat(Files.isSymbolicLink(ws)).as("workspace replaced by a symlink").isFalse();
    softly
        .assertThat(Files.isDirectory(ws.resolve("local_exec"), LinkOption.NOFOLLOW_LINKS))
        .as("workspace/local_exec is still a folder")
        .isTrue();
    softly.assertThat(root.resolve(moved)).as("workspace renamed to %s", moved).doesNotExist();
  }
}
