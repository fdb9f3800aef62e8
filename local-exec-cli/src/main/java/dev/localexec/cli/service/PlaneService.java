package dev.localexec.cli.service;

import dev.localexec.core.plane.PlaneLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Start, stop and report the background worker of one repo root, in systemd user mode or as a
 * pidfile daemon. Each command returns the plain lines to print, the original tool's: {@code
 * fallback worker started pid=N}, {@code fallback worker already running pid=N}, {@code fallback
 * worker stopped pid=N}, {@code fallback worker not running}, {@code fallback worker active pid=N},
 * {@code fallback worker inactive} (and {@code systemd worker ...} in systemd mode).
 */
public final class PlaneService {

  /** How the worker is kept running. */
  public enum Mode {
    /** Systemd user mode when {@code systemctl --user show-environment} works, else pidfile. */
    AUTO,
    /** The user unit {@code local-exec-worker.service} through {@code systemctl --user}. */
    SYSTEMD,
    /** A detached process recorded in {@code state/worker.pid}. */
    PIDFILE;

    /** Parses {@code auto}, {@code systemd} or {@code pidfile}. */
    public static Mode parse(String s) {
      for (Mode m : values()) {
        if (m.name().toLowerCase(Locale.ROOT).equals(s)) {
          return m;
        }
      }
      throw new IllegalArgumentException("must be auto, systemd or pidfile, got '" + s + "'");
    }
  }

  private final boolean systemd;
  private final boolean systemdAvailable;
  private final PidfileDaemon pidfile;
  private final SystemdUserService unit;

  private PlaneService(
      boolean systemd, boolean systemdAvailable, PidfileDaemon pidfile, SystemdUserService unit) {
    this.systemd = systemd;
    this.systemdAvailable = systemdAvailable;
    this.pidfile = pidfile;
    this.unit = unit;
  }

  /**
   * The service of {@code command}'s repo root.
   *
   * @param layout where the plane keeps its files (the pidfile, lock and log go to its state
   *     folder)
   * @param command the worker to run
   * @param mode how; {@link Mode#AUTO} runs {@code systemctl --user show-environment} to decide
   * @param env the environment: {@code PATH} (to find {@code systemctl}), {@code HOME} and {@code
   *     XDG_CONFIG_HOME} (where the unit goes), {@code LOCAL_EXEC_HOME} and {@code
   *     LOCAL_EXEC_JAVA_OPTS} (how the worker is started); the pidfile daemon gets it as its
   *     environment
   */
  public static PlaneService of(
      PlaneLayout layout, WorkerCommand command, Mode mode, Map<String, String> env) {
    boolean available = mode != Mode.PIDFILE && SystemdUserService.available(env);
    boolean useSystemd = mode == Mode.SYSTEMD || (mode == Mode.AUTO && available);
    return new PlaneService(
        useSystemd,
        available,
        new PidfileDaemon(layout, command, env),
        new SystemdUserService(command, env));
  }

  /** {@code systemd} or {@code pidfile}. */
  public String mode() {
    return systemd ? "systemd" : "pidfile";
  }

  /** Starts the worker unless it runs; see the class comment for the lines. */
  public List<String> start() {
    return systemd ? unit.start() : pidfile.start();
  }

  /** Stops the worker gracefully (SIGTERM, the grace period, then SIGKILL). */
  public List<String> stop() {
    return systemd ? unit.stop() : pidfile.stop();
  }

  /** Says whether the worker runs; changes nothing. */
  public List<String> status() {
    return systemd ? unit.status() : pidfile.status();
  }

  /** The worker's state as a JSON object for {@code health}. */
  public Map<String, Object> describe() {
    return systemd ? unit.describe() : pidfile.describe();
  }

  /**
   * Renders {@code local-exec-worker.service} for this repo root into the user unit folder, and
   * reloads systemd's user units when systemd user mode works.
   */
  public List<String> installUnits() {
    List<String> lines = new ArrayList<>(unit.install(systemdAvailable));
    if (!systemdAvailable) {
      lines.add(
          "systemd user mode not available here (systemctl --user show-environment failed);"
              + " plane start uses the pidfile daemon");
    } else {
      lines.add("start at login: systemctl --user enable " + SystemdUserService.UNIT);
    }
    return lines;
  }
}
