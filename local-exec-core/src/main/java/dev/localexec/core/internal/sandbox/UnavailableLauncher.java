package dev.localexec.core.internal.sandbox;

import dev.localexec.api.PolicyViolationException;
import dev.localexec.core.exec.LaunchSpec;
import dev.localexec.core.exec.ProcessLauncher;
import java.io.IOException;
import java.util.Objects;

/**
 * The launcher of a plane on which no sandbox works and which did not turn the sandbox off: it
 * starts nothing. {@link #checkAvailable()} refuses every command with {@code sandbox_unavailable},
 * before the runner counts the call (fail closed). Thread-safe.
 */
public final class UnavailableLauncher implements ProcessLauncher {

  public static final String NAME = "unavailable";

  private final String reason;

  /**
   * A launcher refusing everything.
   *
   * @param reason what was tried, why it failed and how to fix it
   */
  public UnavailableLauncher(String reason) {
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void checkAvailable() {
    throw new PolicyViolationException("sandbox_unavailable", "subprocess refused: " + reason);
  }

  /** Never starts anything. */
  @Override
  public Process start(LaunchSpec spec) throws IOException {
    checkAvailable();
    throw new IOException("unreachable: " + reason);
  }
}
