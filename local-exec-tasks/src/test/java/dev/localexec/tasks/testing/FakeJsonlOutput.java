package dev.localexec.tasks.testing;

import dev.localexec.api.spi.BudgetTracker;
import dev.localexec.api.spi.JsonlOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Appends rows to a real file, each line counted whole against the output budget. */
final class FakeJsonlOutput implements JsonlOutput {
  private final Path file;
  private final String relativePath;
  private final BudgetTracker budget;
  private long lines;
  private boolean closed;

  FakeJsonlOutput(Path file, String relativePath, BudgetTracker budget) {
    this.file = file;
    this.relativePath = relativePath;
    this.budget = budget;
  }

  @Override
  public void write(Map<String, ?> row) {
    if (closed) {
      throw new IllegalStateException(relativePath + " is closed");
    }
    byte[] line = (MiniJson.write(row) + "\n").getBytes(StandardCharsets.UTF_8);
    budget.requireOutput(line.length);
    try {
      Files.write(file, line, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    lines++;
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
    closed = true;
  }
}
