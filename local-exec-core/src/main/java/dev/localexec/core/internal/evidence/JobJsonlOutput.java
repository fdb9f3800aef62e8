package dev.localexec.core.internal.evidence;

import dev.localexec.api.LocalExecException;
import dev.localexec.api.spi.BudgetTracker;
import dev.localexec.api.spi.JsonlOutput;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.paths.PlaneFiles;
import dev.localexec.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A job's JSON-lines output file whose lines count against its output budget; secret values are
 * redacted from every row.
 */
public final class JobJsonlOutput implements JsonlOutput {
  private final Path path;
  private final String relativePath;
  private final BudgetTracker budget;
  private final Redactor redactor;
  private OutputStream out;
  private long lines;

  /**
   * Creates (truncates) the file.
   *
   * @param path the file
   * @param relativePath its root-relative form, as reported in results
   * @param budget the job's budget the lines count against
   */
  public JobJsonlOutput(Path path, String relativePath, BudgetTracker budget) {
    this(path, relativePath, budget, Redactor.none());
  }

  /**
   * Creates (truncates) the file.
   *
   * @param path the file
   * @param relativePath its root-relative form, as reported in results
   * @param budget the job's budget the lines count against
   * @param redactor applied to every row before it is written
   */
  public JobJsonlOutput(Path path, String relativePath, BudgetTracker budget, Redactor redactor) {
    this.path = path;
    this.relativePath = relativePath;
    this.budget = budget;
    this.redactor = redactor;
    try {
      Files.createDirectories(path.getParent());
      this.out =
          java.nio.channels.Channels.newOutputStream(
              PlaneFiles.open(
                  path,
                  java.nio.file.StandardOpenOption.CREATE,
                  java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                  java.nio.file.StandardOpenOption.WRITE));
    } catch (IOException e) {
      throw new LocalExecException(
          "output_write_failed", "cannot create " + path + ": " + e.getMessage(), true, e);
    }
  }

  @Override
  public void write(Map<String, ?> row) {
    byte[] line = (Json.line(redactor.redactObject(row)) + "\n").getBytes(StandardCharsets.UTF_8);
    budget.requireOutput(line.length);
    try {
      out.write(line);
      lines++;
    } catch (IOException e) {
      throw new LocalExecException(
          "output_write_failed", "cannot write " + path + ": " + e.getMessage(), true, e);
    }
  }

  @Override
  public long lines() {
    return lines;
  }

  @Override
  public String relativePath() {
    return relativePath;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new LocalExecException(
          "output_write_failed", "cannot close " + path + ": " + e.getMessage(), true, e);
    }
  }
}
