package dev.localexec.core.internal.queue;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.internal.paths.PlaneFiles;
import dev.localexec.core.json.Json;
import dev.localexec.core.queue.JobState;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The checkpoint beside the ledger, {@code state/jobs.snapshot}: the {@link Replay} at a byte
 * offset of {@code jobs.jsonl}, so that a new process catches up from there instead of replaying
 * the whole ledger. Always rebuildable from the ledger; deleting it costs only time.
 *
 * <p>JSON lines, ASCII: a header object, one array per job in the order of first enqueue, and a
 * trailer object:
 *
 * <pre>{@code
 * {"format": "local-exec-jobs-snapshot", "version": 1, "written_ts": "...", "ledger": "jobs.jsonl",
 *  "ledger_file_key": "(dev=fd01,ino=42)", "ledger_offset": 123456, "ledger_lines": 400,
 *  "last_line": {"start": 123200, "sha256": "..."}, "chain_head": {"seq": 400, "hash": "..."},
 *  "events": 400, "bad_lines": [], "jobs": 100}
 * ["job-0001", "repo_index_task", "complete", 1, "w1", 1795494184.25, "2026-...Z", null, 1, 0]
 * {"end": "jobs.snapshot", "jobs": 100, "crc32c": "1a2b3c4d"}
 * }</pre>
 *
 * A job array is {@code [job_id, job_type, state, attempts, worker_id, lease_expires_unix,
 * updated_ts, error, enqueue_order, enqueue_offset]}: the state as replayed (a running job's lease
 * is judged at read time), and the byte offset of the job's latest {@code enqueue} line, where its
 * document is read back when it is claimed or re-queued. {@code crc32c} covers the job lines.
 *
 * <p>Loading checks, reading only the snapshot and one ledger line: the format and version; the
 * ledger's file key (a replaced file is another file); that the offset is within the ledger; that
 * the ledger's line just before the offset starts where recorded and has the recorded SHA-256 (and
 * chain head); and that every job line is there, intact. Written to a temporary file, forced to
 * disk and renamed over the old one, so a reader sees the old snapshot or the new one, whole.
 */
final class LedgerSnapshot {
  static final String FORMAT = "local-exec-jobs-snapshot";
  static final int VERSION = 1;

  private LedgerSnapshot() {}

  /** A loaded replay, or why the snapshot was not used. */
  record Loaded(Replay replay, String problem) {}

  /** Why a snapshot cannot be used. */
  private static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;

    Unusable(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * Writes {@code r} (which must stand at a line boundary of the ledger) to {@code file}.
   *
   * @param ledger the ledger, to read the chain head from the line before the offset
   */
  static void write(Path file, Replay r, FileChannel ledger, String writtenTs) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("format", FORMAT);
    header.put("version", VERSION);
    header.put("written_ts", writtenTs);
    header.put("ledger", "jobs.jsonl");
    header.put("ledger_file_key", r.fileKey);
    header.put("ledger_offset", r.offset);
    header.put("ledger_lines", r.lineNo);
    Map<String, Object> last = new LinkedHashMap<>();
    last.put("start", r.lastLineStart);
    last.put("sha256", r.lastLineSha256);
    header.put("last_line", r.lastLineStart < 0 ? null : last);
    header.put(
        "chain_head",
        r.lastLineStart < 0 ? null : chainHead(read(ledger, r.lastLineStart, r.offset)));
    header.put("events", r.events);
    header.put("bad_lines", r.badLines);
    header.put("jobs", r.jobs.size());

    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      writeJobs(tmp, header, r);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    forceDirectory(file.getParent());
  }

  private static void writeJobs(Path tmp, Map<String, Object> header, Replay r) throws IOException {
    try (FileChannel ch =
        PlaneFiles.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      Out out = new Out(ch);
      out.raw(Json.line(header)).raw("\n");
      out.flush();
      out.crc = new CRC32C();
      for (Replay.Entry e : r.jobs.values()) {
        jobLine(out, e);
      }
      out.flush();
      Map<String, Object> trailer = new LinkedHashMap<>();
      trailer.put("end", "jobs.snapshot");
      trailer.put("jobs", r.jobs.size());
      trailer.put("crc32c", String.format("%08x", out.crc.getValue()));
      out.crc = null;
      out.raw(Json.line(trailer)).raw("\n");
      out.flush();
      ch.force(true);
    }
  }

