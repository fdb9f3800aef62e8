package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.exec.ProcessStates;
import dev.localexec.core.json.Json;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.sandbox.SandboxProbe;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A repo root a hostile job runs in, and the operator's side of it: the CLI in separate JVMs (as
 * the operator runs it), job documents, and what the host sees afterwards. Every process it starts
 * is stopped by {@link #close()}, which fails if any descendant of the test JVM is still running.
 */
final class HostileRepo {
  /** Set to {@code 1} where a missing sandbox must fail the tests instead of skipping them. */
  static final String REQUIRE = "LOCAL_EXEC_REQUIRE_SANDBOX";

  /** A stack trace line, or an exception or error class named on standard error. */
  private static final Pattern TRACE =
      Pattern.compile("(?m)^\\s+at [\\w$.]+\\(|\\b[A-Za-z_$][\\w$.]*(Exception|Error)\\b");

  private static final Pattern EVENT = Pattern.compile("\"event\": \"([a-z_]+)\"");

  final Path root;
  final Path outside;
  private final CliProcesses processes;
  private int calls;

  /**
   * A hostile repo at {@code root}; the CLI's own output goes to {@code outside} (a folder outside
   * the root). Skips the test when bubblewrap does not work here, or fails it when {@value
   * #REQUIRE} is {@code 1}. Its processes are started and reaped by {@code processes}.
   */
  HostileRepo(Path root, Path outside, CliProcesses processes) {
    this.root = root;
    this.outside = outside;
    this.processes = processes;
    try {
      SandboxProbe.standard().choose(SandboxMode.BWRAP, root);
    } catch (LocalExecException e) {
      if ("1".equals(System.getenv(REQUIRE))) {
        fail("bubblewrap not working but " + REQUIRE + "=1: " + e.getMessage());
      }
      assumeTrue(false, "bubblewrap not working: " + e.getMessage());
    }
  }

  /** What one CLI call exited with and printed. */
  record Run(String name, int code, String out, String err) {
    /** The last line of standard output as JSON. */
    @SuppressWarnings("unchecked")
    Map<String, Object> lastJson() {
      String[] lines = out.strip().split("\n");
      return (Map<String, Object>) Json.parse(lines[lines.length - 1]);
    }

    /** The last line of standard output as JSON, or an empty map when it is not JSON. */
    Map<String, Object> jsonOrEmpty() {
      try {
        return lastJson();
      } catch (RuntimeException e) {
        return Map.of();
      }
    }

    /** The stack-trace or exception lines of standard error, empty when there are none. */
    List<String> traceLines() {
      List<String> found = new ArrayList<>();
      for (String line : err.split("\n")) {
        if (TRACE.matcher(line).find()) {
          found.add(line);
        }
      }
      return found;
    }

    @Override
    public String toString() {
      return name + " exit " + code + "\nstdout: " + cut(out) + "\nstderr: " + cut(err);
    }

    private static String cut(String s) {
      return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
    }
  }

  private List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LocalExecCli.class.getName());
    command.add("--repo-root");
    command.add(root.toString());
    command.addAll(List.of(args));
    return command;
  }

  private CliProcesses.Launch builder(String name, String... args) {
    return processes
        .program(command(args))
        .in(outside)
        .stdout(outside.resolve(name + ".out"))
        .stderr(outside.resolve(name + ".err"));
  }

  /** Runs {@code local-exec --repo-root ROOT args...} in a separate JVM and waits for it. */
  Run cli(String... args) throws IOException, InterruptedException {
    String name = String.format("cli-%02d-%s", ++calls, args[0]);
    Process p = builder(name, args).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      processes.reap(p);
      throw new AssertionError(name + " did not finish in 180 s: " + List.of(args));
    }
    return finished(name, p);
  }

  /** Starts {@code local-exec --repo-root ROOT args...} in a separate JVM without waiting. */
  Process start(String name, String... args) throws IOException {
    return builder(name, args).start();
  }

  /**
   * Starts {@code worker --loop} under bubblewrap, polling every 100 ms, with {@code flags} (e.g.
   * {@code --lease-sec 3}); it runs until the kill switch is on or 600 s pass without a job.
   */
  Process startWorkerLoop(String... flags) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "worker",
                "--loop",
                "--sandbox",
                "bwrap",
                "--idle-sleep-ms",
                "100",
                "--max-idle-sec",
                "600"));
    args.addAll(List.of(flags));
    return start("worker-loop", args.toArray(String[]::new));
  }

  /** What a process {@link #start}ed as {@code name} exited with and printed; it must be done. */
  Run finished(String name, Process p) throws IOException {
    return new Run(
        name,
        p.exitValue(),
        Files.readString(outside.resolve(name + ".out"), StandardCharsets.UTF_8),
        Files.readString(outside.resolve(name + ".err"), StandardCharsets.UTF_8));
  }

  /** Enqueues {@code doc} (written to a file outside the root) and checks it was accepted. */
  void enqueue(String doc) throws IOException, InterruptedException {
    Path file = outside.resolve("job-" + (calls + 1) + ".json");
    Files.writeString(file, doc, StandardCharsets.UTF_8);
    Run r = cli("enqueue", "--job-file", file.toString());
    assertThat(r.code()).as("the job is accepted: %s", r).isZero();
  }

  /** One {@code worker --once} under bubblewrap; its outcome line. */
  Map<String, Object> runOnce() throws IOException, InterruptedException {
    Run r = cli("worker", "--once", "--sandbox", "bwrap");
    assertThat(r.code()).as("worker --once: %s", r).isZero();
    return r.lastJson();
  }

  /** The commands' results of a worker outcome. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> results(Map<String, Object> outcome) {
    assertThat(outcome.get("result")).as("the job's result in %s", outcome).isNotNull();
    return (List<Map<String, Object>>) ((Map<String, Object>) outcome.get("result")).get("results");
  }

  /**
   * The return code of command {@code i} of a worker outcome; when the job ran no command (it
   * failed before), a text saying so, which is not 0 either.
   */
  @SuppressWarnings("unchecked")
  static Object returncode(Map<String, Object> outcome, int i) {
    if (!(outcome.get("result") instanceof Map<?, ?> result)
        || !(result.get("results") instanceof List<?> list)
        || list.size() <= i) {
      return "no command ran: " + outcome;
    }
    return ((Map<String, Object>) list.get(i)).get("returncode");
  }

  /** A {@code test_runner_task} job of {@code commands}, subprocesses allowed, network as given. */
  static String job(
      String id, List<List<String>> commands, boolean network, long maxOutputBytes, int wallSec) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("job_id", id);
    doc.put("job_type", "test_runner_task");
    doc.put("created_at_utc", "2026-12-03T00:00:00Z");
    doc.put("payload", Map.of("commands", commands, "timeout_sec", Math.min(wallSec, 3600)));
    doc.put(
        "budgets",
        Map.of(
            "max_wall_time_sec",
            wallSec,
            "max_tool_calls",
            10,
            "max_output_bytes",
            maxOutputBytes,
            "max_concurrency_slots",
            1));
    doc.put(
        "tool_policy",
        Map.of("allow_network", network, "allow_subprocess", true, "allowed_tools", List.of()));
    return Json.line(doc);
  }

  /** A job of {@code commands} without network, 64 KiB of output and 60 s of wall time. */
  static String job(String id, List<List<String>> commands) {
    return job(id, commands, false, 65536, 60);
  }

  /** The ledger at the default place under the root. */
  Path ledger() {
    return root.resolve("workspace/local_exec/state/jobs.jsonl");
  }

  /**
   * The kinds of the ledger's events about {@code jobId}, in order (an {@code enqueue} counts when
   * its job is {@code jobId}). Reads only the start of each line, so a huge line costs no memory.
   */
  List<String> ledgerEvents(String jobId) throws IOException {
    List<String> kinds = new ArrayList<>();
    if (!Files.exists(ledger())) {
      return kinds;
    }
    String idKey = "\"job_id\": \"" + jobId + "\"";
    try (InputStream in = Files.newInputStream(ledger())) {
      byte[] buf = new byte[1 << 16];
      StringBuilder head = new StringBuilder();
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            addKind(kinds, head.toString(), idKey);
            head.setLength(0);
          } else if (head.length() < 600) {
            head.append((char) (buf[i] & 0xff));
          }
        }
      }
      addKind(kinds, head.toString(), idKey);
    }
    return kinds;
  }

  private static void addKind(List<String> kinds, String head, String idKey) {
    Matcher m = EVENT.matcher(head);
    if (head.contains(idKey) && m.find()) {
      kinds.add(m.group(1));
    }
  }

  /** Runs a program on the host (not a job) in the root and waits for it. */
  int host(List<String> argv) throws IOException, InterruptedException {
    Process p = processes.program(argv).in(root).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      processes.reap(p);
      throw new AssertionError("did not finish in 60 s: " + argv);
    }
    return p.exitValue();
  }

  /**
   * Stops what this repo started, then fails if any descendant of the test JVM still runs (zombies
   * do not count).
   */
  void close() throws InterruptedException {
    for (Process p : processes.started()) {
      if (p.isAlive() || p.descendants().anyMatch(ProcessStates::isRunning)) {
        processes.reap(p);
      }
    }
    List<ProcessHandle> left = List.of();
    for (int waited = 0; waited < 2000; waited += 20) {
      left = ProcessHandle.current().descendants().filter(ProcessStates::isRunning).toList();
      if (left.isEmpty()) {
        return;
      }
      Thread.sleep(20);
    }
    List<String> described =
        left.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList();
    left.forEach(ProcessHandle::destroyForcibly);
    throw new AssertionError("child processes left running: " + described);
  }
}
