package dev.localexec.bench;

import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.queue.PlaneQueueContext;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.PlaneLayout;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.postgres.PostgresJobQueue;
import dev.localexec.postgres.PostgresQueueConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Claims per second on the file ledger and on PostgreSQL, with 1, 2 and 4 workers, the same jobs in
 * the same run. For each queue and worker count: a fresh queue, JOBS jobs enqueued (not timed),
 * then the workers (threads, each with its own queue instance, as separate processes would have)
 * claim and complete jobs until none is left; the rate is jobs / elapsed time, each job being one
 * claim and one complete (two durable appends on either queue). Prints one JSON line per
 * measurement.
 *
 * <p>Usage: {@code QueueBench JOBS JDBC_URL} (the URL without a password; a user may be given with
 * {@code LOCAL_EXEC_PG_USER}).
 */
public final class QueueBench {
  private static final Duration LEASE = Duration.ofMinutes(10);
  private static final int[] WORKERS = {1, 2, 4};

  private QueueBench() {}

  /** Runs the measurements. */
  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(args[0]);
    String url = args[1];
    JobValidator validator =
        new JobValidator(TaskRegistry.discover(QueueBench.class.getClassLoader()));
    for (int workers : WORKERS) {
      Path root = BenchSupport.freshRoot("local-exec-queue-bench");
      try {
        JobQueue.Factory file = JobQueue.Factory.fileLedger();
        print(run("file", workers, jobs, validator, () -> open(file, root, validator)));
      } finally {
        BenchSupport.delete(root);
      }
      PostgresQueueConfig config =
          PostgresQueueConfig.fromEnvironment(url, System.getenv())
              .withSchema("bench_w" + workers + "_" + ProcessHandle.current().pid())
              .withPoolSize(2);
      Path pgRoot = BenchSupport.freshRoot("local-exec-queue-bench");
      try {
        print(
            run(
                "postgresql",
                workers,
                jobs,
                validator,
                () -> open(PostgresJobQueue.factory(config), pgRoot, validator)));
      } finally {
        dropSchema(config);
        BenchSupport.delete(pgRoot);
      }
    }
  }

  private interface Opener {
    JobQueue open();
  }

  private static JobQueue open(JobQueue.Factory f, Path root, JobValidator validator) {
    return f.open(
        new PlaneQueueContext(
            PlaneLayout.defaults(root), validator, Clock.systemUTC(), Redactor.none()));
  }

  private static Map<String, Object> run(
      String kind, int workers, int jobs, JobValidator validator, Opener opener) throws Exception {
    List<JobQueue> queues = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      queues.add(opener.open());
    }
    try {
      JobQueue first = queues.get(0);
      for (int i = 0; i < jobs; i++) {
        String id = String.format("job-bench%07d", i);
        first.enqueue(validator.parse(BenchSupport.commandJob(id, List.of("true"), 60, 4096)));
      }
      ExecutorService pool = Executors.newFixedThreadPool(workers);
      AtomicInteger done = new AtomicInteger();
      List<Future<long[]>> results = new ArrayList<>();
      long start = System.nanoTime();
      for (int w = 0; w < workers; w++) {
        JobQueue q = queues.get(w);
        String workerId = "bench-w" + w;
        results.add(
            pool.submit(
                () -> {
                  List<Long> claimNanos = new ArrayList<>();
                  while (true) {
                    long t0 = System.nanoTime();
                    Optional<Claim> c = q.claim(workerId, LEASE);
                    claimNanos.add(System.nanoTime() - t0);
                    if (c.isEmpty()) {
                      break;
                    }
                    q.complete(c.get(), Map.of("ok", true));
                    done.incrementAndGet();
                  }
                  return claimNanos.stream().mapToLong(Long::longValue).sorted().toArray();
                }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<long[]> f : results) {
        for (long n : f.get()) {
          all.add(n);
        }
      }
      long elapsed = System.nanoTime() - start;
      pool.shutdown();
      all.sort(null);
      if (done.get() != jobs) {
        throw new IllegalStateException(kind + ": " + done.get() + " jobs run, expected " + jobs);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("bench", "queue_claims");
      m.put("queue", kind);
      m.put("workers", workers);
      m.put("jobs", jobs);
      m.put("seconds", Math.round(elapsed / 1e6) / 1000.0);
      m.put("claims_per_sec", Math.round(jobs / (elapsed / 1e9) * 10) / 10.0);
      m.put("claim_p50_ms", Math.round(all.get(all.size() / 2) / 1e4) / 100.0);
      m.put("claim_p99_ms", Math.round(all.get((int) (all.size() * 0.99)) / 1e4) / 100.0);
      return m;
    } finally {
      queues.forEach(JobQueue::close);
    }
  }

  private static void dropSchema(PostgresQueueConfig config) throws SQLException {
    java.util.Properties props = new java.util.Properties();
    if (config.user() != null) {
      props.setProperty("user", config.user());
    }
    if (config.password() != null) {
      props.setProperty("password", config.password());
    }
    try (Connection c = DriverManager.getConnection(config.url(), props);
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + config.schema() + " CASCADE");
    }
  }

  private static void print(Map<String, Object> m) {
    System.out.println(Json.line(m));
  }
}