  private static final String[] STATE_NAMES = new String[JobState.values().length];

  static {
    for (JobState s : JobState.values()) {
      STATE_NAMES[s.ordinal()] = s.jsonName();
    }
  }

  /**
   * {@code [job_id, job_type, state, attempts, worker_id, lease_expires_unix, updated_ts, error,
   * enqueue_order, enqueue_offset]} and a line break. A lease that is not finite is written as a
   * string ({@code "NaN"}, {@code "Infinity"}).
   */
  private static void jobLine(Out out, Replay.Entry e) throws IOException {
    out.raw("[").string(e.jobId).raw(", ").string(e.jobType).raw(", \"");
    out.raw(STATE_NAMES[e.rawState.ordinal()]).raw("\", ").raw(Integer.toString(e.attempts));
    out.raw(", ").string(e.workerId).raw(", ");
    if (Double.isFinite(e.lease)) {
      out.raw(Double.toString(e.lease));
    } else {
      out.string(Double.toString(e.lease));
    }
    out.raw(", ").string(e.updatedTs).raw(", ").string(e.error).raw(", ");
    out.raw(Long.toString(e.enqueueOrder)).raw(", ").raw(Long.toString(e.enqueueOffset));
    out.raw("]\n");
  }

  /**
   * ASCII written through a 64 KiB buffer, strings escaped as {@link Json#line} escapes them (every
   * character outside {@code 0x20..0x7e} as {@code \}{@code uXXXX}); the bytes also go into {@link
   * #crc} while it is set.
   */
  private static final class Out {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final FileChannel ch;
    private final byte[] buf = new byte[1 << 16];
    private int len;
    CRC32C crc;

    Out(FileChannel ch) {
      this.ch = ch;
    }

    private void put(int b) throws IOException {
      if (len == buf.length) {
        flush();
      }
      buf[len++] = (byte) b;
    }

    /** Text known to be plain ASCII. */
    Out raw(String ascii) throws IOException {
      for (int i = 0; i < ascii.length(); i++) {
        put(ascii.charAt(i));
      }
      return this;
    }

    /** A JSON string, or {@code null}. */
    Out string(String s) throws IOException {
      if (s == null) {
        return raw("null");
      }
      put('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> raw("\\\"");
          case '\\' -> raw("\\\\");
          case '\n' -> raw("\\n");
          case '\r' -> raw("\\r");
          case '\t' -> raw("\\t");
          case '\b' -> raw("\\b");
          case '\f' -> raw("\\f");
          default -> {
            if (c < 0x20 || c > 0x7e) {
              put('\\');
              put('u');
              put(HEX[(c >> 12) & 0xf]);
              put(HEX[(c >> 8) & 0xf]);
              put(HEX[(c >> 4) & 0xf]);
              put(HEX[c & 0xf]);
            } else {
              put(c);
            }
          }
        }
      }
      put('"');
      return this;
    }

