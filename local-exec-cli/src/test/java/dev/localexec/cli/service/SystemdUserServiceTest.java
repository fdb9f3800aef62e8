package dev.localexec.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unit file as rendered from the template in the jar; where it goes. */
class SystemdUserServiceTest {
  @TempDir Path dir;

  private WorkerCommand command(Path root, int grace, String... workerFlags) {
    return new WorkerCommand(root, "local-exec-worker", List.of(), List.of(workerFlags), grace);
  }

  private Path checkout() throws Exception {
    Path home = Files.createDirectories(dir.resolve("checkout/bin"));
    Path launcher = home.resolve("local-exec");
    Files.writeString(launcher, "#!/bin/sh\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home.getParent();
  }

  @Test
  void quote_leavesPlainArgumentsAndQuotesAndEscapesTheRest() {
    assertThat(SystemdUserService.quote("/srv/repo-1/bin/local-exec"))
        .isEqualTo("/srv/repo-1/bin/local-exec");
    assertThat(SystemdUserService.quote("--stop-grace-sec")).isEqualTo("--stop-grace-sec");
    assertThat(SystemdUserService.quote("/a b")).isEqualTo("\"/a b\"");
    assertThat(SystemdUserService.quote("/50%")).isEqualTo("\"/50%%\"");
    assertThat(SystemdUserService.quote("$HOME")).isEqualTo("\"$$HOME\"");
    assertThat(SystemdUserService.quote("say \"hi\"\\")).isEqualTo("\"say \\\"hi\\\"\\\\\"");
  }

  @Test
  void render_runsBinLocalExecOfTheCheckoutForThisRoot() throws Exception {
    Path home = checkout();
    Path root = Files.createDirectories(dir.resolve("repo"));
    SystemdUserService s =
        new SystemdUserService(
            command(root, 30, "--slots", "2"),
            Map.of("LOCAL_EXEC_HOME", home.toString(), "HOME", "/home/u"));

    String unit = s.render();

    assertThat(unit.lines())
        .contains(
            "Description=local-exec worker for " + root,
            "WorkingDirectory=" + root,
            "ExecStart="
                + home.resolve("bin/local-exec")
                + " --repo-root "
                + root
                + " worker --loop --slots 2 --stop-grace-sec 30",
            "Restart=on-failure",
            "KillSignal=SIGTERM",
            "TimeoutStopSec=40");
    assertThat(unit).doesNotContain("@");
  }

  @Test
  void render_withoutACheckout_runsThisJvmWithItsClassPath() {
    SystemdUserService s =
        new SystemdUserService(command(dir, 10), Map.of("LOCAL_EXEC_HOME", "/nonexistent"));

    String exec =
        s.render().lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();

    assertThat(exec)
        .startsWith(
            "ExecStart=" + Path.of(System.getProperty("java.home"), "bin", "java") + " -cp ")
        .contains(" " + WorkerCommand.MAIN_CLASS + " --repo-root " + dir + " worker --loop ");
  }

  @Test
  void unitDir_isXdgConfigHomeOrHomeDotConfig() {
    WorkerCommand c = command(dir, 10);
    assertThat(new SystemdUserService(c, Map.of("HOME", "/home/u")).unitFile())
        .isEqualTo(Path.of("/home/u/.config/systemd/user/local-exec-worker.service"));
    assertThat(
            new SystemdUserService(c, Map.of("HOME", "/home/u", "XDG_CONFIG_HOME", "/cfg"))
                .unitDir())
        .isEqualTo(Path.of("/cfg/systemd/user"));
    assertThat(
            new SystemdUserService(c, Map.of("HOME", "/home/u", "XDG_CONFIG_HOME", "relative"))
                .unitDir())
        .isEqualTo(Path.of("/home/u/.config/systemd/user"));
  }
}
