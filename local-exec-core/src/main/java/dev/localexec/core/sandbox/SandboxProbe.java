package dev.localexec.core.sandbox;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.exec.LaunchSpec;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.internal.sandbox.BwrapLauncher;
import dev.localexec.core.internal.sandbox.UnavailableLauncher;
import dev.localexec.core.internal.sandbox.UnshareLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, at start-up, which sandbox a plane's subprocesses get. A mechanism counts as working
 * only if its program is on the search path <b>and</b> a trial run of {@code true} with the very
 * flags a job gets (network isolated) exits 0 within {@value #TRIAL_SECONDS} s. The outcome of a
 * trial is cached per JVM, search path and repo root, since it costs tens of milliseconds; the
 * choice is logged with the reason the other mechanisms were not taken. Thread-safe.
 *
 * <p>A subclass may replace {@link #choose(SandboxMode, Path, List, List)}, which the other {@code
 * choose} methods and the plane call (e.g. a test that counts the probes a plane makes).
 */
public class SandboxProbe {

  /** How long a trial run may take. */
  public static final int TRIAL_SECONDS = 5;

  private static final Logger log = LoggerFactory.getLogger(SandboxProbe.class);
  private static final ConcurrentMap<List<String>, Outcome> TRIALS = new ConcurrentHashMap<>();
  private static final int MAX_ERROR_CHARS = 300;

  private final String searchPath;

  /**
   * A probe looking for the sandbox programs in the folders of {@code searchPath}; see {@link
   * #searching}.
   */
  protected SandboxProbe(String searchPath) {
    this.searchPath = Objects.requireNonNull(searchPath, "searchPath");
  }

  /** The probe a plane uses: it looks for the programs on {@value LocalArgvRunner#SAFE_PATH}. */
  public static SandboxProbe standard() {
    return new SandboxProbe(LocalArgvRunner.SAFE_PATH);
  }

  /**
   * A probe looking for {@code bwrap} and {@code unshare} only in the folders of {@code searchPath}
   * (e.g. a folder holding neither, to check what happens on a host without them).
   */
  public static SandboxProbe searching(String searchPath) {
    return new SandboxProbe(searchPath);
  }

  /** Where this probe looks for the sandbox programs, folders separated by {@code :}. */
  public String searchPath() {
    return searchPath;
  }

  /**
   * The chosen sandbox, with a launcher and the reason it was chosen.
   *
   * @param launcher starts the subprocesses; for {@code unavailable} it refuses them
   * @param sandbox what it enforces
   * @param reason why this one: what was tried and why the others were not taken, and how to fix a
   *     missing sandbox
   */
  public record Choice(ProcessLauncher launcher, Sandbox sandbox, String reason) {

    /** Checks that nothing is missing. */
    public Choice {
      Objects.requireNonNull(launcher, "launcher");
      Objects.requireNonNull(sandbox, "sandbox");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Chooses the sandbox of a plane serving {@code root}, keeping {@code
   * <root>/workspace/local_exec} read-only; see {@link #choose(SandboxMode, Path, List)}.
   */
  public Choice choose(SandboxMode mode, Path root) {
    return choose(mode, root, List.of(Path.of(BwrapLauncher.PLANE_FOLDER)));
  }

  /**
   * Chooses the sandbox of a plane serving {@code root}. May block for up to two trial runs
   * ({@value #TRIAL_SECONDS} s each at worst) the first time for a root.
   *
   * @param mode {@link SandboxMode#AUTO}: bubblewrap, else {@code unshare}, else a launcher that
   *     refuses every subprocess with {@code sandbox_unavailable}; {@link SandboxMode#BWRAP} or
   *     {@link SandboxMode#UNSHARE}: that one; {@link SandboxMode#NONE}: none, without a trial
   * @param root the repo root
   * @param readOnlyInsideRoot folders under the root that bubblewrap keeps read-only (the plane's)
   * @throws LocalExecException with code {@code sandbox_unavailable} when a forced mechanism does
   *     not work, saying why
   */
  public Choice choose(SandboxMode mode, Path root, List<Path> readOnlyInsideRoot) {
    return choose(mode, root, readOnlyInsideRoot, BwrapLauncher.CONTROL_PATHS);
  }

  /**
   * Chooses the sandbox as {@link #choose(SandboxMode, Path, List)} does, keeping {@code
   * controlPaths} (root-relative, see {@link BwrapLauncher#CONTROL_PATHS}) read-only under
   * bubblewrap.
   */
  public Choice choose(
      SandboxMode mode, Path root, List<Path> readOnlyInsideRoot, List<String> controlPaths) {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(root, "root");
    switch (mode) {
      case NONE -> {
        Choice c =
            new Choice(
                new DirectLauncher(),
                Sandbox.none(),
                "the sandbox was turned off explicitly (SandboxMode.NONE): subprocesses run"
                    + " with the worker's network and filesystem");
        log.warn("sandbox for {}: none; {}", root, c.reason());
        return c;
      }
      case BWRAP -> {
        Trial bwrap = bwrapTrial(root, readOnlyInsideRoot, controlPaths);
        if (!bwrap.works()) {
          throw forcedFailed(
              "bwrap", bwrap, "install bubblewrap (Debian: apt-get install bubblewrap)");
        }
        return chosen(bwrap, root, "bwrap was requested (SandboxMode.BWRAP) and works");
      }
      case UNSHARE -> {
        Trial unshare = unshareTrial(root);
        if (!unshare.works()) {
          throw forcedFailed(
              "unshare", unshare, "install util-linux and enable unprivileged user namespaces");
        }
        return chosen(
            unshare,
            root,
            "unshare was requested (SandboxMode.UNSHARE) and works; it gives no filesystem"
                + " isolation");
      }
      default -> {
        Trial bwrap = bwrapTrial(root, readOnlyInsideRoot, controlPaths);
        if (bwrap.works()) {
          return chosen(bwrap, root, "bwrap works; unshare was not needed");
        }
        Trial unshare = unshareTrial(root);
        if (unshare.works()) {
          return chosen(
              unshare,
              root,
              "bwrap does not work ("
                  + bwrap.detail()
                  + "), unshare does; unshare gives no filesystem isolation: install bubblewrap"
                  + " (Debian: apt-get install bubblewrap) for it");
        }
        String reason =
            "no sandbox works on this host, so subprocesses are refused (fail closed). bwrap: "
                + bwrap.detail()
                + ". unshare: "
                + unshare.detail()
                + ". Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), or turn the"
                + " sandbox off explicitly: LocalExecPlane.Builder.sandbox(SandboxMode.NONE), or"
                + " --sandbox none on the command line";
        log.warn("sandbox for {}: unavailable; {}", root, reason);
        return new Choice(new UnavailableLauncher(reason), Sandbox.unavailable(), reason);
      }
    }
  }

  private static Choice chosen(Trial trial, Path root, String why) {
    String reason = why + " (" + trial.detail() + ")";
    log.info("sandbox for {}: {}; {}", root, trial.launcher().name(), reason);
    return new Choice(trial.launcher(), Sandbox.of(trial.launcher()), reason);
  }

  private static LocalExecException forcedFailed(String name, Trial trial, String fix) {
    return new LocalExecException(
        "sandbox_unavailable",
        "sandbox mode "
            + name
            + " was requested but "
            + name
            + " does not work: "
            + trial.detail()
            + "; "
            + fix
            + ", or choose another mode (auto, or none to turn the sandbox off)",
        false);
  }

  /** A trial's outcome: a launcher when it works, and what happened. */
  private record Trial(ProcessLauncher launcher, String detail) {
    boolean works() {
      return launcher != null;
    }
  }

  private Trial bwrapTrial(Path root, List<Path> readOnlyInsideRoot, List<String> controlPaths) {
    Path exe = find(BwrapLauncher.NAME);
    if (exe == null) {
      return new Trial(null, "not installed (no executable 'bwrap' in " + searchPath + ")");
    }
    BwrapLauncher launcher;
    try {
      launcher = new BwrapLauncher(exe, root, readOnlyInsideRoot, controlPaths);
    } catch (IllegalArgumentException e) {
      return new Trial(null, e.getMessage());
    }
    return cached(exe, launcher.root(), launcher);
  }

  private Trial unshareTrial(Path root) {
    Path exe = find(UnshareLauncher.NAME);
    if (exe == null) {
      return new Trial(null, "not installed (no executable 'unshare' in " + searchPath + ")");
    }
    Path real;
    try {
      real = root.toAbsolutePath().toRealPath();
    } catch (IOException e) {
      return new Trial(null, "repo root " + root + " cannot be resolved: " + e);
    }
    return cached(exe, real, new UnshareLauncher(exe));
  }

  /** The trial of {@code launcher} in {@code root}, run once per JVM, program and root. */
  private static Trial cached(Path exe, Path root, ProcessLauncher launcher) {
    List<String> key = List.of(exe.toString(), root.toString());
    Outcome outcome = TRIALS.get(key);
    if (outcome == null) {
      outcome = tryOnce(exe, root, launcher);
      if (!Thread.currentThread().isInterrupted()) {
        Outcome first = TRIALS.putIfAbsent(key, outcome);
        outcome = first != null ? first : outcome;
      }
    }
    return new Trial(outcome.works() ? launcher : null, outcome.detail());
  }

  /** What a trial run found. */
  private record Outcome(boolean works, String detail) {}

  /** Runs {@code true} through {@code launcher}, network isolated, in {@code root}. */
  private static Outcome tryOnce(Path exe, Path root, ProcessLauncher launcher) {
    LaunchSpec spec =
        new LaunchSpec(List.of("true"), root, Map.of("PATH", LocalArgvRunner.SAFE_PATH), false);
    String what = "a trial run of 'true' through " + exe;
    long t0 = System.nanoTime();
    Process p;
    try {
      p = launcher.start(spec);
    } catch (IOException | RuntimeException e) {
      return new Outcome(false, "'" + exe + "' could not be started: " + e.getMessage());
    }
    try {
      InputStream err = p.getErrorStream();
      if (!p.waitFor(TRIAL_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(1, TimeUnit.SECONDS);
        return new Outcome(false, what + " did not end within " + TRIAL_SECONDS + " s");
      }
      long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
      int code = p.exitValue();
      if (code != 0) {
        String text =
            new String(err.readNBytes(Math.min(err.available(), 4096)), StandardCharsets.UTF_8)
                .strip()
                .replace('\n', ' ');
        if (text.length() > MAX_ERROR_CHARS) {
          text = text.substring(0, MAX_ERROR_CHARS) + "...";
        }
        return new Outcome(
            false, what + " exited with " + code + (text.isEmpty() ? "" : ": " + text));
      }
      return new Outcome(true, what + " exited 0 in " + ms + " ms");
    } catch (IOException e) {
      return new Outcome(false, what + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Outcome(false, what + " was interrupted");
    } finally {
      closeQuietly(p.getInputStream());
      closeQuietly(p.getErrorStream());
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      log.debug("closing a trial's output failed: {}", e.toString());
    }
  }

  private Path find(String program) {
    for (String dir : searchPath.split(":", -1)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
