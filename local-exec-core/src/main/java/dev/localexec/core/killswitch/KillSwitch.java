package dev.localexec.core.killswitch;

import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kill switch file, {@code state/KILL_SWITCH}: present means tripped; its content is a
 * free-text reason. Thread-safe; every call looks at the file system.
 */
public final class KillSwitch {
  private final Path file;

  /** A switch at {@code file}. */
  public KillSwitch(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  /** The switch file. */
  public Path file() {
    return file;
  }

  /** Whether the switch is on (the file exists). */
  public boolean isOn() {
    return Files.exists(file);
  }

  /**
   * Throws if the switch is on.
   *
   * @param where the step, recorded as {@code kill_switch:<where>}
   */
  public void check(String where) {
    if (isOn()) {
      throw new KillSwitchException(where);
    }
  }

  /**
   * Turns the switch on, writing {@code reason} into the file.
   *
   * @throws LocalExecException {@code kill_switch_write_failed} if the file cannot be written
   */
  public void turnOn(String reason) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, reason == null ? "" : reason + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new LocalExecException(
          "kill_switch_write_failed", "cannot create " + file + ": " + e.getMessage(), true, e);
    }
  }

  /**
   * Turns the switch off (removes the file).
   *
   * @return whether it was on
   */
  public boolean turnOff() {
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new LocalExecException(
          "kill_switch_write_failed", "cannot remove " + file + ": " + e.getMessage(), true, e);
    }
  }
}
