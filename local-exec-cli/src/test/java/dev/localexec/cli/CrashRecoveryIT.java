package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1000 jobs, 4 worker processes on one state folder, a worker killed with {@code kill -9} at random
 * moments at least 50 times and restarted: every job ends complete or failed exactly once, none is
 * lost, no attempt of a job is claimed while an earlier attempt's lease holds, the evidence
 * verifies, and no process is left over.
 */
class CrashRecoveryIT {
  private static final int JOBS = 1000;
  private static final int WORKERS = 4;
  private static final int MIN_KILLS = 50;
  private static final long SEED = 4242L;

  @TempDir Path root;

  private final String marker = "LOCAL_EXEC_CRASH_" + UUID.randomUUID().toString().replace("-", "");
  @RegisterExtension final CliProcesses processes = new CliProcesses();

  private Process startWorker(int n) throws IOException {
    return processes
        .cli(
            root,
            "--worker-id",
            "w" + n,
            "worker",
            "--loop",
            "--idle-sleep-ms",
            "20",
            "--lease-sec",
            "3")
        .stderr(root.resolve("worker-" + n + ".err"))
        .start();
  }

  /** Waits until worker {@code workerId} holds a running job, or {@code maxMs} have passed. */
  private static void awaitRunningJob(LocalExecPlane plane, String workerId, long maxMs)
      throws InterruptedException {
    long until = System.currentTimeMillis() + maxMs;
    while (System.currentTimeMillis() < until) {
      boolean holds =
          plane.status().stream()
              .anyMatch(
                  s ->
                      s.state() == dev.localexec.core.queue.JobState.RUNNING
                          && workerId.equals(s.workerId()));
      if (holds) {
        return;
      }
      Thread.sleep(20);
    }
  }

  private String job(int i) {
    return CrashJobs.sleepJob(String.format("job-crash%06d", i), marker);
  }

  /** The ledger's lines that parse; a torn line from a killed writer is skipped. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> readableLines(Path ledger) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : Files.readAllLines(ledger, StandardCharsets.UTF_8)) {
      try {
        if (Json.parse(line) instanceof Map<?, ?> m && m.get("job_id") != null) {
          out.add((Map<String, Object>) m);
        }
      } catch (RuntimeException e) {
        // a torn write, named by the torn_line event that follows it
      }
    }
    return out;
  }

  @Test
  void killedWorkers_loseNoJobAndRunNoJobTwiceAtOnce() throws Exception {
    LocalExecPlane plane = LocalExecPlane.builder(root).discoverPlugins().build();
    for (int i = 0; i < JOBS; i++) {
      plane.enqueue(plane.parseJob(job(i)));
    }
    Process[] workers = new Process[WORKERS];
    for (int n = 0; n < WORKERS; n++) {
      workers[n] = startWorker(n);
    }
    Random rnd = new Random(SEED);
    int kills = 0;
    long deadline = System.currentTimeMillis() + 15 * 60_000;
    while (System.currentTimeMillis() < deadline) {
      Thread.sleep(200 + rnd.nextInt(600));
      long done = plane.status().stream().filter(s -> s.state().terminal()).count();
      if (kills >= MIN_KILLS && done == JOBS) {
        break;
      }
      if (kills < MIN_KILLS) {
        int n = rnd.nextInt(WORKERS);
        // Kill it while it holds a job (waiting a little for one): on a slow machine a worker
        // killed at random may still be starting, and then no attempt would be interrupted.
        awaitRunningJob(plane, "w" + n, 5_000);
        workers[n].destroyForcibly().waitFor();
        kills++;
        workers[n] = startWorker(n);
      }
    }
    plane.turnKillSwitchOn("crash test done");
    for (Process w : workers) {
      assertThat(w.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    assertThat(kills).isGreaterThanOrEqualTo(MIN_KILLS);
    List<JobStatus> status = plane.status();
    assertThat(status).hasSize(JOBS);
    assertThat(status).allMatch(s -> s.state().terminal(), "every job finished");

    Map<String, Integer> terminalEvents = new HashMap<>();
    Map<String, Double> leaseUntil = new HashMap<>();
    Map<String, Integer> lastAttempt = new HashMap<>();
    List<String> overlaps = new ArrayList<>();
    for (Map<String, Object> e : readableLines(Fixtures.ledger(root))) {
      String id = (String) e.get("job_id");
      String kind = (String) e.get("event");
      double ts = java.time.Instant.parse((String) e.get("ts_utc")).toEpochMilli() / 1000.0;
      switch (kind) {
        case "claim" -> {
          int attempt = ((Number) e.get("attempt")).intValue();
          Double held = leaseUntil.get(id);
          if (held != null && ts < held) {
            overlaps.add(
                id + " attempt " + attempt + " claimed while the lease held until " + held);
          }
          assertThat(attempt).isEqualTo(lastAttempt.getOrDefault(id, 0) + 1);
          lastAttempt.put(id, attempt);
          leaseUntil.put(id, ((Number) e.get("lease_expires_unix")).doubleValue());
        }
        case "heartbeat" ->
            leaseUntil.put(id, ((Number) e.get("lease_expires_unix")).doubleValue());
        case "complete", "fail" -> {
          terminalEvents.merge(id, 1, Integer::sum);
          leaseUntil.remove(id);
        }
        default -> {}
      }
    }
    assertThat(overlaps).isEmpty();
    assertThat(terminalEvents).hasSize(JOBS);
    assertThat(terminalEvents.values()).allMatch(n -> n == 1, "exactly one terminal event a job");
    assertThat(lastAttempt.values().stream().mapToInt(Integer::intValue).max().orElse(0))
        .as("some job ran again after its worker was killed")
        .isGreaterThan(1);

    Cli.Result verify = new Cli(root).run("verify");
    assertThat(verify.code()).as(verify.out()).isZero();
    assertThat(Fixtures.processesWithEnvironment(marker)).isZero();
    for (Process p : processes.started()) {
      assertThat(p.isAlive()).isFalse();
    }
  }
}