    void flush() throws IOException {
      if (crc != null) {
        crc.update(buf, 0, len);
      }
      ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
      while (bb.hasRemaining()) {
        ch.write(bb);
      }
      len = 0;
    }
  }

  /**
   * Loads {@code file} if it is consistent with the ledger.
   *
   * @param ledger the ledger, open for reading
   * @param fileKey the ledger's file key as text, or {@code null} if the system has none
   * @param ledgerSize the ledger's size
   * @return the replay at the snapshot's offset, or the reason it is not used
   * @throws IOException if the snapshot or the ledger cannot be read
   */
  static Loaded load(Path file, FileChannel ledger, String fileKey, long ledgerSize)
      throws IOException {
    try (FileChannel ch = PlaneFiles.open(file, StandardOpenOption.READ)) {
      return new Loaded(read(ch, ledger, fileKey, ledgerSize), null);
    } catch (Unusable e) {
      return new Loaded(null, e.getMessage());
    }
  }

  private static Replay read(FileChannel ch, FileChannel ledger, String fileKey, long ledgerSize)
      throws IOException, Unusable {
    LineReader lines = new LineReader(ch, 0, ch.size());
    if (!lines.next()) {
      throw new Unusable("it is empty or has no complete header line");
    }
    Map<?, ?> h = object(lines, "header");
    if (!FORMAT.equals(h.get("format")) || !Integer.valueOf(VERSION).equals(h.get("version"))) {
      throw new Unusable(
          "it is not a "
              + FORMAT
              + " of version "
              + VERSION
              + " (format "
              + h.get("format")
              + ", version "
              + h.get("version")
              + ")");
    }
    Object key = h.get("ledger_file_key");
    if (fileKey != null && key != null && !fileKey.equals(key)) {
      throw new Unusable(
          "the ledger was replaced: its file key is " + fileKey + ", the snapshot's " + key);
    }
    long offset = integral(h, "ledger_offset");
    if (offset < 0 || offset > ledgerSize) {
      throw new Unusable(
          "the ledger has "
              + ledgerSize
              + " bytes, fewer than the snapshot's offset "
              + offset
              + " (truncated?)");
    }
    long count = integral(h, "jobs");
    if (count < 0 || count > Integer.MAX_VALUE) {
      throw new Unusable("its job count " + count + " is out of range");
    }
    Replay r = new Replay((int) count);
    r.fileKey = fileKey;
    r.offset = offset;
    r.lineNo = Math.toIntExact(integral(h, "ledger_lines"));
    r.events = integral(h, "events");
    if (offset > 0) {
      checkLastLine(h, ledger, offset, r);
    }
    if (!(h.get("bad_lines") instanceof List<?> bad)) {
      throw new Unusable("its header has no bad_lines list");
    }
    for (Object o : bad) {
      if (!(o instanceof Integer n)) {
        throw new Unusable("its bad_lines hold " + o + ", not a line number");
      }
      r.badLines.add(n);
    }
    CRC32C crc = new CRC32C();
    for (long i = 0; i < count; i++) {
      if (!lines.next()) {
        throw new Unusable("it is cut short after " + i + " of its " + count + " jobs");
      }
      crc.update(lines.bytes(), lines.start(), lines.end() + 1 - lines.start());
      Replay.Entry e = jobLine(lines);
      if (e == null) {
        throw new Unusable("job line " + (i + 2) + " is damaged");
      }
      if (r.jobs.containsKey(e.jobId)) {
        throw new Unusable("job " + e.jobId + " is in it twice");
      }
      r.add(e);
    }
    if (!lines.next()) {
      throw new Unusable("it is cut short: the trailer line is missing");
    }
    Map<?, ?> t = object(lines, "trailer");
    String expected = String.format("%08x", crc.getValue());
    if (!Long.valueOf(count).equals(asLong(t.get("jobs"))) || !expected.equals(t.get("crc32c"))) {
      throw new Unusable(
          "its trailer does not match its job lines (crc32c " + t.get("crc32c") + ")");
    }
    if (lines.next() || lines.end() > lines.start()) {
      throw new Unusable("it has bytes after its trailer");
    }
    return r;
  }

  /** Checks that the ledger's line before {@code offset} is the one the snapshot recorded. */
  private static void checkLastLine(Map<?, ?> h, FileChannel ledger, long offset, Replay r)
      throws IOException, Unusable {
    if (!(h.get("last_line") instanceof Map<?, ?> last)
        || !(last.get("sha256") instanceof String sha)) {
      throw new Unusable("its header has no last_line");
    }
    long start = integral(last, "start");
    if (start < 0 || start >= offset) {
      throw new Unusable("its last_line starts at " + start + ", not before " + offset);
    }
    byte[] line = read(ledger, start, offset);
    if (line[line.length - 1] != '\n' || (start > 0 && read(ledger, start - 1, start)[0] != '\n')) {
      throw new Unusable(
          "the ledger has no line from byte " + start + " to " + offset + " (rewritten?)");
    }
    String actual = sha256(line);
    if (!actual.equals(sha)) {
      throw new Unusable(
          "the ledger's line before offset "
              + offset
              + " has SHA-256 "
              + actual
              + ", the snapshot recorded "
              + sha
              + " (the ledger was rewritten)");
    }
    Object recorded = h.get("chain_head");
    Object present = chainHead(line);
    if (!java.util.Objects.equals(normalize(recorded), normalize(present))) {
      throw new Unusable(
          "the ledger's chain head before offset "
              + offset
              + " is "
              + present
              + ", the snapshot recorded "
              + recorded);
    }
    r.lastLineStart = start;
    r.lastLineSha256 = sha;
  }

  private static Object normalize(Object head) {
    if (head instanceof Map<?, ?> m) {
      return List.of(String.valueOf(asLong(m.get("seq"))), String.valueOf(m.get("hash")));
    }
    return head;
  }

  /** {@code {"seq", "hash"}} of a chained ledger line, or {@code null}. */
  private static Map<String, Object> chainHead(byte[] line) {
    Object parsed;
    try {
      parsed = Json.parse(new String(line, StandardCharsets.UTF_8).strip());
    } catch (LocalExecException e) {
      return null;
    }
    if (parsed instanceof Map<?, ?> m
        && asLong(m.get("seq")) != null
        && m.get("hash") instanceof String hash) {
      Map<String, Object> head = new LinkedHashMap<>();
      head.put("seq", asLong(m.get("seq")));
      head.put("hash", hash);
      return head;
    }
    return null;
  }

  /**
   * The entry of one job line, or {@code null} if the line is not one as {@link #jobLine(Out,
   * Replay.Entry)} writes it (an array of ten values, ASCII, JSON escapes).
   */
  private static Replay.Entry jobLine(LineReader lines) {
    try {
      Cursor c = new Cursor(lines.bytes(), lines.start(), lines.end());
      c.expect('[');
      String id = c.string();
      if (id == null) {
        return null;
      }
      Replay.Entry e = new Replay.Entry(id);
      c.expect(',');
      e.jobType = c.string();
      c.expect(',');
      e.rawState = c.state();
      c.expect(',');
      e.attempts = Math.toIntExact(c.integer());
      c.expect(',');
      e.workerId = c.string();
      c.expect(',');
      e.lease = c.peek() == '"' ? Double.parseDouble(c.string()) : c.decimal();
      c.expect(',');
      e.updatedTs = c.string();
      c.expect(',');
      e.error = c.string();
      c.expect(',');
      e.enqueueOrder = c.integer();
      c.expect(',');
      e.enqueueOffset = c.integer();
      c.expect(']');
      c.end();
      if (e.enqueueOrder < 1 || e.enqueueOffset < 0 || e.updatedTs == null || e.jobType == null) {
        return null;
      }
      return e;
    } catch (IllegalArgumentException | ArithmeticException | NullPointerException e) {
      return null;
    }
  }

  /** Reads the values of a job line; throws {@link IllegalArgumentException} at anything else. */
  private static final class Cursor {
    private static final JobState[] STATES = JobState.values();

    private final byte[] b;
    private final int end;
    private int i;

    Cursor(byte[] b, int from, int to) {
      this.b = b;
      this.i = from;
      this.end = to;
    }

    private void skipSpaces() {
      while (i < end && b[i] == ' ') {
        i++;
      }
    }

    int peek() {
      skipSpaces();
      if (i >= end) {
        throw new IllegalArgumentException("the line ends early");
      }
      return b[i];
    }

    void expect(char ch) {
      if (peek() != ch) {
        throw new IllegalArgumentException("expected '" + ch + "' at " + i);
      }
      i++;
    }

    void end() {
      skipSpaces();
      if (i != end) {
        throw new IllegalArgumentException("bytes after the array at " + i);
      }
    }

    /** A JSON string as the writer escapes it (ASCII), or {@code null} for the literal null. */
    String string() {
      if (peek() == 'n') {
        if (end - i < 4 || b[i + 1] != 'u' || b[i + 2] != 'l' || b[i + 3] != 'l') {
          throw new IllegalArgumentException("expected null at " + i);
        }
        i += 4;
        return null;
      }
      expect('"');
      StringBuilder sb = null;
      int start = i;
      while (true) {
        if (i >= end) {
          throw new IllegalArgumentException("the line ends inside a string");
        }
        byte c = b[i];
        if (c == '"') {
          String plain = new String(b, start, i - start, StandardCharsets.ISO_8859_1);
          i++;
          return sb == null ? plain : sb.append(plain).toString();
        }
        if (c < 0x20) {
          throw new IllegalArgumentException("not a snapshot string byte at " + i);
        }
        if (c != '\\') {
          i++;
          continue;
        }
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
        if (end - i < 2) {
          throw new IllegalArgumentException("the line ends in an escape");
        }
        byte esc = b[i + 1];
        i += 2;
        switch (esc) {
          case '"', '\\', '/' -> sb.append((char) esc);
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'u' -> {
            if (end - i < 4) {
              throw new IllegalArgumentException("a short \\u escape at " + i);
            }
            sb.append(
                (char) Integer.parseInt(new String(b, i, 4, StandardCharsets.ISO_8859_1), 16));
            i += 4;
          }
          default -> throw new IllegalArgumentException("unknown escape at " + (i - 1));
        }
        start = i;
      }
    }

    private String token() {
      skipSpaces();
      int start = i;
      while (i < end && b[i] != ',' && b[i] != ']' && b[i] != ' ') {
        i++;
      }
      return new String(b, start, i - start, StandardCharsets.ISO_8859_1);
    }

    /** A non-negative integer of at most 18 digits. */
    long integer() {
      skipSpaces();
      int start = i;
      long v = 0;
      while (i < end && b[i] >= '0' && b[i] <= '9' && i - start < 18) {
        v = v * 10 + (b[i++] - '0');
      }
      if (i == start || (i < end && b[i] >= '0' && b[i] <= '9')) {
        throw new IllegalArgumentException("not a snapshot integer at " + start);
      }
      return v;
    }

    /** One of the four states, as a string. */
    JobState state() {
      expect('"');
      for (JobState s : STATES) {
        String name = s.jsonName();
        int n = name.length();
        if (end - i > n && b[i + n] == '"' && matches(name)) {
          i += n + 1;
          return s;
        }
      }
      throw new IllegalArgumentException("not a job state at " + i);
    }

    private boolean matches(String name) {
      for (int k = 0; k < name.length(); k++) {
        if (b[i + k] != name.charAt(k)) {
          return false;
        }
      }
      return true;
    }

    double decimal() {
      String t = token();
      if (t.isEmpty() || !(t.charAt(0) == '-' || Character.isDigit(t.charAt(0)))) {
        throw new IllegalArgumentException("not a number: " + t);
      }
      return Double.parseDouble(t);
    }
  }

  private static Map<?, ?> object(LineReader lines, String what) throws Unusable {
    String text =
        new String(
            lines.bytes(), lines.start(), lines.end() - lines.start(), StandardCharsets.UTF_8);
    try {
      if (Json.parse(text) instanceof Map<?, ?> m) {
        return m;
      }
    } catch (LocalExecException e) {
      throw new Unusable("its " + what + " is not JSON: " + e.getMessage());
    }
    throw new Unusable("its " + what + " is not a JSON object");
  }

  private static long integral(Map<?, ?> m, String key) throws Unusable {
    Long v = asLong(m.get(key));
    if (v == null) {
      throw new Unusable("its " + key + " is " + m.get(key) + ", not an integer");
    }
    return v;
  }

  private static Long asLong(Object o) {
    if (o instanceof Integer || o instanceof Long) {
      return ((Number) o).longValue();
    }
    if (o instanceof BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    return null;
  }

  /** Bytes {@code [from, to)} of a file. */
  static byte[] read(FileChannel ch, long from, long to) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) (to - from));
    long pos = from;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("the file ended at offset " + pos + " while reading it");
      }
      pos += n;
    }
    return buf.array();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Forces a folder's entries (the rename) to disk, where the system allows it. */
  private static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some systems cannot open a folder for reading; the rename is then as durable as they make
      // it.
    }
  }
}
