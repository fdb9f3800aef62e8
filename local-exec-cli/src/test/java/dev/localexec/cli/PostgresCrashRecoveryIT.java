package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.internal.plane.PlaneInternals;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.queue.Timestamps;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.postgres.PostgresJobQueue;
import dev.localexec.postgres.PostgresQueueConfig;
import dev.localexec.postgres.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1000 jobs on one PostgreSQL queue, 4 worker processes standing in for 4 hosts (each its own repo
 * root, evidence folder and host name, sharing only the database), a worker killed with {@code kill
 * -9} at random moments at least 30 times and restarted, and a worker frozen (SIGSTOP) past its
 * lease a few times: every job ends complete or failed exactly once, none is lost, no attempt of a
 * job is claimed while an earlier attempt's lease holds, fencing tokens only grow, the frozen
 * workers' late writes are refused ({@code stale_claim}), the shared kill switch row stops every
 * worker, each host's evidence verifies against the queue, and no process is left over.
 */
@ExtendWith(PostgresServer.class)
class PostgresCrashRecoveryIT {
  private static final int JOBS = 1000;
  private static final int WORKERS = 4;
  private static final int MIN_KILLS = 30;
  private static final int FREEZES = 3;
  private static final long SEED = 8088L;

  @TempDir Path root;

  private final String marker =
      "LOCAL_EXEC_PGCRASH_" + UUID.randomUUID().toString().replace("-", "");
  @RegisterExtension final CliProcesses processes = new CliProcesses();
  private final long[] startedAtMillis = new long[WORKERS];
  private PostgresQueueConfig config;

  private Path hostRoot(int n) {
    return root.resolve("host-" + n);
  }

