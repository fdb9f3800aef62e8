package dev.localexec.bench;

import dev.localexec.api.Job;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.integrity.VerifyReport.FileCheck;
import dev.localexec.core.internal.integrity.ChainedJsonl;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.integrity.Verifier;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.queue.FileLedgerQueue;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.json.Json;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.Timestamps;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The ledger at scale: durable enqueue throughput, claim latency in a warm process and in a fresh
 * one (with and without the snapshot), recovery (replay) time, and memory. Prints one JSON line per
 * measurement. Subcommands:
 *
 * <ul>
 *   <li>{@code enqueue N}: N durable enqueues (each forced to the device) into a fresh state
 *       folder;
 *   <li>{@code generate STATE JOBS QUEUED}: writes a chained ledger (see {@link #generate}): JOBS
 *       finished jobs of four events each (enqueue, claim, heartbeat, complete: 250 000 jobs are 1
 *       000 000 events), then QUEUED jobs left queued for the claims to take;
 *   <li>{@code fresh STATE snapshot|nosnapshot}: what one new process does: replay (from the
 *       snapshot, or the whole ledger with snapshots off), one claim, then memory;
 *   <li>{@code warm STATE CLAIMS}: one process: replay, then CLAIMS claims timed one by one.
 * </ul>
 */
public final class LedgerBench {
  private static final Duration LEASE = Duration.ofMinutes(10);

  private LedgerBench() {}

  /** Runs one subcommand. */
  public static void main(String[] args) throws IOException {
    switch (args[0]) {
      case "enqueue" -> enqueue(Integer.parseInt(args[1]));
      case "generate" ->
          generate(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "fresh" -> fresh(Path.of(args[1]), args[2].equals("snapshot"));
      case "warm" -> warm(Path.of(args[1]), Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException("unknown subcommand " + args[0]);
    }
  }

  private static JobValidator validator() {
    return new JobValidator(TaskRegistry.discover(LedgerBench.class.getClassLoader()));
  }

  private static String jobJson(String id) {
    return BenchSupport.commandJob(id, List.of("true"), 60, 4096);
  }

  private static void enqueue(int n) {
    Path root = BenchSupport.freshRoot("local-exec-ledger-bench");
    try {
      JobValidator v = validator();
      FileLedgerQueue q = new FileLedgerQueue(root.resolve("state"), v, Clock.systemUTC());
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        jobs.add(v.parse(jobJson(String.format("job-enq%08d", i))));
      }
      long t0 = System.nanoTime();
      for (Job j : jobs) {
        q.enqueue(j);
      }
      long ns = System.nanoTime() - t0;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("bench", "ledger_enqueue");
      out.put("jobs", n);
      out.put("ms", ns / 1_000_000);
      out.put("jobs_per_sec", Math.round(n / (ns / 1e9) * 10) / 10.0);
      out.put("ms_per_job", Math.round(ns / 1e4 / n) / 100.0);
      BenchSupport.print(out);
    } finally {
      BenchSupport.delete(root);
    }
  }

  /**
   * Events in the shapes and key order the queue writes them, chained as {@link ChainedJsonl}
   * chains them (the line with {@code seq} and {@code hash} last), written through one buffered
   * stream instead of one locked and forced append each (which would take an hour for a million);
   * then forced to disk, and checked with the {@link Verifier} up to 100 000 events.
   */
  private static void generate(Path state, int jobs, int queued) throws IOException {
    Files.createDirectories(state);
    Path ledger = state.resolve("jobs.jsonl");
    Instant t = Instant.parse("2026-11-24T00:00:00Z");
    long t0 = System.nanoTime();
    @SuppressWarnings("unchecked")
    Map<String, Object> template = (Map<String, Object>) Json.parse(jobJson("job-template0"));
    Chain chain = new Chain(ledger);
    try (chain) {
      for (int i = 0; i < jobs + queued; i++) {
        String id = String.format("job-led%08d", i);
        t = t.plusMillis(3);
        Map<String, Object> job = new LinkedHashMap<>(template);
        job.put("job_id", id);
        Map<String, Object> enq = event(t, "enqueue");
        enq.put("validator_mode", JobValidator.MODE);
        enq.put("job", job);
        chain.append(enq);
        if (i >= jobs) {
          continue;
        }
        String worker = "worker-" + (i % 4);
        Map<String, Object> claim = event(t.plusMillis(1), "claim");
        claim.put("job_id", id);
        claim.put("worker_id", worker);
        claim.put("lease_expires_unix", Timestamps.leaseEnd(t.plusMillis(1), LEASE));
        claim.put("attempt", 1);
        chain.append(claim);
        Map<String, Object> hb = event(t.plusMillis(2), "heartbeat");
        hb.put("job_id", id);
        hb.put("worker_id", worker);
        hb.put("lease_expires_unix", Timestamps.leaseEnd(t.plusMillis(2), LEASE));
        hb.put("attempt", 1);
        chain.append(hb);
        Map<String, Object> done = event(t.plusMillis(3), "complete");
        done.put("job_id", id);
        done.put("worker_id", worker);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("commands_run", 1);
        result.put("exit_codes", List.of(0));
        result.put("bytes_produced", 0);
        result.put("truncated", false);
        done.put("result", result);
        done.put("attempt", 1);
        done.put("evidence_head", new ChainHead(7, Json.sha256Hex(id)).toMap());
        chain.append(done);
      }
    }
    long ns = System.nanoTime() - t0;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("bench", "ledger_generate");
    out.put("events", chain.seq);
    out.put("jobs", jobs + queued);
    out.put("queued", queued);
    out.put("bytes", Files.size(ledger));
    out.put("ms", ns / 1_000_000);
    if (chain.seq <= 100_000) {
      FileCheck check = new Verifier(state, ledger, state.resolve("evidence")).verifyFile(ledger);
      out.put("verified", check.ok());
      if (!check.ok()) {
        throw new IllegalStateException("the generated ledger does not verify: " + check);
      }
    }
    BenchSupport.print(out);
  }

  /**
   * Chained lines written through one buffered stream. Lines are formatted a batch at a time on
   * every core (the JSON text and the canonical form are the costly part); the hashes are then
   * chained in order: {@code sha256(previous + "\n" + canonical)}, as {@link ChainedJsonl#hash}.
   */
  private static final class Chain implements AutoCloseable {
    private static final int BATCH = 8192;
    private final FileChannel ch;
    private final Writer out;
    private final List<Map<String, Object>> pending = new ArrayList<>(BATCH);
    private String previous = ChainHead.GENESIS.hash();
    long seq;

    Chain(Path file) throws IOException {
      ch =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
      out = new BufferedWriter(Channels.newWriter(ch, StandardCharsets.UTF_8), 1 << 20);
    }

    void append(Map<String, Object> event) throws IOException {
      event.put(ChainedJsonl.SEQ, ++seq);
      pending.add(event);
      if (pending.size() == BATCH) {
        flushBatch();
      }
    }

    private void flushBatch() throws IOException {
      int n = pending.size();
      String[] text = new String[n];
      String[] canonical = new String[n];
      IntStream.range(0, n)
          .parallel()
          .forEach(
              i -> {
                text[i] = Json.line(pending.get(i));
                canonical[i] = Json.canonical(pending.get(i));
              });
      for (int i = 0; i < n; i++) {
        previous = Json.sha256Hex(previous + "\n" + canonical[i]);
        out.write(text[i], 0, text[i].length() - 1);
        out.write(", \"" + ChainedJsonl.HASH + "\": \"" + previous + "\"}\n");
      }
      pending.clear();
    }

    @Override
    public void close() throws IOException {
      flushBatch();
      out.flush();
      ch.force(true);
      ch.close();
    }
  }

  private static Map<String, Object> event(Instant at, String kind) {
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("ts_utc", Timestamps.utc(at));
    ev.put("event", kind);
    return ev;
  }

  private static FileLedgerQueue queue(Path state, boolean snapshot) {
    return new FileLedgerQueue(
        state,
        validator(),
        Clock.systemUTC(),
        Redactor.none(),
        snapshot ? FileLedgerQueue.DEFAULT_SNAPSHOT_EVERY : 0);
  }

  private static void fresh(Path state, boolean snapshot) {
    long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
    long mainMs = System.currentTimeMillis();
    boolean hadSnapshot = Files.exists(state.resolve("jobs.snapshot"));
    FileLedgerQueue q = queue(state, snapshot);
    long t0 = System.nanoTime();
    int bad = q.unreadableLines().size();
    long t1 = System.nanoTime();
    Optional<Claim> c = q.claim("bench-fresh", LEASE);
    long t2 = System.nanoTime();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("bench", "ledger_fresh");
    out.put("snapshot", snapshot);
    out.put("had_snapshot", hadSnapshot);
    out.put("jvm_to_main_ms", mainMs - jvmStartMs);
    out.put("replay_ms", round((t1 - t0) / 1e6));
    out.put("claim_ms", round((t2 - t1) / 1e6));
    out.put("replay_and_claim_ms", round((t2 - t0) / 1e6));
    out.put("claimed", c.isPresent());
    out.put("bad_lines", bad);
    memory(out);
    BenchSupport.print(out);
  }

  private static void warm(Path state, int claims) {
    FileLedgerQueue q = queue(state, true);
    long t0 = System.nanoTime();
    int jobs = q.status().size();
    long t1 = System.nanoTime();
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < claims; i++) {
      long a = System.nanoTime();
      Optional<Claim> c = q.claim("bench-warm", LEASE);
      long b = System.nanoTime();
      if (c.isEmpty()) {
        throw new IllegalStateException("nothing left to claim after " + i + " claims");
      }
      ms.add((b - a) / 1e6);
    }
    List<Double> statusMs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long a = System.nanoTime();
      q.status();
      statusMs.add((System.nanoTime() - a) / 1e6);
    }
    // A queue that writes a snapshot after every line: each claim pays one snapshot write, as the
    // call that crosses a snapshot point does once every DEFAULT_SNAPSHOT_EVERY lines.
    FileLedgerQueue every =
        new FileLedgerQueue(state, validator(), Clock.systemUTC(), Redactor.none(), 1);
    every.status();
    List<Double> withSnapshotMs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long a = System.nanoTime();
      every.claim("bench-warm", LEASE).orElseThrow();
      withSnapshotMs.add((System.nanoTime() - a) / 1e6);
    }
    Collections.sort(ms);
    Collections.sort(statusMs);
    Collections.sort(withSnapshotMs);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("bench", "ledger_warm");
    out.put("jobs", jobs);
    out.put("first_replay_ms", round((t1 - t0) / 1e6));
    out.put("claims", claims);
    out.put("claim_p50_ms", round(BenchSupport.percentile(ms, 50)));
    out.put("claim_p99_ms", round(BenchSupport.percentile(ms, 99)));
    out.put("claim_max_ms", round(ms.get(ms.size() - 1)));
    out.put("status_all_p50_ms", round(BenchSupport.percentile(statusMs, 50)));
    out.put("claim_writing_snapshot_p50_ms", round(BenchSupport.percentile(withSnapshotMs, 50)));
    out.put("snapshot_bytes", fileSize(state.resolve("jobs.snapshot")));
    memory(out);
    BenchSupport.print(out);
  }

  private static long fileSize(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** Heap in use after a full GC, the resident set now and its peak, in MB. */
  private static void memory(Map<String, Object> out) {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    out.put("heap_used_mb", (rt.totalMemory() - rt.freeMemory()) >> 20);
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          out.put(line.startsWith("VmRSS:") ? "rss_mb" : "rss_peak_mb", kb >> 10);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
