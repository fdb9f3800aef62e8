package dev.localexec.core.internal.plane;

import dev.localexec.core.internal.paths.PlaneFiles;
import dev.localexec.core.queue.LedgerEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The number of complete lines of a ledger and its last event, for {@code health}: one streaming
 * pass counting {@code '\n'} bytes, then one read of the last complete line. A torn last line (no
 * newline yet) is not counted.
 *
 * @param lines the complete lines
 * @param lastEvent {@code {"ts_utc", "event"}} of the last complete line, or {@code null} when
 *     there is none or it is not a JSON object
 */
public record LedgerTail(long lines, Map<String, Object> lastEvent) {
  /** The longest last line read back; a longer one is reported as {@code null}. */
  private static final int MAX_LINE = 16 << 20;

  /**
   * Reads {@code ledger}; a missing file has no lines.
   *
   * @throws IOException if it cannot be read
   */
  public static LedgerTail of(Path ledger) throws IOException {
    long lines = 0;
    long lastNl = -1;
    long previousNl = -1;
    byte[] buf = new byte[64 * 1024];
    long pos = 0;
    try (InputStream in = Files.newInputStream(ledger)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            lines++;
            previousNl = lastNl;
            lastNl = pos + i;
          }
        }
        pos += n;
      }
    } catch (NoSuchFileException e) {
      return new LedgerTail(0, null);
    }
    if (lastNl < 0 || lastNl - previousNl - 1 > MAX_LINE) {
      return new LedgerTail(lines, null);
    }
    ByteBuffer line = ByteBuffer.allocate((int) (lastNl - previousNl - 1));
    try (SeekableByteChannel ch = PlaneFiles.open(ledger, StandardOpenOption.READ)) {
      ch.position(previousNl + 1);
      while (line.hasRemaining() && ch.read(line) > 0) {
        // keep reading
      }
    }
    return new LedgerTail(lines, event(new String(line.array(), StandardCharsets.UTF_8)));
  }

  private static Map<String, Object> event(String line) {
    return LedgerEvent.parse(line)
        .map(
            ev -> {
              Map<String, Object> out = new LinkedHashMap<>();
              out.put("ts_utc", ev.ts());
              out.put("event", ev.kind());
              return out;
            })
        .orElse(null);
  }
}
