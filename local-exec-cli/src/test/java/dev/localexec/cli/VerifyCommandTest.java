package dev.localexec.cli;

import static dev.localexec.cli.Fixtures.evidence;
import static dev.localexec.cli.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code local-exec verify} through the CLI: untouched files verify, a tampered line is named. */
class VerifyCommandTest {
  private static final String LEDGER = "workspace/local_exec/state/jobs.jsonl";
  private static final String EVIDENCE = "workspace/local_exec/evidence/job-demorepoindex01.jsonl";
  private static final String SUMMARY = "workspace/local_exec/evidence/job-demorepoindex01.md";

  @TempDir Path root;
  Cli cli;

  @BeforeEach
  void demo() {
    cli = new Cli(root);
    write(root, "README.md", "# Demo\n\nThe audit trail and the policy.\n");
    Cli.Result demo = cli.run("demo");
    assertThat(demo.code()).as(demo.err()).isZero();
  }

  private List<String> evidenceLines() throws Exception {
    return new ArrayList<>(
        Files.readAllLines(evidence(root, "job-demorepoindex01.jsonl"), StandardCharsets.UTF_8));
  }

  private void writeEvidence(List<String> lines) throws Exception {
    Files.writeString(
        evidence(root, "job-demorepoindex01.jsonl"),
        String.join("\n", lines) + "\n",
        StandardCharsets.UTF_8);
  }

  @Test
  void verify_afterTheDemo_printsEveryFileAndVerified() throws Exception {
    Cli.Result r = cli.run("verify");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.lines())
        .containsExactly(
            "{\"file\": \"" + LEDGER + "\", \"ok\": true, \"lines\": 4}",
            "{\"file\": \"" + EVIDENCE + "\", \"ok\": true, \"lines\": 5}",
            "{\"file\": \"" + SUMMARY + "\", \"ok\": true, \"lines\": 17}",
            "{\"status\": \"verified\", \"files\": 3, \"problems\": 0}");
  }

  @Test
  void verify_aTamperedEvidenceLine_failsNamingTheFileAndLine() throws Exception {
    List<String> lines = evidenceLines();
    assertThat(lines.get(1)).contains("\"kind\": \"run_header\"", "\"model_mode\": \"off\"");
    lines.set(1, lines.get(1).replace("\"model_mode\": \"off\"", "\"model_mode\": \"on!\""));
    writeEvidence(lines);

    Cli.Result r = cli.run("verify");

    assertThat(r.code()).isEqualTo(LocalExecCli.FAILURE);
    assertThat(r.lines())
        .containsExactly(
            "{\"file\": \"" + LEDGER + "\", \"ok\": true, \"lines\": 4}",
            "{\"file\": \""
                + EVIDENCE
                + "\", \"ok\": false, \"line\": 2, \"problem\": \"hash mismatch (line edited,"
                + " inserted or reordered)\"}",
            "{\"status\": \"failed\", \"files\": 2, \"problems\": 1}");
  }

  @Test
  void verifyJob_aCutOffEvidenceTail_failsOnTheRecordedHead() throws Exception {
    writeEvidence(evidenceLines().subList(0, 3));

    Cli.Result r = cli.run("verify", "job-demorepoindex01");

    assertThat(r.code()).isEqualTo(LocalExecCli.FAILURE);
    assertThat(r.json(1))
        .containsEntry("file", EVIDENCE)
        .containsEntry("ok", false)
        .containsEntry("line", 4)
        .containsEntry(
            "problem",
            "truncated: the chain ends at seq 3 but the ledger's complete event (ledger line 4)"
                + " recorded evidence_head seq 5 (lines cut off the end or deleted)");
    assertThat(r.lastJson()).containsEntry("status", "failed").containsEntry("problems", 1);
  }

  @Test
  void verify_aDeletedLedgerLine_failsOnTheLedger() throws Exception {
    Path ledger = root.resolve(LEDGER);
    List<String> lines = new ArrayList<>(Files.readAllLines(ledger, StandardCharsets.UTF_8));
    lines.remove(1);
    Files.writeString(ledger, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);

    Cli.Result r = cli.run("verify", "job-demorepoindex01");

    assertThat(r.code()).isEqualTo(LocalExecCli.FAILURE);
    assertThat(r.json(0))
        .containsEntry("file", LEDGER)
        .containsEntry("line", 2)
        .containsEntry(
            "problem", "seq 3 where 2 was expected (line inserted, deleted or reordered)");
  }

  @Test
  void verify_unknownJob_isAnErrorAndTwoIdsAUsageError() {
    Cli.Result unknown = cli.run("verify", "job-nothere01");
    Cli.Result two = cli.run("verify", "job-demorepoindex01", "job-nothere01");

    assertThat(unknown.code()).isEqualTo(LocalExecCli.FAILURE);
    assertThat(unknown.out()).isEmpty();
    assertThat(unknown.err())
        .startsWith("local-exec: unknown_job: job_id 'job-nothere01' is neither in the ledger ");
    assertThat(two.code()).isEqualTo(LocalExecCli.USAGE);
    assertThat(two.err()).isEqualTo("local-exec: verify takes at most one job id\n");
  }

  @Test
  void help_listsVerify() {
    assertThat(cli.run("--help").out()).contains("  verify [JOB_ID]  ");
  }
}
