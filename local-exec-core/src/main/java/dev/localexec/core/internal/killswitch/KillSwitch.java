package dev.localexec.core.internal.killswitch;

import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import dev.localexec.core.internal.paths.PlaneFiles;
import dev.localexec.core.queue.SharedKillSwitch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The kill switch file, {@code state/KILL_SWITCH}: present means tripped; its content is a
 * free-text reason. When the queue is shared by several hosts, the switch is also a {@link
 * SharedKillSwitch} one (a database row) that trips every host: the switch is on when either is.
 * Thread-safe; every call looks at the file system (and asks the shared switch).
 */
public final class KillSwitch {
  private final Path file;
  private final SharedKillSwitch shared;

  /** A switch at {@code file}. */
  public KillSwitch(Path file) {
    this(file, null);
  }

  /**
   * A switch at {@code file} that is also on when {@code shared} is.
   *
   * @param shared the switch every host sees, or {@code null} for the file alone
   */
  public KillSwitch(Path file, SharedKillSwitch shared) {
    this.file = file.toAbsolutePath().normalize();
    this.shared = shared;
  }

  /** The shared switch, or {@code null} when there is only the file. */
  public SharedKillSwitch shared() {
    return shared;
  }

  /** The switch file. */
  public Path file() {
    return file;
  }

  /**
   * Whether the switch is on: something is at the file's path (a file, a folder, a symlink even
   * when it leads nowhere: anything but nothing trips it, so the switch cannot be defeated by what
   * is planted in its place), or the shared switch is on.
   */
  public boolean isOn() {
    return PlaneFiles.existsAsAnything(file) || (shared != null && shared.isOn());
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
   * Turns the switch on, writing {@code reason} into the file (and the shared switch first). A
   * symlink in the file's place is replaced, never followed.
   *
   * @throws LocalExecException {@code kill_switch_write_failed} if the file cannot be written
   */
  public void turnOn(String reason) {
    if (shared != null) {
      shared.turnOn(reason);
    }
    try {
      Files.createDirectories(file.getParent());
      if (Files.isSymbolicLink(file)) {
        Files.delete(file);
      }
      if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      PlaneFiles.writeAtomically(
          file, (reason == null ? "" : reason + "\n").getBytes(StandardCharsets.UTF_8), false);
    } catch (IOException e) {
      throw new LocalExecException(
          "kill_switch_write_failed", "cannot create " + file + ": " + e.getMessage(), true, e);
    }
  }

  /**
   * Turns the switch off (removes the file, and turns the shared switch off).
   *
   * @return whether it was on
   */
  public boolean turnOff() {
    boolean sharedWasOn = shared != null && shared.turnOff();
    try {
      return Files.deleteIfExists(file) || sharedWasOn;
    } catch (IOException e) {
      throw new LocalExecException(
          "kill_switch_write_failed", "cannot remove " + file + ": " + e.getMessage(), true, e);
    }
  }
}
