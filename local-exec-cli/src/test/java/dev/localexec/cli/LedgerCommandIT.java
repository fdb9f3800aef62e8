package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.postgres.PostgresQueueConfig;
import dev.localexec.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on the PostgreSQL queue: {@code --queue-url} selects it for every command, {@code ledger
 * export} and {@code ledger import} move a ledger both ways byte for byte, the kill switch is the
 * shared row, and a URL carrying a password is refused without echoing it. Uses the default schema
 * {@code local_exec}, dropped before and after.
 */
@ExtendWith(PostgresServer.class)
class LedgerCommandIT {
  @TempDir Path root;

  private static void dropDefaultSchema() throws Exception {
    try (Connection c = DriverManager.getConnection(PostgresServer.url());
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + PostgresQueueConfig.DEFAULT_SCHEMA + " CASCADE");
    }
  }

  @BeforeEach
  @AfterEach
  void cleanSchema() throws Exception {
    dropDefaultSchema();
  }

  private Cli.Result db(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--queue-url";
    all[1] = PostgresServer.url();
    System.arraycopy(args, 0, all, 2, args.length);
    return new Cli(root).run(all);
  }

  private Path jobFile(String id) {
    return Fixtures.write(
        root,
        "jobs/" + id + ".json",
        Fixtures.job(
            id,
            "doc_compactor_task",
            "{\"inputs\": [\"README.md\"], \"max_input_bytes\": 4096, \"max_output_bytes\": 4096}",
            Fixtures.BUDGETS,
            Fixtures.POLICY_NONE));
  }

  @Test
  void fileLedger_exportsAndImportsIntoTheDatabaseAndBackByteForByte() throws Exception {
    Fixtures.write(root, "README.md", "# Title\n\nSome text.\n");
    Cli file = new Cli(root);
    assertThat(file.run("enqueue", "--job-file", jobFile("job-ledgercli01").toString()).code())
        .isZero();
    assertThat(file.run("enqueue", "--job-file", jobFile("job-ledgercli02").toString()).code())
        .isZero();
    Cli.Result ran = file.run("--sandbox", "none", "worker", "--once");
    assertThat(ran.lastJson().get("status")).as(ran.err()).isEqualTo("complete");
    Path fileLedger = Fixtures.ledger(root);

    Cli.Result copy = file.run("ledger", "export", root.resolve("copy.jsonl").toString());
    assertThat(copy.code()).as(copy.err()).isZero();
    long fileLines = Files.readAllLines(fileLedger).size();
    assertThat(((Number) copy.lastJson().get("lines")).longValue()).isEqualTo(fileLines);
    assertThat(Files.readAllBytes(root.resolve("copy.jsonl")))
        .isEqualTo(Files.readAllBytes(fileLedger));

    Cli.Result imported = db("ledger", "import", fileLedger.toString());
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.lastJson().get("status")).isEqualTo("imported");
    assertThat(imported.lastJson().get("jobs")).isEqualTo(2);
    assertThat(imported.out()).doesNotContain("?user=");

    Cli.Result status = db("status");
    assertThat(status.lines()).hasSize(3);
    assertThat(status.json(0).get("state")).isEqualTo("complete");
    assertThat(status.json(1).get("state")).isEqualTo("queued");

    // The second job runs from the database; its evidence verifies against the queue.
    Cli.Result second = db("--sandbox", "none", "worker", "--once");
    assertThat(second.lastJson().get("status")).as(second.err()).isEqualTo("complete");
    Cli.Result verify = db("verify", "job-ledgercli02");
    assertThat(verify.code()).as(verify.out()).isZero();

    Path back = root.resolve("back/jobs.jsonl");
    Cli.Result exported = db("ledger", "export", back.toString());
    assertThat(exported.code()).as(exported.err()).isZero();
    // The database's run added its claim, heartbeat and complete after the imported lines.
    assertThat(((Number) exported.lastJson().get("lines")).longValue()).isEqualTo(fileLines + 3);
    byte[] before = Files.readAllBytes(fileLedger);
    byte[] after = Files.readAllBytes(back);
    assertThat(new String(after, java.nio.charset.StandardCharsets.UTF_8))
        .startsWith(new String(before, java.nio.charset.StandardCharsets.UTF_8));
    Cli.Result health = db("health");
    assertThat(health.json(0).get("queue_kind")).isEqualTo("postgresql");
    assertThat(((Number) health.json(0).get("ledger_events")).longValue()).isEqualTo(fileLines + 3);
    assertThat(health.lines()).hasSize(1);
    assertThat(health.err()).contains("complete=2").contains(" last=complete@");
    assertThat(health.out()).doesNotContain("?user=");
    assertThat(health.err()).doesNotContain("?user=");

    // A file ledger can take over from the export as it is.
    Path other = Files.createDirectories(root.resolve("other"));
    Files.createDirectories(other.resolve("workspace/local_exec/state"));
    Files.copy(back, Fixtures.ledger(other));
    Cli.Result fileStatus = new Cli(other).run("status");
    assertThat(fileStatus.json(1).get("state")).isEqualTo("complete");
  }

  @Test
  void ledgerImport_needsADatabaseQueue() {
    Cli.Result r = new Cli(root).run("ledger", "import", "whatever.jsonl");

    assertThat(r.code()).isEqualTo(LocalExecCli.USAGE);
    assertThat(r.err()).contains("--queue-url");
  }

  @Test
  void killSwitch_isTheSharedRow() {
    assertThat(db("kill-switch", "on", "maintenance").code()).isZero();
    assertThat(db("status").lastJson().get("kill_switch")).isEqualTo(true);
    assertThat(db("worker", "--once").lastJson().get("status")).isEqualTo("kill_switch");

    assertThat(db("kill-switch", "off").lastJson().get("was_on")).isEqualTo(true);
    assertThat(db("status").lastJson().get("kill_switch")).isEqualTo(false);
  }

  @Test
  void queueUrl_withAPasswordIsRefusedWithoutEchoingIt() {
    Cli.Result r =
        new Cli(root)
            .run("--queue-url", "jdbc:postgresql://db:5432/jobs?password=hunter2hunter2", "status");

    assertThat(r.code()).isEqualTo(LocalExecCli.USAGE);
    assertThat(r.err()).contains("LOCAL_EXEC_PG_PASSWORD").doesNotContain("hunter2");
  }
}
