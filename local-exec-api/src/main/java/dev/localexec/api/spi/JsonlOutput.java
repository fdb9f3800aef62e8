package dev.localexec.api.spi;

import java.util.Map;

/**
 * A JSON-lines output file of a job, e.g. {@code evidence/<job_id>_index.jsonl}. Each line is
 * written in the ledger's spacing and counts against the output budget. Not thread-safe.
 */
public interface JsonlOutput extends AutoCloseable {

  /**
   * Appends one object as a line.
   *
   * @throws dev.localexec.api.BudgetExceededException if the line does not fit in the output budget
   *     (nothing is written then)
   */
  void write(Map<String, ?> row);

  /** Lines written so far. */
  long lines();

  /** The file's path relative to the repo root, {@code /}-separated. */
  String relativePath();

  /** Flushes and closes; never throws a checked exception. */
  @Override
  void close();
}
