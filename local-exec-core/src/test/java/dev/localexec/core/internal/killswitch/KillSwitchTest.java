package dev.localexec.core.internal.killswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KillSwitchTest {
  @TempDir Path dir;

  @Test
  void isOn_falseWithoutTheFile() {
    KillSwitch ks = new KillSwitch(dir.resolve("state/KILL_SWITCH"));

    assertThat(ks.isOn()).isFalse();
    assertThatCode(() -> ks.check("before_claim")).doesNotThrowAnyException();
  }

  @Test
  void turnOn_createsTheFileWithTheReason() throws IOException {
    KillSwitch ks = new KillSwitch(dir.resolve("state/KILL_SWITCH"));

    ks.turnOn("disk full");

    assertThat(ks.isOn()).isTrue();
    assertThat(Files.readString(dir.resolve("state/KILL_SWITCH"))).isEqualTo("disk full\n");
  }

  @Test
  void turnOn_withoutReasonWritesAnEmptyFile() throws IOException {
    KillSwitch ks = new KillSwitch(dir.resolve("KILL_SWITCH"));

    ks.turnOn(null);

    assertThat(ks.isOn()).isTrue();
    assertThat(Files.readString(dir.resolve("KILL_SWITCH"))).isEmpty();
  }

  @Test
  void check_throwsWithTheStepInTheCode() {
    KillSwitch ks = new KillSwitch(dir.resolve("KILL_SWITCH"));
    ks.turnOn("stop");

    assertThatThrownBy(() -> ks.check("before_claim"))
        .isInstanceOfSatisfying(
            KillSwitchException.class,
            e -> {
              assertThat(e.code()).isEqualTo("kill_switch:before_claim");
              assertThat(e.where()).isEqualTo("before_claim");
              assertThat(e.retryable()).isFalse();
              assertThat(e.getMessage())
                  .isEqualTo(
                      "kill switch is on (seen at before_claim); turn it off to run jobs again");
            });
  }

  @Test
  void check_seesAFileCreatedByAnotherProcess() throws IOException {
    KillSwitch ks = new KillSwitch(dir.resolve("KILL_SWITCH"));
    Files.writeString(dir.resolve("KILL_SWITCH"), "");

    assertThatThrownBy(() -> ks.check("between_commands"))
        .isInstanceOf(KillSwitchException.class)
        .extracting(e -> ((LocalExecException) e).code())
        .isEqualTo("kill_switch:between_commands");
  }

  @Test
  void turnOff_removesTheFileAndSaysWhetherItWasOn() {
    KillSwitch ks = new KillSwitch(dir.resolve("KILL_SWITCH"));
    ks.turnOn("stop");

    assertThat(ks.turnOff()).isTrue();
    assertThat(ks.isOn()).isFalse();
    assertThat(Files.exists(dir.resolve("KILL_SWITCH"))).isFalse();
    assertThat(ks.turnOff()).isFalse();
    assertThatCode(() -> ks.check("before_claim")).doesNotThrowAnyException();
  }

  @Test
  void turnOn_unwritableFolderIsARetryableError() throws IOException {
    Files.writeString(dir.resolve("blocker"), "a file, not a folder");
    KillSwitch ks = new KillSwitch(dir.resolve("blocker/KILL_SWITCH"));

    assertThatThrownBy(() -> ks.turnOn("stop"))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e -> {
              assertThat(e.code()).isEqualTo("kill_switch_write_failed");
              assertThat(e.retryable()).isTrue();
              assertThat(e.getMessage()).startsWith("cannot create " + ks.file() + ": ");
            });
  }

  @Test
  void file_isAbsoluteAndNormalized() {
    KillSwitch ks = new KillSwitch(dir.resolve("a/../KILL_SWITCH"));

    assertThat(ks.file()).isEqualTo(dir.toAbsolutePath().normalize().resolve("KILL_SWITCH"));
  }

  @Test
  void aDanglingSymlinkInItsPlace_isOn_andTurnOnReplacesItWithoutFollowing() throws IOException {
    Path file = Files.createDirectories(dir.resolve("state")).resolve("KILL_SWITCH");
    Files.createSymbolicLink(file, Path.of("/proc/nonexistent/ks"));
    KillSwitch ks = new KillSwitch(file);

    assertThat(ks.isOn()).isTrue();

    ks.turnOn("stop");

    assertThat(Files.isSymbolicLink(file)).isFalse();
    assertThat(Files.readString(file)).isEqualTo("stop\n");
    assertThat(ks.turnOff()).isTrue();
    assertThat(ks.isOn()).isFalse();
  }

  @Test
  void turnOn_throughASymlinkToAFile_neverWritesTheTarget() throws IOException {
    Path victim = Files.writeString(dir.resolve("victim.txt"), "keep\n");
    Path file = Files.createDirectories(dir.resolve("state")).resolve("KILL_SWITCH");
    Files.createSymbolicLink(file, victim);

    new KillSwitch(file).turnOn("stop");

    assertThat(Files.readString(victim)).isEqualTo("keep\n");
    assertThat(Files.readString(file)).isEqualTo("stop\n");
  }
}
