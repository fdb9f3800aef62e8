package dev.localexec.core.internal.integrity;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.internal.paths.PlaneFiles;
import dev.localexec.core.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The ledger's head anchored outside the ledger: {@code state/jobs.head}, one JSON line {@code
 * {"seq": n, "hash": h, "offset": bytes, "ts_utc": t}} naming the ledger's last chained line when
 * it was written, and the byte offset where that line ends. The file ledger rewrites it after every
 * append, under the ledger's lock and after the append was forced to the device, in one write at
 * offset 0 of a line padded to a fixed width (so it never holds a mix of two heads); it is not
 * forced itself, so after a power loss it may lag the ledger, never lead it. A ledger shorter than
 * the head, or whose line with the head's {@code seq} has another hash, was cut or rewritten.
 *
 * <p>The state folder is read-only inside the sandbox, so a job cannot rewrite the head to match a
 * ledger it rewrote.
 *
 * @param seq the {@code seq} of the ledger's last chained line, 1 or more
 * @param hash that line's {@code hash}
 * @param offset the byte offset where that line ends (its line break included)
 * @param tsUtc when the head was written
 */
public record LedgerHeadFile(long seq, String hash, long offset, String tsUtc) {
  /** The head file's name, beside the ledger {@code jobs.jsonl}. */
  public static final String NAME = "jobs.head";

  /** Every head line is padded with spaces to this many bytes (its line break included). */
  static final int WIDTH = 256;

  private static final Pattern HEX64 = Pattern.compile("^[0-9a-f]{64}$");

  /** Validates. */
  public LedgerHeadFile {
    if (seq < 1) {
      throw new IllegalArgumentException("a head's seq must be 1 or more, got " + seq);
    }
    if (hash == null || !HEX64.matcher(hash).matches()) {
      throw new IllegalArgumentException(
          "a head's hash must be 64 lower-case hex characters, got '" + hash + "'");
    }
    if (offset < 1) {
      throw new IllegalArgumentException("a head's offset must be 1 or more, got " + offset);
    }
  }

  /** The head file beside {@code ledger}. */
  public static Path beside(Path ledger) {
    return ledger.toAbsolutePath().normalize().resolveSibling(NAME);
  }

  /** The chain head this file names. */
  public ChainHead chainHead() {
    return new ChainHead(seq, hash);
  }

  /** {@code {"seq", "hash", "offset", "ts_utc"}}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", seq);
    m.put("hash", hash);
    m.put("offset", offset);
    m.put("ts_utc", tsUtc);
    return m;
  }

  /**
   * Writes this head to {@code file} in place: one write at offset 0 of the padded line, without
   * following a symbolic link, and not forced to the device.
   *
   * @throws IOException if it cannot be written
   */
  public void write(Path file) throws IOException {
    String text = Json.line(toMap());
    StringBuilder padded = new StringBuilder(text);
    while (padded.length() < WIDTH - 1) {
      padded.append(' ');
    }
    padded.append('\n');
    byte[] bytes = padded.toString().getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch =
        PlaneFiles.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      long pos = 0;
      while (buf.hasRemaining()) {
        pos += ch.write(buf, pos);
      }
      if (ch.size() > bytes.length) {
        ch.truncate(bytes.length);
      }
    }
  }

  /**
   * Reads the head file.
   *
   * @return the head, or empty if the file does not exist or is blank (never written to the device)
   * @throws LocalExecException {@code ledger_head_unreadable} if it holds something else than a
   *     head
   * @throws IOException if it cannot be read
   */
  public static Optional<LedgerHeadFile> read(Path file) throws IOException {
    Read r = readOrProblem(file);
    if (r.problem() != null) {
      throw new LocalExecException(
          "ledger_head_unreadable",
          "the ledger's head file "
              + file
              + " cannot be read as a head: "
              + r.problem()
              + "; run `local-exec verify`, then restore the ledger and its head, or accept the"
              + " ledger as it is with `local-exec ledger accept-head`",
          false);
    }
    return Optional.ofNullable(r.head());
  }

  /**
   * What reading a head file found.
   *
   * @param head the head, or {@code null} (no head file, or a problem)
   * @param problem why the file is not a head, or {@code null}
   */
  record Read(LedgerHeadFile head, String problem) {}

  /** Reads the head file; a file that is not a head is a {@link Read#problem()}. */
  static Read readOrProblem(Path file) throws IOException {
    byte[] bytes;
    try {
      if (Files.isSymbolicLink(file)) {
        return new Read(null, "it is a symbolic link");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Read(null, null);
    }
    if (bytes.length > 4 * WIDTH) {
      return new Read(null, "it has " + bytes.length + " bytes, a head has " + WIDTH);
    }
    String text = new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ').strip();
    if (text.isEmpty()) {
      return new Read(null, null);
    }
    Object parsed;
    try {
      parsed = Json.parse(text);
    } catch (LocalExecException e) {
      return new Read(null, "it is not a JSON object");
    }
    if (!(parsed instanceof Map<?, ?> m)
        || !(m.get("seq") instanceof Number seq)
        || !(m.get("hash") instanceof String hash)
        || !(m.get("offset") instanceof Number offset)) {
      return new Read(null, "it lacks seq, hash or offset");
    }
    try {
      return new Read(
          new LedgerHeadFile(
              seq.longValue(),
              hash,
              offset.longValue(),
              m.get("ts_utc") instanceof String ts ? ts : null),
          null);
    } catch (IllegalArgumentException e) {
      return new Read(null, e.getMessage());
    }
  }

  /**
   * What keeps {@code ledger} from holding this head, or {@code null} when it holds it: the chained
   * line ending at {@link #offset} has this {@link #seq} and {@link #hash} (or, if the ledger was
   * only re-spaced, such a line is anywhere in it).
   *
   * @throws IOException if the ledger cannot be read
   */
  public String mismatch(Path ledger) throws IOException {
    if (!Files.exists(ledger, LinkOption.NOFOLLOW_LINKS)) {
      return "the ledger does not exist";
    }
    String suffix = "\"seq\": " + seq + ", \"hash\": \"" + hash + "\"}";
    long size;
    try (FileChannel ch = PlaneFiles.open(ledger, StandardOpenOption.READ)) {
      size = ch.size();
      if (size >= offset && offset >= suffix.length() + 1) {
        int n = suffix.length() + 1;
        ByteBuffer buf = ByteBuffer.allocate(n);
        long pos = offset - n;
        while (buf.hasRemaining() && ch.read(buf, pos + buf.position()) > 0) {
          // read on
        }
        String end = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        if (end.equals(suffix + "\n")) {
          return null;
        }
      }
    }
    if (holdsAnywhere(ledger, suffix)) {
      return null;
    }
    return size < offset
        ? "the ledger has " + size + " bytes"
        : "the ledger has " + size + " bytes but no line with seq " + seq + " and that hash";
  }

  private static boolean holdsAnywhere(Path ledger, String suffix) throws IOException {
    try (var lines = Files.lines(ledger, StandardCharsets.UTF_8)) {
      return lines.anyMatch(l -> l.strip().endsWith(suffix));
    } catch (java.io.UncheckedIOException e) {
      // not UTF-8 text somewhere: look at the bytes
      return new String(Files.readAllBytes(ledger), StandardCharsets.UTF_8)
          .lines()
          .anyMatch(l -> l.strip().endsWith(suffix));
    }
  }
}
