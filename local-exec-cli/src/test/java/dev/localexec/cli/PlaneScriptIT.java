package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/local_exec_plane.sh} maps the seed's commands onto {@code bin/local-exec}: run
 * against a stand-in {@code bin/local-exec} ({@code LOCAL_EXEC_BIN}) that prints its arguments.
 */
class PlaneScriptIT {
  @RegisterExtension final CliProcesses processes = new CliProcesses();

  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Path checkout() {
    return Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
  }

  private Run script(Map<String, String> env, String... args) throws Exception {
    Path echo = dir.resolve("echo-args");
    Files.writeString(echo, "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\"; done\necho\n");
    Files.setPosixFilePermissions(echo, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> cmd = new ArrayList<>();
    cmd.add("bash");
    cmd.add(checkout().resolve("scripts/local_exec_plane.sh").toString());
    cmd.addAll(List.of(args));
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    CliProcesses.Finished p =
        processes
            .program(cmd)
            .in(dir)
            .stdout(out)
            .stderr(err)
            .env("LOCAL_EXEC_REPO_ROOT", null)
            .env("LOCAL_EXEC_BIN", echo.toString())
            .env(env)
            .run(java.time.Duration.ofSeconds(30));
    return new Run(p.code(), p.out().strip(), p.err().strip());
  }

  @Test
  void theSeedsCommands_runThePlaneCommandsOnThisCheckout() throws Exception {
    String root = "[--repo-root][" + checkout() + "]";
    for (String c : List.of("start", "stop", "status", "health", "install-units")) {
      assertThat(script(Map.of(), c).out()).isEqualTo(root + "[plane][" + c + "]");
    }
    assertThat(script(Map.of(), "enqueue-demo").out()).isEqualTo(root + "[enqueue][--demo]");
    assertThat(script(Map.of(), "start", "--slots", "2", "--stop-grace-sec", "30").out())
        .isEqualTo(root + "[plane][start][--slots][2][--stop-grace-sec][30]");
  }

  @Test
  void localExecRepoRoot_choosesAnotherRoot() throws Exception {
    assertThat(script(Map.of("LOCAL_EXEC_REPO_ROOT", "/srv/other repo"), "status").out())
        .isEqualTo("[--repo-root][/srv/other repo][plane][status]");
  }

  @Test
  void anUnknownOrMissingCommand_isAUsageError() throws Exception {
    Run unknown = script(Map.of(), "restart");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.out()).isEmpty();
    assertThat(unknown.err())
        .startsWith("local_exec_plane.sh: unknown command 'restart'")
        .contains("usage: local_exec_plane.sh start|stop|status|health|enqueue-demo|install-units");
    Run none = script(Map.of());
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).startsWith("usage: ");
  }
}
