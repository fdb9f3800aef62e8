package dev.localexec.cli.service;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.internal.killswitch.KillSwitch;
import dev.localexec.core.plane.PlaneLayout;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fallback daemon: a detached worker process whose pid is kept in {@code state/worker.pid}, its
 * output appended to {@code state/worker.log}. A pidfile is trusted only if its pid runs, is not a
 * zombie, has our command line ({@link WorkerCommand#MAIN_CLASS}, {@code worker}, this repo root)
 * and the start time the pidfile recorded; otherwise it is stale: {@code start} replaces it, {@code
 * stop} removes it without signalling anything. {@code start} and {@code stop} hold a lock on
 * {@code state/worker.pid.lock}, so concurrent calls (in any process) run one after the other.
 */
final class PidfileDaemon {
  /** How far a recorded start time may be from the process's before the pid counts as reused. */
  private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

  /** How long {@code start} waits for the worker's {@code loop_start} event. */
  private static final Duration START_WAIT = Duration.ofSeconds(60);

  /** How much longer than the grace period {@code stop} waits before SIGKILL. */
  static final Duration STOP_MARGIN = Duration.ofSeconds(10);

  private static final long POLL_MS = 50;

  private final PlaneLayout layout;
  private final WorkerCommand command;
  private final Map<String, String> env;

  PidfileDaemon(PlaneLayout layout, WorkerCommand command, Map<String, String> env) {
    this.layout = layout;
    this.command = command;
    this.env = Map.copyOf(env);
  }

  Path pidfile() {
    return layout.stateDir().resolve("worker.pid");
  }

  Path lockFile() {
    return layout.stateDir().resolve("worker.pid.lock");
  }

  Path log() {
    return layout.stateDir().resolve("worker.log");
  }

  /** What the pidfile says, checked against the running processes. */
  record State(Kind kind, long pid, String why, int stopGraceSec) {
    enum Kind {
      /** No pidfile. */
      NONE,
      /** The pidfile names our running worker. */
      RUNNING,
      /** The pidfile names no worker of ours; {@code why} says how. */
      STALE
    }

    boolean running() {
      return kind == Kind.RUNNING;
    }
  }

  /** Reads and checks the pidfile; changes nothing. */
  State state() {
    String text;
    try {
      text = Files.readString(pidfile(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new State(State.Kind.NONE, 0, null, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + layout.display(pidfile()), e);
    }
    Optional<Pidfile> parsed = Pidfile.parse(text, command.stopGraceSec());
    if (parsed.isEmpty()) {
      String first = text.lines().findFirst().orElse("").strip();
      if (first.length() > 40) {
        first = first.substring(0, 40) + "...";
      }
      return new State(State.Kind.STALE, 0, "not a pid: '" + first + "'", 0);
    }
    Pidfile p = parsed.get();
    String why = whyNotOurs(p);
    return why == null
        ? new State(State.Kind.RUNNING, p.pid(), null, p.stopGraceSec())
        : new State(State.Kind.STALE, p.pid(), why, p.stopGraceSec());
  }

  /** Null when {@code p} names our running worker, else the reason it does not. */
  private String whyNotOurs(Pidfile p) {
    Optional<ProcessHandle> h = ProcessHandle.of(p.pid());
    if (h.isEmpty() || !Processes.running(h.get())) {
      return "process gone";
    }
    Optional<List<String>> argv = Processes.argv(h.get());
    if (argv.isEmpty()) {
      return "process gone";
    }
    List<String> a = argv.get();
    if (!a.contains(WorkerCommand.MAIN_CLASS)
        || !a.contains("worker")
        || !a.contains(layout.root().toString())) {
      return "pid " + p.pid() + " is another program";
    }
    if (p.startedAt() != null) {
      Optional<Instant> started = h.get().info().startInstant();
      if (started.isPresent()
          && Duration.between(started.get(), p.startedAt()).abs().compareTo(START_TOLERANCE) > 0) {
        return "pid "
            + p.pid()
            + " was reused: started "
            + started.get()
            + ", not "
            + p.startedAt();
      }
    }
    return null;
  }

  /**
   * Starts the worker unless ours runs. Waits until it has written its {@code loop_start} event.
   *
   * @return the lines to print
   * @throws LocalExecException {@code kill_switch} if the kill switch is on, {@code
   *     worker_start_failed} if the worker exits before its loop starts
   */
  List<String> start() {
    return locked(
        () -> {
          List<String> lines = new ArrayList<>();
          State s = state();
          if (s.running()) {
            return List.of("fallback worker already running pid=" + s.pid());
          }
          if (s.kind() == State.Kind.STALE) {
            Files.deleteIfExists(pidfile());
            lines.add(staleRemoved(s));
          }
          KillSwitch ks = new KillSwitch(layout.killSwitchFile());
          if (ks.isOn()) {
            throw new LocalExecException(
                "kill_switch",
                "the kill switch is on ("
                    + layout.display(layout.killSwitchFile())
                    + "); a worker would exit at once. Turn it off with `local-exec kill-switch"
                    + " off`, then start again",
                false);
          }
          long pid = launch();
          lines.add("fallback worker started pid=" + pid);
          return lines;
        });
  }

  private long launch() throws IOException {
    Path events = layout.evidenceDir().resolve("worker_" + command.workerId() + ".jsonl");
    long eventsBefore = Files.exists(events) ? Files.size(events) : 0;
    List<String> argv = new ArrayList<>();
    // Its own session: no controlling terminal, out of the caller's process group (Ctrl-C, SIGHUP).
    Processes.setsid(env.get("PATH")).ifPresent(p -> argv.add(p.toString()));
    argv.addAll(command.javaArgv(env));
    Files.writeString(
        log(),
        "local-exec: starting worker " + Instant.now() + " for " + layout.root() + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(layout.root().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
            .redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process process = pb.start();
    new Pidfile(
            process.pid(),
            process.info().startInstant().orElse(null),
            command.stopGraceSec(),
            layout.root().toString())
        .write(pidfile());
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        Files.deleteIfExists(pidfile());
        throw new LocalExecException(
            "worker_start_failed",
            "the worker exited with code "
                + process.exitValue()
                + " before its loop started; its output is in "
                + layout.display(log())
                + ": "
                + tail(log(), 3),
            false);
      }
      if (Files.exists(events) && Files.size(events) > eventsBefore) {
        break;
      }
      sleep(POLL_MS);
    }
    return process.pid();
  }

  /**
   * Stops our worker: SIGTERM, up to its grace period plus {@link #STOP_MARGIN} for it to end, then
   * SIGKILL. A stale pidfile is removed and nothing is signalled.
   *
   * @return the lines to print
   */
  List<String> stop() {
    return locked(
        () -> {
          State s = state();
          if (s.kind() == State.Kind.NONE) {
            return List.of("fallback worker not running");
          }
          if (s.kind() == State.Kind.STALE) {
            Files.deleteIfExists(pidfile());
            return List.of(
                "fallback worker not running (stale pidfile"
                    + (s.pid() > 0 ? " pid=" + s.pid() : "")
                    + " removed: "
                    + s.why()
                    + ")");
          }
          List<String> lines = new ArrayList<>();
          ProcessHandle h = ProcessHandle.of(s.pid()).orElse(null);
          if (h != null) {
            h.destroy();
            Duration wait = Duration.ofSeconds(s.stopGraceSec()).plus(STOP_MARGIN);
            if (!awaitEnd(h, wait)) {
              h.destroyForcibly();
              lines.add(
                  "fallback worker pid="
                      + s.pid()
                      + " still running "
                      + wait.toSeconds()
                      + " s after SIGTERM; sent SIGKILL");
              if (!awaitEnd(h, Duration.ofSeconds(10))) {
                throw new LocalExecException(
                    "worker_stop_failed",
                    "the worker pid=" + s.pid() + " survived SIGKILL; the pidfile is kept",
                    true);
              }
            }
          }
          Files.deleteIfExists(pidfile());
          lines.add("fallback worker stopped pid=" + s.pid());
          return lines;
        });
  }

  /** The line {@code status} prints; changes nothing. */
  List<String> status() {
    State s = state();
    return switch (s.kind()) {
      case RUNNING -> List.of("fallback worker active pid=" + s.pid());
      case NONE -> List.of("fallback worker inactive");
      case STALE ->
          List.of(
              "fallback worker inactive (stale pidfile"
                  + (s.pid() > 0 ? " pid=" + s.pid() : "")
                  + ": "
                  + s.why()
                  + ")");
    };
  }

  /** The daemon's state for {@code health}. */
  Map<String, Object> describe() {
    State s = state();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", "pidfile");
    m.put("pidfile", layout.display(pidfile()));
    m.put("active", s.running());
    m.put("pid", s.running() ? s.pid() : null);
    if (s.kind() == State.Kind.STALE) {
      m.put("stale", s.why());
    }
    return m;
  }

  private static String staleRemoved(State s) {
    return "fallback worker stale pidfile"
        + (s.pid() > 0 ? " pid=" + s.pid() : "")
        + " removed ("
        + s.why()
        + ")";
  }

  private static boolean awaitEnd(ProcessHandle h, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (Processes.running(h)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      sleep(POLL_MS);
    }
    return true;
  }

  private interface Body {
    List<String> run() throws IOException;
  }

  @SuppressWarnings("try") // the lock is held by being open
  private List<String> locked(Body body) {
    try {
      Files.createDirectories(layout.stateDir());
      Files.createDirectories(layout.evidenceDir());
      try (FileChannel ch =
              FileChannel.open(lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        return body.run();
      }
    } catch (IOException e) {
      throw new LocalExecException(
          "io_error", "cannot manage the worker in " + layout.stateDir() + ": " + e, true, e);
    }
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalExecException("interrupted", "interrupted while waiting for the worker", true);
    }
  }
}
