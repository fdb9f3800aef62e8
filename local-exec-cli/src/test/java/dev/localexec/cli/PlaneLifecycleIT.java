package dev.localexec.cli;

import static dev.localexec.cli.Fixtures.POLICY_SUBPROCESS;
import static dev.localexec.cli.Fixtures.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.localexec.core.json.Json;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local-exec plane start|stop|status|health|install-units} as separate JVMs on a temporary
 * repo root, in pidfile mode (the default where {@code systemctl --user} fails, as here and on CI)
 * and in systemd mode against a fake {@code systemctl}: the original's lines, a job run by the
 * daemon, stale pidfiles (a dead pid, a live foreign process, a reused pid), concurrent starts,
 * graceful stop within and past the grace period, and the rendered unit file. Every process a test
 * starts, and every worker it is told about, is killed by its pid afterwards.
 */
class PlaneLifecycleIT {
  private static final Pattern PID = Pattern.compile("pid=(\\d+)");
  private static final String MAIN = "dev.localexec.cli.LocalExecCli";

  @TempDir Path root;
  @TempDir Path io;

  /** Pids of workers the CLI reported and of processes the test started. */
  private final List<Long> pids = new ArrayList<>();

  @RegisterExtension final CliProcesses processes = new CliProcesses();
  private int runs;

  private record Run(int code, List<String> lines, String err, Duration took) {
    String line(int i) {
      return lines.get(i);
    }

    String last() {
      return lines.get(lines.size() - 1);
    }
  }

  /** Runs the CLI as its own JVM on {@link #root} with extra environment, waiting for it. */
  private Run cli(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(MAIN);
    command.add("--repo-root");
    command.add(root.toString());
    command.addAll(List.of(args));
    return run(command, env);
  }

  private Run cli(String... args) throws Exception {
    return cli(Map.of(), args);
  }

  private Run run(List<String> command, Map<String, String> env) throws Exception {
    int n = ++runs;
    Path out = io.resolve("run" + n + ".out");
    Path err = io.resolve("run" + n + ".err");
    CliProcesses.Launch launch =
        processes
            .program(command)
            .in(io)
            .stdout(out)
            .stderr(err)
            .env("XDG_CONFIG_HOME", null)
            .env("LOCAL_EXEC_HOME", null)
            .env(env);
    Instant t0 = Instant.now();
    Process p = launch.start();
    boolean ended = p.waitFor(180, TimeUnit.SECONDS);
    Duration took = Duration.between(t0, Instant.now());
    assertThat(ended).as("%s ended", command.subList(3, command.size())).isTrue();
    String text = Files.readString(out, StandardCharsets.UTF_8);
    List<String> lines = text.isEmpty() ? List.of() : List.of(text.split("\n"));
    for (String line : lines) {
      Matcher m = PID.matcher(line);
      if (m.find()) {
        pids.add(Long.parseLong(m.group(1)));
      }
    }
    return new Run(p.exitValue(), lines, Files.readString(err, StandardCharsets.UTF_8), took);
  }

  private Process startForeign(String... argv) throws IOException {
    return processes.program(List.of(argv)).start();
  }

  @AfterEach
  void killWhatWeStarted() throws Exception {
    Optional<Long> fromPidfile = pidfileText().flatMap(PlaneLifecycleIT::firstLinePid);
    fromPidfile.ifPresent(pids::add);
    for (long pid : pids) {
      ProcessHandle.of(pid)
          .filter(h -> isOurWorker(h) || processes.started().stream().anyMatch(p -> p.pid() == pid))
          .ifPresent(PlaneLifecycleIT::killTree);
    }
    for (Process p : processes.started()) {
      processes.reap(p);
    }
  }

  private static void killTree(ProcessHandle h) {
    h.descendants().forEach(ProcessHandle::destroyForcibly);
    h.destroyForcibly();
    h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
  }

  private Path pidfile() {
    return root.resolve("workspace/local_exec/state/worker.pid");
  }

  private Optional<String> pidfileText() throws IOException {
    return Files.exists(pidfile())
        ? Optional.of(Files.readString(pidfile(), StandardCharsets.UTF_8))
        : Optional.empty();
  }

