package dev.localexec.cli;

import static dev.localexec.cli.Fixtures.BUDGETS;
import static dev.localexec.cli.Fixtures.POLICY_NONE;
import static dev.localexec.cli.Fixtures.POLICY_SUBPROCESS;
import static dev.localexec.cli.Fixtures.evidence;
import static dev.localexec.cli.Fixtures.job;
import static dev.localexec.cli.Fixtures.jsonl;
import static dev.localexec.cli.Fixtures.kinds;
import static dev.localexec.cli.Fixtures.ledger;
import static dev.localexec.cli.Fixtures.payloadOf;
import static dev.localexec.cli.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The original tool's behaviours, through the CLI, on a small repo. */
class QuickStartTest {
  @TempDir Path root;
  Cli cli;

  @BeforeEach
  void repo() {
    cli = new Cli(root);
    write(root, "README.md", "# Demo\n\nThe audit trail and the policy.\n");
    write(root, "src/main/java/demo/Router.java", "class Router { /* router */ }\n");
    write(root, "docs/plain.md", "nothing to see\n");
    write(root, "docs/old.bak.md", "policy policy\n");
    write(root, "workspace/local_exec/agents/README.md", "audit notes\n");
  }

  @Test
  void demo_completesAndWritesLedgerEvidenceSummaryAndIndex() throws Exception {
    Cli.Result r = cli.run("demo");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.json(0))
        .containsEntry("status", "enqueued")
        .containsEntry("job_id", "job-demorepoindex01");
    Map<String, Object> done = r.json(1);
    assertThat(done).containsEntry("status", "complete");
    Map<String, Object> expectedResult = new LinkedHashMap<>();
    expectedResult.put("files_considered", 4);
    expectedResult.put("hits_written", 3);
    expectedResult.put(
        "index_jsonl", "workspace/local_exec/evidence/job-demorepoindex01_index.jsonl");
    expectedResult.put("files_indexed", 4);
    expectedResult.put("bytes_total", 97);
    expectedResult.put("binaries", 0);
    expectedResult.put("languages", Map.of("java", 1, "markdown", 3));
    expectedResult.put("symlinks_rejected", 0);
    assertThat(done.get("result")).isEqualTo(expectedResult);
    assertThat(List.copyOf(((Map<?, ?>) done.get("result")).keySet()))
        .isEqualTo(List.copyOf(expectedResult.keySet()));
    assertThat(Files.exists(ledger(root))).isTrue();
    assertThat(kinds(root, "job-demorepoindex01"))
        .startsWith("claimed", "run_header")
        .endsWith("complete");
    List<Map<String, Object>> evidenceLines = jsonl(evidence(root, "job-demorepoindex01.jsonl"));
    for (int i = 0; i < evidenceLines.size(); i++) {
      assertThat(evidenceLines.get(i).keySet())
          .containsExactly("ts_utc", "job_id", "kind", "payload", "seq", "hash");
      assertThat(evidenceLines.get(i)).containsEntry("seq", i + 1);
    }
    assertThat(Files.readString(evidence(root, "job-demorepoindex01.md")))
        .startsWith("# Repo Index Task\n\n- job_id: job-demorepoindex01\n- files_considered: 4\n");
    List<Map<String, Object>> rows = jsonl(evidence(root, "job-demorepoindex01_index.jsonl"));
    assertThat(rows)
        .containsExactly(
            indexRow(
                "README.md",
                "# Demo\n\nThe audit trail and the policy.\n",
                "markdown",
                3,
                Map.of("policy", List.of(3), "audit", List.of(3))),
            indexRow("docs/plain.md", "nothing to see\n", "markdown", 1, Map.of()),
            indexRow(
                "src/main/java/demo/Router.java",
                "class Router { /* router */ }\n",
                "java",
                1,
                Map.of("router", List.of(1))),
            indexRow(
                "workspace/local_exec/agents/README.md",
                "audit notes\n",
                "markdown",
                1,
                Map.of("audit", List.of(1))));
    assertThat(rows.get(0).keySet())
        .containsExactly(
            "path",
            "size",
            "sha256",
            "language",
            "binary",
            "lines",
            "bytes_scanned",
            "keyword_hits",
            "hit_lines");
    assertThat(rows.get(0).get("keyword_hits")).isEqualTo(List.of("policy", "audit"));
    assertThat(r.lastJson()).containsEntry("status", "evidence");
  }

  @Test
  void ledger_growsAppendOnly() throws Exception {
    cli.run("enqueue", "--demo");
    byte[] first = Files.readAllBytes(ledger(root));
    cli.run("worker", "--once");
    byte[] second = Files.readAllBytes(ledger(root));

    assertThat(second.length).isGreaterThan(first.length);
    assertThat(Arrays.copyOf(second, first.length)).isEqualTo(first);
    List<Map<String, Object>> events = jsonl(ledger(root));
    assertThat(events)
        .extracting(e -> e.get("event"))
        .containsExactly("enqueue", "claim", "heartbeat", "complete");
    // The original's keys in the original's order, then the hash chain's seq and hash.
    assertThat(events.get(0).keySet())
        .containsExactly("ts_utc", "event", "validator_mode", "job", "seq", "hash");
    assertThat(events.get(1).keySet())
        .containsExactly(
            "ts_utc",
            "event",
            "job_id",
            "worker_id",
            "lease_expires_unix",
            "attempt",
            "seq",
            "hash");
    assertThat(events.get(2).keySet()).isEqualTo(events.get(1).keySet());
    assertThat(events.get(3).keySet())
        .containsExactly(
            "ts_utc",
            "event",
            "job_id",
            "worker_id",
            "result",
            "attempt",
            "evidence_head",
            "seq",
            "hash");
    assertThat(events).extracting(e -> e.get("seq")).containsExactly(1, 2, 3, 4);
    List<Map<String, Object>> evidence = jsonl(evidence(root, "job-demorepoindex01.jsonl"));
    Map<String, Object> last = evidence.get(evidence.size() - 1);
    assertThat(events.get(3).get("evidence_head"))
        .isEqualTo(Map.of("seq", evidence.size(), "hash", last.get("hash")));
  }

  @Test
  void runHeader_hasEveryFieldAndTheOriginalHashes() {
    cli.run("demo");

    Map<String, Object> h = payloadOf(root, "job-demorepoindex01", "run_header");
    assertThat(h)
        .containsKeys(
            "worker_id",
            "worker_version",
            "repo_root_resolved",
            "validator_mode",
            "model_mode",
            "api_base",
            "model_name",
            "tool_policy_hash",
            "budgets_hash",
            "sandbox");
    assertThat(h)
        .containsEntry("worker_id", "local-exec-worker")
        .containsEntry("validator_mode", "jsonschema")
        .containsEntry("tool_policy_hash", "e6865f6e91717cc0")
        .containsEntry("budgets_hash", "ac02781be86b9734")
        .containsEntry("repo_root_resolved", root.toAbsolutePath().normalize().toString());
  }

  @Test
  void killSwitch_preventsClaims() throws Exception {
    cli.run("enqueue", "--demo");
    assertThat(cli.run("kill-switch", "on", "maintenance").code()).isZero();

    Cli.Result r = cli.run("worker", "--once");

    assertThat(r.json(0)).containsEntry("status", "kill_switch");
    assertThat(jsonl(ledger(root))).extracting(e -> e.get("event")).containsExactly("enqueue");
    assertThat(cli.run("kill-switch", "off").json(0)).containsEntry("was_on", true);
    assertThat(cli.run("worker", "--once").json(0)).containsEntry("status", "complete");
  }

  @Test
  void maxToolCallsZero_failsTheFirstCommand() {
    String doc =
        job(
            "job-toolcalls0001",
            "test_runner_task",
            "{\"commands\": [[\"true\"]], \"timeout_sec\": 5}",
            BUDGETS.replace("\"max_tool_calls\": 10", "\"max_tool_calls\": 0"),
            POLICY_SUBPROCESS);
    runJob(doc);

    assertThat(lastLedger())
        .containsEntry("event", "fail")
        .containsEntry("error", "max_tool_calls exceeded");
    assertThat(kinds(root, "job-toolcalls0001")).contains("budget_exceeded").endsWith("failed");
  }

  @Test
  void shellLikeArgv_isRejected() {
    runJob(
        job(
            "job-shelllike001",
            "test_runner_task",
            "{\"commands\": [[\"echo hello\"]], \"timeout_sec\": 5}",
            BUDGETS,
            POLICY_SUBPROCESS));

    assertThat(lastLedger()).containsEntry("error", "argv_rejected:shell_like");
    assertThat(payloadOf(root, "job-shelllike001", "failed"))
        .containsEntry("error", "argv_rejected:shell_like");
    assertThat(Files.exists(evidence(root, "job-shelllike001.md"))).isTrue();
  }

  @Test
  void parentRef_isRejectedAndTheJobCompletes() {
    Fixtures.seedRoot(root);
    runJob(
        job(
            "job-parentref001",
            "doc_compactor_task",
            "{\"inputs\": [\"../etc/passwd\", \"config/mcporter.json\"], \"max_input_bytes\": 4096,"
                + " \"max_output_bytes\": 1024}",
            BUDGETS,
            POLICY_NONE));

    assertThat(lastLedger()).containsEntry("event", "complete");
    assertThat(payloadOf(root, "job-parentref001", "path_rejected"))
        .isEqualTo(Map.of("path", "../etc/passwd", "reason", "path_rejected:parent_ref"));
  }

  @Test
  void testRunnerWithoutAllowSubprocess_failsWithSubprocessNotAllowed() {
    runJob(
        job(
            "job-nosubproc001",
            "test_runner_task",
            "{\"commands\": [[\"true\"]], \"timeout_sec\": 5}",
            BUDGETS,
            POLICY_NONE));

    assertThat(lastLedger()).containsEntry("error", "subprocess_not_allowed");
  }

  @Test
  void loop_writesIdleHeartbeatAndLoopExitOnTheKillSwitch() throws Exception {
    AtomicReference<Cli.Result> result = new AtomicReference<>();
    Thread loop =
        new Thread(
            () ->
                result.set(
                    cli.run("worker", "--loop", "--idle-sleep-ms", "20", "--max-idle-sec", "1")));
    loop.start();
    Path events = evidence(root, "worker_local-exec-worker.jsonl");
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline
        && !(Files.exists(events) && Files.readString(events).contains("idle_heartbeat"))) {
      Thread.sleep(50);
    }
    cli.run("kill-switch", "on");
    loop.join(20_000);

    assertThat(loop.isAlive()).isFalse();
    assertThat(result.get().json(0)).containsEntry("status", "kill_switch");
    List<Map<String, Object>> ev = jsonl(events);
    assertThat(ev)
        .extracting(e -> e.get("kind"))
        .contains("loop_start", "idle_heartbeat")
        .last()
        .isEqualTo("loop_exit");
    assertThat(ev.get(ev.size() - 1).get("payload"))
        .isEqualTo(Map.of("reason", "kill_switch", "jobs_run", 0, "jobs_interrupted", 0));
  }

  private void runJob(String doc) {
    Path f = write(root, "job.json", doc);
    Cli.Result e = cli.run("enqueue", "--job-file", f.toString());
    assertThat(e.code()).as(e.err()).isZero();
    Cli.Result w = cli.run("worker", "--once");
    assertThat(w.code()).as(w.err()).isZero();
  }

  private Map<String, Object> lastLedger() {
    List<Map<String, Object>> all = jsonl(ledger(root));
    return all.get(all.size() - 1);
  }

  /** An index row of a small text file (scanned whole), keywords in the demo's order. */
  private static Map<String, Object> indexRow(
      String path, String content, String language, int lines, Map<String, List<Integer>> hits) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("path", path);
    row.put("size", bytes.length);
    try {
      row.put(
          "sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    row.put("language", language);
    row.put("binary", false);
    row.put("lines", lines);
    row.put("bytes_scanned", bytes.length);
    row.put(
        "keyword_hits",
        List.of("policy", "router", "audit").stream().filter(hits::containsKey).toList());
    row.put("hit_lines", hits);
    return row;
  }
}
