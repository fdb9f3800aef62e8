package dev.localexec.core.internal.integrity;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.internal.paths.PlaneFiles;
import dev.localexec.core.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Appends JSON lines that form a SHA-256 hash chain: the ledger, each job's evidence and each
 * worker's events are written through one of these.
 *
 * <p>A chained line is the object in the ledger's spacing ({@link Json#line}) with two more keys at
 * its end: {@code "seq"} (1, 2, 3, ... within the file) and {@code "hash"}, the lower-case hex
 * SHA-256 of the previous chained line's hash, a line break, and {@link Json#canonical} of the
 * line's object without its {@code "hash"} key ({@link #hash}); the first chained line's previous
 * hash is 64 zeros ({@link ChainHead#GENESIS}). Lines without these keys before the first chained
 * line are legacy lines (the original tool wrote them) and are not part of the chain. The hash is
 * taken of the object as a reader parses the written line back, so writer and {@link Verifier}
 * always agree.
 *
 * <p>Every object is passed through the {@link Redactor} first. When the file ends in an
 * unterminated line that is not a JSON object (a write cut short by a crash), the next append
 * starts a fresh line and, if this writer has a {@link TornLineMarker}, first writes a chained
 * marker event naming the torn line; the fragment itself is not part of the chain.
 *
 * <p>Each append holds an exclusive lock on the file (within this JVM and, through a {@link
 * FileLock}, across processes) and takes the chain's head from the file's tail unless this writer
 * wrote the file's last line itself, so several writers of one file keep one chain. Thread-safe;
 * appends block while another writer of the same file appends.
 */
public final class ChainedJsonl {
  /** The sequence number's key. */
  public static final String SEQ = "seq";

  /** The hash's key. */
  public static final String HASH = "hash";

  private static final ReentrantLock[] STRIPES = new ReentrantLock[64];

  static {
    for (int i = 0; i < STRIPES.length; i++) {
      STRIPES[i] = new ReentrantLock();
    }
  }

  /** The end of a line this class wrote: {@code , "seq": N, "hash": "<64 hex>"}}. */
  private static final Pattern CHAINED_END =
      Pattern.compile("(?:\\{|, )\"seq\": ([0-9]{1,18}), \"hash\": \"([0-9a-f]{64})\"}$");

  private static final int CHUNK = 8192;

  /** Makes the event that records a torn line, written as a chained line before the next one. */
  @FunctionalInterface
  public interface TornLineMarker {
    /**
     * The marker event.
     *
     * @param line the torn line's 1-based number in the file
     * @param bytes the torn fragment's length in bytes
     * @return a JSON-like object without {@code seq} and {@code hash}
     */
    Map<String, Object> marker(int line, long bytes);
  }

  /**
   * Tells a writer how many lines lie before an offset of its file, when its owner knows it (a
   * ledger's replay does), so that naming a torn line does not count the whole file's line breaks.
   */
  @FunctionalInterface
  public interface LineCount {
    /**
     * The number of line breaks before {@code offset}, or -1 if unknown. Called during an append,
     * under the file's lock, on the appending thread.
     *
     * @param offset a byte offset where a line starts
     */
    int linesBefore(long offset);
  }

  private final Path path;
  private final Redactor redactor;
  private final TornLineMarker tornLineMarker;
  private final boolean durable;
  private final LineCount lineCount;
  private long knownSize = -1;
  private ChainHead knownHead;

  /**
   * A writer appending to {@code path} (created with its folder on the first line).
   *
   * @param path the file
   * @param redactor applied to every object before it is written
   * @param tornLineMarker makes the event naming a torn last line, or {@code null} to write none
   * @param durable whether each append is forced to the storage device before it returns
   */
  public ChainedJsonl(
      Path path, Redactor redactor, TornLineMarker tornLineMarker, boolean durable) {
    this(path, redactor, tornLineMarker, durable, null);
  }

  /**
   * A writer appending to {@code path} whose owner can tell line numbers (see {@link LineCount}).
   *
   * @param path the file
   * @param redactor applied to every object before it is written
   * @param tornLineMarker makes the event naming a torn last line, or {@code null} to write none
   * @param durable whether each append is forced to the storage device before it returns
   * @param lineCount tells the number of lines before an offset, or {@code null}
   */
  public ChainedJsonl(
      Path path,
      Redactor redactor,
      TornLineMarker tornLineMarker,
      boolean durable,
      LineCount lineCount) {
    this.path = path.toAbsolutePath().normalize();
    this.redactor = redactor;
    this.tornLineMarker = tornLineMarker;
    this.durable = durable;
    this.lineCount = lineCount;
  }

  /** The file. */
  public Path path() {
    return path;
  }

  /**
   * The hash of a chained line: the hex SHA-256 of {@code previousHash + "\n" +
   * Json.canonical(withoutHash)}.
   *
   * @param previousHash the previous chained line's hash, or 64 zeros for the first
   * @param withoutHash the line's object without its {@code hash} key ({@code seq} included)
   */
  public static String hash(String previousHash, Map<?, ?> withoutHash) {
    return Json.sha256Hex(previousHash + "\n" + Json.canonical(withoutHash));
  }

  /**
   * Appends one object (redacted) as a chained line, after a torn-line marker if the file ends in a
   * torn line.
   *
   * @return the head of the chain after the line
   * @throws IOException if the file cannot be read or written
   * @throws IllegalArgumentException if the object is not a JSON-like tree
   */
  public synchronized ChainHead append(Map<String, ?> object) throws IOException {
    Map<String, Object> redacted = redactor.redactObject(object);
    return withLock(
        ch -> {
          long size = ch.size();
          Tail tail =
              size == knownSize && knownHead != null
                  ? new Tail(knownHead, false, false, 0, 0)
                  : readTail(ch, size, lineCount);
          StringBuilder text = new StringBuilder();
          ChainHead head = tail.head;
          if (tail.unterminated) {
            text.append('\n');
            if (tail.torn && tornLineMarker != null) {
              Linked marker =
                  link(head, redactor.redactObject(tornLineMarker.marker(tail.line, tail.bytes)));
              text.append(marker.line).append('\n');
              head = marker.head;
            }
          }
          Linked linked = link(head, redacted);
          text.append(linked.line).append('\n');
          ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
          long pos = size;
          while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
          }
          if (durable) {
            ch.force(false);
          }
          knownSize = pos;
          knownHead = linked.head;
          return linked.head;
        });
  }

  /**
   * The file's size just after this writer's last {@link #append}, or -1 before its first: the byte
   * offset where the line it returned the head of ends. Its owner reads it under the same lock it
   * appended under (another writer of the file may have appended since).
   */
  public synchronized long lastAppendEnd() {
    return knownHead == null ? -1 : knownSize;
  }

  /**
   * The head of the file's chain, read from its tail; {@link ChainHead#GENESIS} when the file is
   * missing or has no chained line.
   *
   * @throws IOException if the file cannot be read
   */
  public synchronized ChainHead head() throws IOException {
    if (!Files.exists(path)) {
      return ChainHead.GENESIS;
    }
    return withLock(ch -> readTail(ch, ch.size(), null).head);
  }

  private interface LockedAction<T> {
    T run(FileChannel ch) throws IOException;
  }

  @SuppressWarnings("try")
  private <T> T withLock(LockedAction<T> action) throws IOException {
    ReentrantLock jvmLock = STRIPES[Math.floorMod(path.hashCode(), STRIPES.length)];
    jvmLock.lock();
    try {
      Files.createDirectories(path.getParent());
      try (FileChannel ch =
              PlaneFiles.open(
                  path,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        return action.run(ch);
      }
    } finally {
      jvmLock.unlock();
    }
  }

  /**
   * A chained line (without its line break) and the chain's head after it.
   *
   * @param line the line as a ledger holds it
   * @param head its {@code seq} and {@code hash}
   */
  public record ChainedLine(String line, ChainHead head) {}

  /**
   * {@code object} as the chained line after {@code previous}, exactly as {@link #append} would
   * write it (but not redacted: the caller redacts), for a ledger kept elsewhere than in a file.
   *
   * @throws IllegalArgumentException if the object is not a JSON-like tree
   */
  public static ChainedLine chain(ChainHead previous, Map<String, ?> object) {
    Linked linked = link(previous, new LinkedHashMap<>(object));
    return new ChainedLine(linked.line, linked.head);
  }

  /** A line ready to write and the head after it. */
  private record Linked(String line, ChainHead head) {}

  /** The chain's head in the file, and whether the file ends in an unterminated line. */
  private record Tail(ChainHead head, boolean unterminated, boolean torn, int line, long bytes) {}

  /** {@code object} as the chained line after {@code previous}. */
  private static Linked link(ChainHead previous, Map<String, Object> object) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : object.entrySet()) {
      if (!e.getKey().equals(SEQ) && !e.getKey().equals(HASH)) {
        m.put(e.getKey(), e.getValue());
      }
    }
    long seq = previous.seq() + 1;
    m.put(SEQ, seq);
    String text = Json.line(m);
    Object readBack;
    try {
      readBack = Json.parse(text);
    } catch (LocalExecException e) {
      throw new IllegalArgumentException(
          "the event cannot be written as JSON that reads back: " + e.getMessage(), e);
    }
    String h = hash(previous.hash(), (Map<?, ?>) readBack);
    String line = text.substring(0, text.length() - 1) + ", \"" + HASH + "\": \"" + h + "\"}";
    return new Linked(line, new ChainHead(seq, h));
  }

  /**
   * Reads the file backwards to its last chained line; also says whether the file ends in an
   * unterminated line and whether that line is a torn write (not a JSON object).
   */
  private static Tail readTail(FileChannel ch, long size, LineCount lineCount) throws IOException {
    if (size == 0) {
      return new Tail(ChainHead.GENESIS, false, false, 0, 0);
    }
    boolean unterminated = read(ch, size - 1, size)[0] != '\n';
    long end = unterminated ? size : size - 1;
    boolean torn = false;
    int tornLine = 0;
    long tornBytes = 0;
    ChainHead head = null;
    boolean last = true;
    while (head == null) {
      long start = lineStart(ch, end);
      head = chainedHead(ch, start, end);
      if (last && unterminated && head == null && !isObject(read(ch, start, end))) {
        torn = true;
        tornBytes = size - start;
        int known = lineCount == null ? -1 : lineCount.linesBefore(start);
        tornLine = (known >= 0 ? known : countLineBreaks(ch, start)) + 1;
      }
      last = false;
      if (start == 0) {
        break;
      }
      end = start - 1;
    }
    return new Tail(
        head == null ? ChainHead.GENESIS : head, unterminated, torn, tornLine, tornBytes);
  }

  /** The head a chained line in {@code [start, end)} records, or {@code null}. */
  private static ChainHead chainedHead(FileChannel ch, long start, long end) throws IOException {
    long from = Math.max(start, end - 256);
    String tail = new String(read(ch, from, end), StandardCharsets.UTF_8).strip();
    Matcher m = CHAINED_END.matcher(tail);
    if (m.find()) {
      return new ChainHead(Long.parseLong(m.group(1)), m.group(2));
    }
    if (end - start > 0 && tail.endsWith("}")) {
      Object parsed = parseOrNull(read(ch, start, end));
      if (parsed instanceof Map<?, ?> obj
          && obj.get(SEQ) instanceof Number seq
          && obj.get(HASH) instanceof String h
          && h.matches("^[0-9a-f]{64}$")
          && seq.longValue() >= 1) {
        return new ChainHead(seq.longValue(), h);
      }
    }
    return null;
  }

  private static boolean isObject(byte[] line) {
    return parseOrNull(line) instanceof Map;
  }

  private static Object parseOrNull(byte[] line) {
    String text = new String(line, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return null;
    }
    try {
      return Json.parse(text);
    } catch (LocalExecException e) {
      return null;
    }
  }

  /** The offset just after the last line break before {@code end}, or 0. */
  private static long lineStart(FileChannel ch, long end) throws IOException {
    long pos = end;
    while (pos > 0) {
      int n = (int) Math.min(CHUNK, pos);
      byte[] chunk = read(ch, pos - n, pos);
      for (int i = n - 1; i >= 0; i--) {
        if (chunk[i] == '\n') {
          return pos - n + i + 1;
        }
      }
      pos -= n;
    }
    return 0;
  }

  private static int countLineBreaks(FileChannel ch, long end) throws IOException {
    int count = 0;
    for (long pos = 0; pos < end; pos += CHUNK) {
      for (byte b : read(ch, pos, Math.min(end, pos + CHUNK))) {
        if (b == '\n') {
          count++;
        }
      }
    }
    return count;
  }

  private static byte[] read(FileChannel ch, long from, long to) throws IOException {
    long length = to - from;
    if (length > Integer.MAX_VALUE - 16) {
      throw new IOException("a line of " + length + " bytes is too long to read");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) length);
    long pos = from;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("the file ended while reading it at offset " + pos);
      }
      pos += n;
    }
    return buf.array();
  }
}
