package dev.localexec.core.evidence;

import dev.localexec.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Appends JSON lines to one file in the ledger's spacing, each line flushed to the file system
 * before the call returns. Thread-safe.
 */
public final class JsonlFile {
  private final Path path;

  /** A writer appending to {@code path} (created with its folder on the first line). */
  public JsonlFile(Path path) {
    this.path = path;
  }

  /** The file. */
  public Path path() {
    return path;
  }

  /**
   * Appends one object as a line.
   *
   * @return the bytes written, line break included
   * @throws IOException if the file cannot be written
   */
  public synchronized long append(Map<String, ?> object) throws IOException {
    byte[] line = (Json.line(object) + "\n").getBytes(StandardCharsets.UTF_8);
    Files.createDirectories(path.getParent());
    try (OutputStream out =
        Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      out.write(line);
    }
    return line.length;
  }
}
