package dev.localexec.cli;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.postgres.LedgerImport;
import dev.localexec.postgres.PostgresJobQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ledger export FILE}: writes the queue's ledger as a {@code jobs.jsonl} in the file
 * ledger's format (from the database, or a copy of the file ledger); {@code ledger import FILE}:
 * loads a file ledger into an empty PostgreSQL queue, so users can move both ways; {@code ledger
 * accept-head}: the operator accepts a cut or rewritten file ledger as it is now (a {@code
 * head_reset} event and a new head file), after which jobs are claimed again.
 */
final class LedgerCommand {
  private LedgerCommand() {}

  /** Runs the subcommand and returns the line to print. */
  static Map<String, Object> run(List<String> positionals, LocalExecPlane plane, JobQueue queue) {
    if (positionals.size() == 1 && positionals.get(0).equals("accept-head")) {
      Map<String, Object> m = plane.acceptLedgerHead();
      m.put("ledger", plane.layout().display(plane.layout().ledger()));
      return m;
    }
    if (positionals.size() != 2
        || !(positionals.get(0).equals("export") || positionals.get(0).equals("import"))) {
      throw new UsageException("ledger needs export FILE, import FILE or accept-head");
    }
    Path file = Path.of(positionals.get(1));
    Map<String, Object> m = new LinkedHashMap<>();
    if (positionals.get(0).equals("export")) {
      long lines = plane.exportLedger(file);
      m.put("status", "exported");
      m.put("file", file.toString());
      m.put("lines", lines);
      m.put("queue", plane.queueLocation());
      return m;
    }
    if (!(queue instanceof PostgresJobQueue pg)) {
      throw new UsageException(
          "ledger import loads a file ledger into a database queue: give --queue-url"
              + " jdbc:postgresql://HOST:PORT/DB (or set LOCAL_EXEC_QUEUE_URL)");
    }
    if (!Files.isRegularFile(file)) {
      throw new UsageException("ledger file not found: " + file);
    }
    LedgerImport report;
    try {
      report = pg.importLedger(file);
    } catch (java.io.UncheckedIOException e) {
      throw new LocalExecException("ledger_read_failed", e.getMessage(), false, e);
    }
    m.put("status", "imported");
    m.put("file", file.toString());
    m.putAll(report.toMap());
    m.put("queue", pg.location());
    return m;
  }
}
