package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Documents a reviewer and the plane would read differently, or that cannot be bounded, are refused
 * at enqueue with exit code 3 and their JSON path; nothing reaches the ledger.
 */
class StrictDocumentsTest {
  @TempDir Path root;

  private static final String HEAD =
      "{\"job_id\": \"job-strictdoc01\", \"job_type\": \"test_runner_task\","
          + " \"created_at_utc\": \"2026-12-03T00:00:00Z\","
          + " \"payload\": {\"commands\": [[\"true\"]], \"timeout_sec\": 10},";

  private static String job(String budgetsWall, String policy, String meta) {
    return HEAD
        + " \"budgets\": {\"max_wall_time_sec\": "
        + budgetsWall
        + ", \"max_tool_calls\": 1, \"max_output_bytes\": 2048, \"max_concurrency_slots\": 1},"
        + " \"tool_policy\": "
        + policy
        + (meta == null ? "" : ", \"meta\": " + meta)
        + "}";
  }

  private static final String POLICY =
      "{\"allow_network\": false, \"allow_subprocess\": true, \"allowed_tools\": []}";

  @BeforeEach
  void seed() {
    Fixtures.seedRoot(root);
  }

  private Cli.Result enqueue(String text) throws Exception {
    Path f = Fixtures.write(root, "jobs/strict.json", text);
    return new Cli(root).run("enqueue", "--job-file", f.toString());
  }

  private void assertRefused(Cli.Result r, String error) {
    assertThat(r.code()).as(r.err()).isEqualTo(LocalExecCli.INVALID);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("local-exec: invalid job: " + error + "\n");
    assertThat(Files.exists(Fixtures.ledger(root))).isFalse();
  }

  @Test
  void aDuplicateKey_isRefusedWithItsPath() throws Exception {
    String policy =
        "{\"allow_network\": false, \"allow_network\": true, \"allow_subprocess\": true,"
            + " \"allowed_tools\": []}";

    assertRefused(
        enqueue(job("60", policy, null)),
        "$.tool_policy.allow_network: duplicate key; a key may appear once in an object (a reader"
            + " sees the first, a parser keeps the last)");
  }

  @Test
  void aNumberBeyondEveryIntegerRange_isRefusedWithItsPath() throws Exception {
    assertRefused(
        enqueue(job("1e308", POLICY, null)),
        "$.budgets.max_wall_time_sec: the number 1e308 is beyond the range of the integers a job"
            + " may hold (-9223372036854775808..9223372036854775807)");
  }

  @Test
  void aFiftyMegabyteMeta_isRefusedByTheDocumentLimit() throws Exception {
    String meta = "{\"note\": \"" + "m".repeat(50 << 20) + "\"}";
    String text = job("60", POLICY, meta);

    assertRefused(
        enqueue(text),
        "$: the document is "
            + text.length()
            + " bytes, more than the limit of 1048576 bytes; keep large data in files of the repo"
            + " and name them in the payload");
  }

  @Test
  void aMetaOverItsLimit_isRefusedWithItsPath() throws Exception {
    String meta = "{\"note\": \"" + "m".repeat(20_000) + "\"}";

    assertRefused(
        enqueue(job("60", POLICY, meta)),
        "$.meta: 20011 bytes of JSON, more than the limit of 16384 bytes; meta is for short"
            + " labels");
  }

  @Test
  void anIntegralFloatAndAnOrdinaryDocument_areStillAccepted() throws Exception {
    Cli.Result r = enqueue(job("100.0", POLICY, "{\"source\": \"test\"}"));

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"status\": \"enqueued\"", "\"job_id\": \"job-strictdoc01\"");
  }
}
