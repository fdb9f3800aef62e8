package dev.localexec.core.queue;

import dev.localexec.api.LocalExecException;

/**
 * A kill switch every host sharing a queue sees (e.g. a row in the queue's database), offered by a
 * {@link JobQueue#sharedKillSwitch()}. The plane's switch is on when its file or this switch is.
 * Thread-safe; {@link #isOn()} is called often, so implementations may answer from a cache of a
 * second or so.
 */
public interface SharedKillSwitch {
  /**
   * Whether the shared switch is on; fails safe: an implementation that cannot tell says {@code
   * true} only if it last saw it on.
   */
  boolean isOn();

  /**
   * Turns it on with a free-text reason.
   *
   * @throws LocalExecException if it cannot be written
   */
  void turnOn(String reason);

  /**
   * Turns it off.
   *
   * @return whether it was on
   * @throws LocalExecException if it cannot be written
   */
  boolean turnOff();

  /** Where it lives, for people (never a secret). */
  String location();
}