  private Process startWorker(int n) throws IOException {
    CliProcesses.Launch launch =
        processes.cli(
            hostRoot(n),
            "--queue-url",
            config.url(),
            "--worker-id",
            "w" + n,
            "worker",
            "--loop",
            "--idle-sleep-ms",
            "20",
            "--lease-sec",
            "3",
            // A worker restarted after a kill claims the job it was killed on first, so the
            // same job can be hit again and again: here every job ends by running.
            "--max-attempts",
            "100");
    launch
        .stderrAppend(root.resolve("worker-" + n + ".err"))
        .env(PostgresQueueConfig.SCHEMA_ENV, config.schema())
        .env(PostgresQueueConfig.HOST_ENV, "host-" + n)
        .env(PostgresQueueConfig.URL_ENV, null);
    startedAtMillis[n] = System.currentTimeMillis();
    return launch.start();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes.started()) {
      processes.reap(p);
    }
    if (config != null) {
      PostgresServer.drop(config);
    }
  }

  private static void signal(long pid, String sig) throws Exception {
    CliProcesses.signal(pid, sig);
  }

  private String job(int i) {
    return CrashJobs.sleepJob(String.format("job-pgcrash%06d", i), marker);
  }

  private LocalExecPlane plane(Path planeRoot, String host) {
    return LocalExecPlane.builder(planeRoot)
        .discoverPlugins()
        .sandbox(SandboxMode.AUTO)
        .queue(PostgresJobQueue.factory(config.withHost(host)))
        .build();
  }

  /**
   * A worker whose current process holds a running job (its claim or last heartbeat came after the
   * process started), so that freezing it leaves a job whose lease will expire under it; waits up
   * to 10 s for one.
   */
  private int busyWorker(LocalExecPlane plane, Random rnd) throws InterruptedException {
    for (int tries = 0; tries < 200; tries++) {
      List<Integer> busy = new ArrayList<>();
      for (JobStatus s : plane.status()) {
        if (s.state() == JobState.RUNNING && s.workerId() != null && s.workerId().matches("w\\d")) {
          int n = Integer.parseInt(s.workerId().substring(1));
          if (Instant.parse(s.updatedTs()).toEpochMilli() > startedAtMillis[n]) {
            busy.add(n);
          }
        }
      }
      if (!busy.isEmpty()) {
        return busy.get(rnd.nextInt(busy.size()));
      }
      Thread.sleep(50);
    }
    return rnd.nextInt(WORKERS);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> lines(Path ledger) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : Files.readAllLines(ledger, StandardCharsets.UTF_8)) {
      out.add((Map<String, Object>) Json.parse(line));
    }
    return out;
  }

  private long staleClaimsRecorded() throws IOException {
    long n = 0;
    for (int i = 0; i < WORKERS; i++) {
      Path evidence = hostRoot(i).resolve("workspace/local_exec/evidence");
      if (!Files.isDirectory(evidence)) {
        continue;
      }
      try (Stream<Path> files = Files.list(evidence)) {
        for (Path f : files.filter(p -> p.getFileName().toString().startsWith("job-")).toList()) {
          if (f.toString().endsWith(".jsonl")) {
            n += Files.readAllLines(f).stream().filter(l -> l.contains("\"stale_claim\"")).count();
          }
        }
      }
    }
    return n;
  }

  @Test
  void killedAndFrozenWorkersOnFourHosts_loseNoJobAndRunNoJobTwiceAtOnce() throws Exception {
    config = PostgresServer.freshSchema();
    for (int n = 0; n < WORKERS; n++) {
      Files.createDirectories(hostRoot(n));
    }
    Path control = Files.createDirectories(root.resolve("control"));
    LocalExecPlane plane = plane(control, "control");
    for (int i = 0; i < JOBS; i++) {
      plane.enqueue(plane.parseJob(job(i)));
    }
    Process[] workers = new Process[WORKERS];
    for (int n = 0; n < WORKERS; n++) {
      workers[n] = startWorker(n);
    }
    Random rnd = new Random(SEED);
    int kills = 0;
    int freezes = 0;
    long deadline = System.currentTimeMillis() + 15 * 60_000;
    while (System.currentTimeMillis() < deadline) {
      Thread.sleep(200 + rnd.nextInt(600));
      long done = plane.status().stream().filter(s -> s.state().terminal()).count();
      if (kills >= MIN_KILLS && freezes >= FREEZES && done == JOBS) {
        break;
      }
      int n = rnd.nextInt(WORKERS);
      if (freezes < FREEZES && kills >= (freezes + 1) * (MIN_KILLS / (FREEZES + 1))) {
        // Frozen past its 3 s lease: another worker takes its job; its late writes are refused.
        n = busyWorker(plane, rnd);
        signal(workers[n].pid(), "STOP");
        Thread.sleep(4500);
        signal(workers[n].pid(), "CONT");
        freezes++;
        // Time for the thawed worker to try its late writes before anything else happens to it.
        Thread.sleep(3000);
      } else if (kills < MIN_KILLS) {
        workers[n].destroyForcibly().waitFor();
        kills++;
        workers[n] = startWorker(n);
      }
    }
    // The shared kill switch: a row every worker sees; none of their repo roots has the file.
    plane.turnKillSwitchOn("crash test done");
    for (Process w : workers) {
      assertThat(w.waitFor(60, TimeUnit.SECONDS)).as("worker stopped by the shared row").isTrue();
    }
    for (int n = 0; n < WORKERS; n++) {
      assertThat(hostRoot(n).resolve("workspace/local_exec/state/KILL_SWITCH")).doesNotExist();
    }

    assertThat(kills).isGreaterThanOrEqualTo(MIN_KILLS);
    assertThat(freezes).isEqualTo(FREEZES);
    List<JobStatus> status = plane.status();
    assertThat(status).hasSize(JOBS);
    assertThat(status).allMatch(s -> s.state().terminal(), "every job finished");

    Path ledger = root.resolve("export/jobs.jsonl");
    plane.exportLedger(ledger);
    Map<String, Integer> terminalEvents = new HashMap<>();
    Map<String, Double> leaseUntil = new HashMap<>();
    Map<String, Integer> lastAttempt = new HashMap<>();
    Map<String, Long> lastFence = new HashMap<>();
    List<String> overlaps = new ArrayList<>();
    Map<String, String> finalHost = new HashMap<>();
    for (Map<String, Object> e : lines(ledger)) {
      String id = (String) e.get("job_id");
      if (id == null) {
        continue;
      }
      String kind = (String) e.get("event");
      // Microseconds, as leases are judged (milliseconds would flag a claim 0.5 ms after expiry).
      double ts = Timestamps.unix(Instant.parse((String) e.get("ts_utc")));
      switch (kind) {
        case "claim" -> {
          int attempt = ((Number) e.get("attempt")).intValue();
          long fence = ((Number) e.get("fence")).longValue();
          Double held = leaseUntil.get(id);
          if (held != null && ts < held) {
            overlaps.add(
                id
                    + " attempt "
                    + attempt
                    + " claimed at "
                    + ts
                    + " while the lease held until "
                    + held);
          }
          assertThat(attempt).isEqualTo(lastAttempt.getOrDefault(id, 0) + 1);
          assertThat(fence).isGreaterThan(lastFence.getOrDefault(id, 0L));
          lastAttempt.put(id, attempt);
          lastFence.put(id, fence);
          leaseUntil.put(id, ((Number) e.get("lease_expires_unix")).doubleValue());
        }
        case "heartbeat" -> {
          assertThat(((Number) e.get("fence")).longValue()).isEqualTo(lastFence.get(id));
          leaseUntil.put(id, ((Number) e.get("lease_expires_unix")).doubleValue());
        }
        case "complete", "fail" -> {
          assertThat(((Number) e.get("fence")).longValue())
              .as("the final event is the latest attempt's")
              .isEqualTo(lastFence.get(id));
          terminalEvents.merge(id, 1, Integer::sum);
          leaseUntil.remove(id);
          finalHost.put(id, (String) e.get("host"));
          assertThat(e.get("evidence_head")).isInstanceOf(Map.class);
        }
        default -> {}
      }
    }
    assertThat(overlaps).isEmpty();
    assertThat(terminalEvents).hasSize(JOBS);
    assertThat(terminalEvents.values()).allMatch(n -> n == 1, "exactly one terminal event a job");
    assertThat(lastAttempt.values().stream().mapToInt(Integer::intValue).max().orElse(0))
        .as("some job ran again after its worker was killed or frozen")
        .isGreaterThan(1);
    assertThat(staleClaimsRecorded()).as("late writes of frozen workers refused").isPositive();
    assertThat(finalHost.values()).allMatch(h -> h != null && h.startsWith("host-"));

    for (int n = 0; n < WORKERS; n++) {
      LocalExecPlane host = plane(hostRoot(n), "host-" + n);
      var report = host.verify(null);
      assertThat(report.verified())
          .as(
              "host-%s: %s %s",
              n, report.summary(), report.files().stream().filter(f -> !f.ok()).toList())
          .isTrue();
      host.close();
    }
    plane.turnKillSwitchOff();
    PlaneInternals.of(plane).queue().close();
    assertThat(Fixtures.processesWithEnvironment(marker)).isZero();
    for (Process p : processes.started()) {
      assertThat(p.isAlive()).isFalse();
    }
  }
}
