package dev.localexec.cli;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.postgres.LedgerImport;
import dev.localexec.postgres.PostgresJobQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ledger export FILE}: writes the queue's ledger as a {@code jobs.jsonl} in the file
 * ledger's format (from the database, or a copy of the file ledger); {@code ledger import FILE}:
 * loads a file ledger into an empty PostgreSQL queue, so users can move both ways; {@code ledger
 * accept-head}: the operator accepts a cut or rewritten file ledger as it is now (a {@code
 * head_reset} event and a new head file), after which jobs are claimed again.
 */
@Command(
    name = "ledger",
    description =
        "Move the ledger between the file and a database queue, or accept a cut or rewritten"
            + " ledger.",
    subcommands = {
      LedgerCommand.Export.class,
      LedgerCommand.Import.class,
      LedgerCommand.AcceptHead.class
    })
final class LedgerCommand implements Callable<Integer> {
  @Mixin Options.Help help;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new UsageException(CommandTree.needs(spec));
  }

  /** {@code ledger export FILE}. */
  @Command(
      name = "export",
      description =
          "Write the queue's ledger to FILE as a jobs.jsonl in the file ledger's format (from the"
              + " database, or a copy of the file ledger).")
  static final class Export implements Callable<Integer> {
    @Mixin Options.Help help;

    @Parameters(paramLabel = "FILE", description = "Where to write the ledger.")
    Path file;

    private final LocalExecCli cli;

    Export(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (LocalExecPlane plane = cli.plane()) {
        long lines = plane.exportLedger(file);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "exported");
        m.put("file", file.toString());
        m.put("lines", lines);
        m.put("queue", plane.queueLocation());
        cli.print(m);
        return LocalExecCli.OK;
      }
    }
  }

  /** {@code ledger import FILE}. */
  @Command(
      name = "import",
      description =
          "Load a file ledger (a jobs.jsonl) into an empty PostgreSQL queue (--queue-url or"
              + " LOCAL_EXEC_QUEUE_URL).")
  static final class Import implements Callable<Integer> {
    @Mixin Options.Help help;

    @Parameters(paramLabel = "FILE", description = "The jobs.jsonl to load.")
    Path file;

    private final LocalExecCli cli;

    Import(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    @SuppressWarnings("try") // the plane opens the queue this command loads
    public Integer call() {
      try (LocalExecPlane plane = cli.plane()) {
        if (!(cli.openedQueue() instanceof PostgresJobQueue pg)) {
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
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "imported");
        m.put("file", file.toString());
        m.putAll(report.toMap());
        m.put("queue", pg.location());
        cli.print(m);
        return LocalExecCli.OK;
      }
    }
  }

  /** {@code ledger accept-head}. */
  @Command(
      name = "accept-head",
      description =
          "Accept a cut or rewritten file ledger as it is now (a head_reset event and a new"
              + " state/jobs.head); jobs are claimed again after it.")
  static final class AcceptHead implements Callable<Integer> {
    @Mixin Options.Help help;
    private final LocalExecCli cli;

    AcceptHead(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (LocalExecPlane plane = cli.plane()) {
        Map<String, Object> m = plane.acceptLedgerHead();
        m.put("ledger", plane.layout().display(plane.layout().ledger()));
        cli.print(m);
        return LocalExecCli.OK;
      }
    }
  }
}