  private static Optional<Long> firstLinePid(String text) {
    try {
      return Optional.of(Long.parseLong(text.lines().findFirst().orElse("").strip()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static long pidIn(String line) {
    Matcher m = PID.matcher(line);
    assertThat(m.find()).as("a pid in '%s'", line).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static List<String> cmdline(long pid) {
    try {
      String raw =
          new String(
              Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
              StandardCharsets.UTF_8);
      return Arrays.asList(raw.split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  private boolean isOurWorker(ProcessHandle h) {
    List<String> a = cmdline(h.pid());
    return a.contains(MAIN) && a.contains("worker") && a.contains(root.toString());
  }

  /** The session id field of {@code /proc/<pid>/stat}. */
  private static long sessionOf(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[3]);
  }

  private static boolean running(long pid) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  private Map<String, Object> jobStatus(String id) {
    Cli.Result r = new Cli(root).run("status", id);
    assertThat(r.code()).as(r.err()).isZero();
    return r.json(0);
  }

  private void awaitState(String id, String state, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      Path ledger = Fixtures.ledger(root);
      if (Files.exists(ledger) && state.equals(jobStatus(id).get("state"))) {
        return;
      }
      Thread.sleep(50);
    }
    assertThat(jobStatus(id).get("state")).as("state of %s", id).isEqualTo(state);
  }

  /** Waits until the job's command has started (its {@code tool_call} evidence). */
  private void awaitCommand(String id) throws InterruptedException {
    Path ev = Fixtures.evidence(root, id + ".jsonl");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(ev) && Fixtures.kinds(root, id).contains("tool_call")) {
        Thread.sleep(200); // the command itself starts right after its tool_call line
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the command of " + id + " did not start within 60 s");
  }

  private void enqueue(String json) {
    Path f = Fixtures.write(io, "job" + (++runs) + ".json", json);
    Cli.Result r = new Cli(root).run("enqueue", "--job-file", f.toString());
    assertThat(r.code()).as(r.err()).isZero();
  }

  private static String sleeper(String id, String seconds) {
    return job(
        id,
        "test_runner_task",
        "{\"commands\": [[\"sleep\", \"" + seconds + "\"]], \"timeout_sec\": 120}",
        "{\"max_wall_time_sec\": 120, \"max_tool_calls\": 10, \"max_output_bytes\": 65536,"
            + " \"max_concurrency_slots\": 1}",
        POLICY_SUBPROCESS);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> lastWorkerEvent() {
    List<Map<String, Object>> events =
        Fixtures.jsonl(Fixtures.evidence(root, "worker_local-exec-worker.jsonl"));
    return events.get(events.size() - 1);
  }

  @Test
  @SuppressWarnings("unchecked")
  void startStatusHealthStop_printTheOriginalLinesAndTheDaemonRunsJobs() throws Exception {
    Run status0 = cli("plane", "status");
    assertThat(status0.lines()).containsExactly("fallback worker inactive");
    assertThat(status0.code()).as("LSB: not running").isEqualTo(3);

    Run start = cli("plane", "start");
    assertThat(start.code()).as(start.err()).isZero();
    assertThat(start.lines()).hasSize(1);
    assertThat(start.line(0)).matches("fallback worker started pid=\\d+");
    long pid = pidIn(start.line(0));
    assertThat(running(pid)).isTrue();
    assertThat(isOurWorker(ProcessHandle.of(pid).orElseThrow())).isTrue();
    assertThat(cmdline(pid)).contains("--loop");
    assertThat(sessionOf(pid)).as("the worker leads its own session (setsid)").isEqualTo(pid);
    assertThat(pidfileText().flatMap(PlaneLifecycleIT::firstLinePid)).contains(pid);

    assertThat(cli("plane", "start").lines())
        .containsExactly("fallback worker already running pid=" + pid);
    Run active = cli("plane", "status");
    assertThat(active.lines()).containsExactly("fallback worker active pid=" + pid);
    assertThat(active.code()).isZero();

    Cli.Result enq = new Cli(root).run("enqueue", "--demo");
    assertThat(enq.code()).as(enq.err()).isZero();
    awaitState("job-demorepoindex01", "complete", Duration.ofSeconds(60));
    assertThat(jobStatus("job-demorepoindex01")).containsEntry("worker_id", "local-exec-worker");

    Run health = cli("plane", "health");
    assertThat(health.code()).as(health.err()).isZero();
    // stdout is the JSON line only; the summary and status lines go to stderr, in that order.
    assertThat(health.lines()).hasSize(1);
    Map<String, Object> h = (Map<String, Object>) Json.parse(health.line(0));
    Map<String, Object> worker = (Map<String, Object>) h.get("worker");
    assertThat(worker).containsEntry("mode", "pidfile").containsEntry("active", true);
    assertThat(((Number) worker.get("pid")).longValue()).isEqualTo(pid);
    List<String> ledger = Files.readAllLines(Fixtures.ledger(root), StandardCharsets.UTF_8);
    assertThat(((Number) h.get("ledger_events")).longValue()).isEqualTo(ledger.size());
    Map<String, Object> lastLine = (Map<String, Object>) Json.parse(ledger.get(ledger.size() - 1));
    assertThat((Map<String, Object>) h.get("last_event"))
        .containsEntry("event", lastLine.get("event"))
        .containsEntry("ts_utc", lastLine.get("ts_utc"));
    List<String> err = health.err().lines().toList();
    int summary =
        err.indexOf(err.stream().filter(l -> l.startsWith("health: ")).findFirst().orElse(""));
    assertThat(summary).as(health.err()).isNotNegative();
    assertThat(err.get(summary))
        .startsWith("health: ok ")
        .contains(" complete=1 ")
        .contains(" events=" + ledger.size() + " ");
    assertThat(err.subList(summary + 1, err.size())).contains("fallback worker active pid=" + pid);

    Run stop = cli("plane", "stop");
    assertThat(stop.code()).as(stop.err()).isZero();
    assertThat(stop.lines()).containsExactly("fallback worker stopped pid=" + pid);
    assertThat(running(pid)).isFalse();
    assertThat(pidfile()).doesNotExist();
    assertThat(lastWorkerEvent()).containsEntry("kind", "loop_exit");
    assertThat((Map<String, Object>) lastWorkerEvent().get("payload"))
        .containsEntry("reason", "stopped")
        .containsEntry("jobs_run", 1)
        .containsEntry("jobs_interrupted", 0)
        .containsEntry("stop_grace_ms", 10_000);

    assertThat(cli("plane", "status").lines()).containsExactly("fallback worker inactive");
    Run again = cli("plane", "stop");
    assertThat(again.code()).isZero();
    assertThat(again.lines()).containsExactly("fallback worker not running");
  }

  @Test
  void aPidfileNamingADeadPid_isReportedAndReplacedByStart() throws Exception {
    Process gone = startForeign("true");
    assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long dead = gone.pid();
    Files.createDirectories(pidfile().getParent());
    Files.writeString(pidfile(), dead + "\n");

    assertThat(cli("plane", "status").lines())
        .containsExactly("fallback worker inactive (stale pidfile pid=" + dead + ": process gone)");

    Run start = cli("plane", "start");
    assertThat(start.code()).as(start.err()).isZero();
    assertThat(start.lines()).hasSize(2);
    assertThat(start.line(0))
        .isEqualTo("fallback worker stale pidfile pid=" + dead + " removed (process gone)");
    assertThat(start.line(1)).matches("fallback worker started pid=\\d+");
    long pid = pidIn(start.line(1));
    assertThat(running(pid)).isTrue();

    assertThat(cli("plane", "stop").lines()).containsExactly("fallback worker stopped pid=" + pid);
    assertThat(running(pid)).isFalse();
  }

  @Test
  void aPidfileNamingAForeignProcess_isNeverSignalled() throws Exception {
    Process sleep = startForeign("sleep", "60");
    long foreign = sleep.pid();
    Files.createDirectories(pidfile().getParent());
    Files.writeString(pidfile(), foreign + "\n");
    String why = "pid " + foreign + " is another program";

    assertThat(cli("plane", "status").lines())
        .containsExactly(
            "fallback worker inactive (stale pidfile pid=" + foreign + ": " + why + ")");
    Run stop = cli("plane", "stop");
    assertThat(stop.code()).as(stop.err()).isZero();
    assertThat(stop.lines())
        .containsExactly(
            "fallback worker not running (stale pidfile pid=" + foreign + " removed: " + why + ")");
    assertThat(pidfile()).doesNotExist();
    Thread.sleep(200);
    assertThat(sleep.isAlive()).as("the foreign sleep after stop").isTrue();

    Files.writeString(pidfile(), foreign + "\n");
    Run start = cli("plane", "start");
    assertThat(start.code()).as(start.err()).isZero();
    assertThat(start.lines())
        .hasSize(2)
        .first()
        .isEqualTo("fallback worker stale pidfile pid=" + foreign + " removed (" + why + ")");
    long pid = pidIn(start.line(1));
    assertThat(pid).isNotEqualTo(foreign);
    assertThat(cli("plane", "stop").lines()).containsExactly("fallback worker stopped pid=" + pid);
    assertThat(sleep.isAlive()).as("the foreign sleep after the worker's stop").isTrue();

    sleep.destroyForcibly();
    assertThat(sleep.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aPidfileWhosePidWasReused_isStaleEvenIfTheProcessLooksLikeOurWorker() throws Exception {
    Run start = cli("plane", "start");
    assertThat(start.code()).as(start.err()).isZero();
    long pid = pidIn(start.line(0));
    String original = pidfileText().orElseThrow();
    assertThat(original).contains("started_at=");
    // The same pid and command line, but the pidfile recorded another start time: not ours.
    Files.writeString(
        pidfile(), original.replaceAll("started_at=.*", "started_at=2001-01-01T00:00:00Z"));

    Run status = cli("plane", "status");
    assertThat(status.lines()).hasSize(1);
    assertThat(status.line(0))
        .startsWith("fallback worker inactive (stale pidfile pid=" + pid + ": pid " + pid)
        .contains("was reused");
    Run stop = cli("plane", "stop");
    assertThat(stop.line(0)).startsWith("fallback worker not running (stale pidfile pid=" + pid);
    Thread.sleep(200);
    assertThat(running(pid))
        .as("a worker the pidfile no longer vouches for is not signalled")
        .isTrue();

    Files.writeString(pidfile(), original);
    assertThat(cli("plane", "stop").lines()).containsExactly("fallback worker stopped pid=" + pid);
    assertThat(running(pid)).isFalse();
  }

  @Test
  void twoConcurrentStarts_startOneWorker() throws Exception {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            MAIN,
            "--repo-root",
            root.toString(),
            "plane",
            "start");
    List<Process> both = new ArrayList<>();
    List<Path> outs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Path out = io.resolve("concurrent" + i + ".out");
      outs.add(out);
      both.add(processes.program(command).stdout(out).start());
    }
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      assertThat(both.get(i).waitFor(180, TimeUnit.SECONDS)).isTrue();
      assertThat(both.get(i).exitValue()).isZero();
      lines.addAll(Files.readAllLines(outs.get(i), StandardCharsets.UTF_8));
    }
    lines.forEach(l -> pids.add(pidIn(l)));
    assertThat(lines).hasSize(2);
    long pid = pidIn(lines.stream().filter(l -> l.contains("started")).findFirst().orElseThrow());
    assertThat(lines)
        .containsExactlyInAnyOrder(
            "fallback worker started pid=" + pid, "fallback worker already running pid=" + pid);

    assertThat(cli("plane", "stop").lines()).containsExactly("fallback worker stopped pid=" + pid);
  }

  @Test
  @SuppressWarnings("unchecked")
  void stop_letsARunningJobFinishWithinTheGracePeriod() throws Exception {
    Run start = cli("plane", "start");
    assertThat(start.code()).as(start.err()).isZero();
    long pid = pidIn(start.line(0));
    enqueue(sleeper("job-gracefull01", "2"));
    awaitCommand("job-gracefull01");
    Instant stopAsked = Instant.now();

    Run stop = cli("plane", "stop");

    assertThat(stop.lines()).containsExactly("fallback worker stopped pid=" + pid);
    assertThat(running(pid)).isFalse();
    Map<String, Object> s = jobStatus("job-gracefull01");
    assertThat(s).containsEntry("state", "complete").doesNotContainKey("error");
    List<Map<String, Object>> ev = Fixtures.jsonl(Fixtures.evidence(root, "job-gracefull01.jsonl"));
    Map<String, Object> complete = ev.get(ev.size() - 1);
    assertThat(complete).containsEntry("kind", "complete");
    assertThat(Instant.parse((String) complete.get("ts_utc")))
        .as("the job completed after the stop was asked")
        .isAfter(stopAsked);
    assertThat(Fixtures.kinds(root, "job-gracefull01")).doesNotContain("worker_stopped");
    assertThat((Map<String, Object>) lastWorkerEvent().get("payload"))
        .containsEntry("reason", "stopped")
        .containsEntry("jobs_run", 1)
        .containsEntry("jobs_interrupted", 0);
  }

  @Test
  @SuppressWarnings("unchecked")
  void stop_failsAJobStillRunningWhenTheGracePeriodEndsAndEndsItsProcess() throws Exception {
    String seconds = "60." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
    Run start = cli("plane", "start", "--stop-grace-sec", "1");
    assertThat(start.code()).as(start.err()).isZero();
    long pid = pidIn(start.line(0));
    assertThat(pidfileText().orElseThrow()).contains("stop_grace_sec=1\n");
    enqueue(sleeper("job-gracepast01", seconds));
    awaitCommand("job-gracepast01");
    assertThat(processesWithArg(seconds)).as("the job's sleep runs").isNotZero();

    Run stop = cli("plane", "stop");

    assertThat(stop.lines()).containsExactly("fallback worker stopped pid=" + pid);
    assertThat(stop.took()).isLessThan(Duration.ofSeconds(15));
    assertThat(running(pid)).isFalse();
    assertThat(jobStatus("job-gracepast01"))
        .containsEntry("state", "failed")
        .containsEntry("error", "worker_stopped:subprocess");
    assertThat(Fixtures.payloadOf(root, "job-gracepast01", "worker_stopped"))
        .containsEntry("where", "subprocess")
        .containsEntry("grace_ms", 1000);
    assertThat((Map<String, Object>) lastWorkerEvent().get("payload"))
        .containsEntry("reason", "stopped")
        .containsEntry("jobs_interrupted", 1)
        .containsEntry("stop_grace_ms", 1000);
    assertThat(processesWithArg(seconds)).as("the job's sleep after the stop").isZero();
  }

  /** Running processes with {@code arg} as one of their arguments. */
  private static long processesWithArg(String arg) {
    return ProcessHandle.allProcesses()
        .filter(h -> cmdline(h.pid()).contains(arg))
        .filter(h -> running(h.pid()))
        .count();
  }

  /** A folder holding a fake {@code systemctl} that logs its arguments. */
  private Path fakeSystemctl(boolean available) throws IOException {
    Path bin = Files.createDirectories(io.resolve("fakebin"));
    Path script = bin.resolve("systemctl");
    Files.writeString(
        script,
        String.join(
            "\n",
            "#!/bin/sh",
            "dir=\"$(dirname \"$0\")\"",
            "echo \"$*\" >> \"$dir/calls.log\"",
            "[ \"$1\" = --user ] || exit 64",
            "shift",
            "case \"$1\" in",
            "  show-environment) " + (available ? "echo HOME=/x; exit 0" : "exit 1") + " ;;",
            "  daemon-reload) exit 0 ;;",
            "  start) echo active > \"$dir/state\" ;;",
            "  stop) echo inactive > \"$dir/state\" ;;",
            "  show)",
            "    state=$(cat \"$dir/state\" 2>/dev/null || echo inactive)",
            "    echo \"ActiveState=$state\"",
            "    echo \"SubState=running\"",
            "    if [ \"$state\" = active ]; then echo MainPID=4242; else echo MainPID=0; fi ;;",
            "  *) exit 1 ;;",
            "esac",
            ""));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  private Map<String, String> env(Path home, Path fakeBin) {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("PATH", fakeBin + File.pathSeparator + System.getenv("PATH"));
    return env;
  }

  private static Path checkout() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    assertThat(p.resolve("bin/local-exec")).isExecutable();
    return p;
  }

  @Test
  void installUnits_rendersTheUnitForThisRootIntoTheUsersConfig() throws Exception {
    Path home = Files.createDirectories(io.resolve("home"));
    Map<String, String> env = env(home, fakeSystemctl(false));
    env.put("LOCAL_EXEC_HOME", checkout().toString());

    Run r = cli(env, "plane", "install-units");

    assertThat(r.code()).as(r.err()).isZero();
    Path unit = home.resolve(".config/systemd/user/local-exec-worker.service");
    assertThat(r.lines())
        .containsExactly(
            "installed local-exec-worker.service at " + unit,
            "systemd user mode not available here (systemctl --user show-environment failed);"
                + " plane start uses the pidfile daemon");
    String text = Files.readString(unit, StandardCharsets.UTF_8);
    assertThat(text.lines())
        .contains(
            "ExecStart="
                + checkout().resolve("bin/local-exec")
                + " --repo-root "
                + root
                + " worker --loop --stop-grace-sec 10",
            "WorkingDirectory=" + root,
            "Restart=on-failure",
            "KillSignal=SIGTERM",
            "KillMode=mixed",
            "TimeoutStopSec=20",
            "SuccessExitStatus=143",
            "WantedBy=default.target");

    Run again = cli(env, "plane", "install-units");
    assertThat(again.line(0)).isEqualTo("unchanged local-exec-worker.service at " + unit);
  }

  @Test
  void installUnits_writesAUnitThatSystemdAnalyzeVerifies() throws Exception {
    Optional<Path> analyze =
        Arrays.stream(System.getenv("PATH").split(File.pathSeparator))
            .map(d -> Path.of(d, "systemd-analyze"))
            .filter(Files::isExecutable)
            .findFirst();
    assumeTrue(analyze.isPresent(), "systemd-analyze is not installed (Debian package systemd)");
    Path home = Files.createDirectories(io.resolve("home"));
    // A root that needs quoting and escaping in the unit file; cli() runs on this one.
    root = Files.createDirectories(root.resolve("a repo %root"));

    Run r = cli(env(home, fakeSystemctl(false)), "plane", "install-units", "--slots", "2");

    assertThat(r.code()).as(r.err()).isZero();
    Path unit = home.resolve(".config/systemd/user/local-exec-worker.service");
    assertThat(Files.readString(unit, StandardCharsets.UTF_8))
        .contains("WorkingDirectory=" + root.toString().replace("%", "%%"))
        .contains(" --slots 2 --stop-grace-sec 10\n");
    Run verify = run(List.of(analyze.get().toString(), "verify", unit.toString()), Map.of());
    assertThat(verify.code()).as(verify.err()).isZero();
    assertThat(verify.err()).as("systemd-analyze's complaints").isEmpty();
  }

  @Test
  void systemdMode_startsStopsAndReportsTheUnitThroughSystemctl() throws Exception {
    Path home = Files.createDirectories(io.resolve("home"));
    Path fake = fakeSystemctl(true);
    Map<String, String> env = env(home, fake);

    Run start = cli(env, "plane", "start");
    assertThat(start.code()).as(start.err()).isZero();
    assertThat(start.lines())
        .containsExactly("systemd worker started unit=local-exec-worker.service pid=4242");
    assertThat(home.resolve(".config/systemd/user/local-exec-worker.service")).exists();
    assertThat(Files.readAllLines(fake.resolve("calls.log")))
        .containsSubsequence(
            "--user show-environment",
            "--user daemon-reload",
            "--user start local-exec-worker.service");
    Run status = cli(env, "plane", "status");
    assertThat(status.lines())
        .containsExactly("systemd worker active unit=local-exec-worker.service pid=4242");
    Run stop = cli(env, "plane", "stop");
    assertThat(stop.lines())
        .containsExactly("systemd worker stopped unit=local-exec-worker.service pid=4242");
    assertThat(cli(env, "plane", "status").lines())
        .containsExactly("systemd worker inactive unit=local-exec-worker.service state=inactive");
    assertThat(Files.readAllLines(fake.resolve("calls.log")))
        .contains("--user stop local-exec-worker.service");
    assertThat(pidfile()).doesNotExist();
  }

  @Test
  void planeUsage_errorsAreOneLineWithExitCode2() throws Exception {
    Run r = cli("plane", "status", "--slots", "2");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo("local-exec: --slots is a flag of plane start and install-units");
    Run m = cli("plane", "start", "--mode", "cron");
    assertThat(m.code()).isEqualTo(2);
    assertThat(m.err().strip())
        .isEqualTo("local-exec: --mode must be auto, systemd or pidfile, got 'cron'");
    assertThat(pidfile()).doesNotExist();
  }
}
