package dev.localexec.tasks.repoindex;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a file once, start to end, for its row: the SHA-256 and the newline count of the whole
 * file, whether it is binary (a NUL byte in the first {@value #BINARY_PROBE} bytes), and the
 * keyword hits in its first {@code max_file_bytes} bytes (text files only). Keywords match
 * case-insensitively: on the raw bytes (ASCII case folding) when every keyword is ASCII, otherwise
 * on the UTF-8 decoded, lower-cased text. Holds its buffers, so one instance serves one thread.
 */
final class FileScanner {

  /** Bytes probed for a NUL to call a file binary. */
  static final int BINARY_PROBE = 8192;

  /** Line numbers kept per keyword and file. */
  static final int MAX_HIT_LINES = 20;

  private static final int CHUNK = 1 << 20;

  /** Every this many chunks past the head of a big file, {@code onProgress} runs. */
  private static final int CHUNKS_PER_CHECK = 16;

  /** What one read of a file found. */
  record Scan(
      long size,
      String sha256,
      boolean binary,
      long lines,
      int bytesScanned,
      List<String> keywordHits,
      Map<String, List<Integer>> hitLines,
      long hitLineCount) {}

  private final int maxFileBytes;
  private final List<String> keywords;
  private final List<String> lowerKeywords;
  private final byte[][] lowerBytes;
  private final byte[][] upperBytes;
  private final boolean ascii;
  private final boolean[] firstBytes = new boolean[256];
  private final byte[] head;
  private final byte[] chunk = new byte[CHUNK];
  private final MessageDigest sha256;
  private final Runnable onProgress;
  private int[] newlines = new int[1024];
  private int newlineCount;

  /**
   * A scanner for one walk.
   *
   * @param maxFileBytes bytes searched for keywords at the start of each file
   * @param keywords the keywords, in payload order, without case-insensitive duplicates
   * @param onProgress run while a big file is read (the wall time check); may throw
   */
  FileScanner(int maxFileBytes, List<String> keywords, Runnable onProgress) {
    this.maxFileBytes = maxFileBytes;
    this.onProgress = onProgress;
    Set<String> seen = new LinkedHashSet<>();
    List<String> kept = new ArrayList<>();
    for (String keyword : keywords) {
      if (!keyword.isEmpty() && seen.add(keyword.toLowerCase(Locale.ROOT))) {
        kept.add(keyword);
      }
    }
    this.keywords = List.copyOf(kept);
    this.lowerKeywords = List.copyOf(seen);
    this.ascii = kept.stream().allMatch(k -> k.chars().allMatch(c -> c < 128));
    this.lowerBytes = new byte[kept.size()][];
    this.upperBytes = new byte[kept.size()][];
    for (int i = 0; i < kept.size(); i++) {
      lowerBytes[i] = kept.get(i).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
      upperBytes[i] = kept.get(i).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
      if (ascii) {
        firstBytes[lowerBytes[i][0] & 0xff] = true;
        firstBytes[upperBytes[i][0] & 0xff] = true;
      }
    }
    this.head = new byte[Math.max(maxFileBytes, BINARY_PROBE)];
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /**
   * Reads a regular file, not following a symlink.
   *
   * @throws IOException if it cannot be opened or read
   */
  Scan scan(Path file) throws IOException {
    sha256.reset();
    int n;
    long size;
    long lines;
    boolean binary;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      n = in.readNBytes(head, 0, head.length);
      sha256.update(head, 0, n);
      binary = indexOf(head, Math.min(n, BINARY_PROBE), (byte) 0) >= 0;
      size = n;
      lines = binary ? 0 : countNewlines(head, n);
      if (n == head.length) {
        int read;
        int chunks = 0;
        while ((read = in.read(chunk)) > 0) {
          sha256.update(chunk, 0, read);
          size += read;
          if (!binary) {
            lines += countNewlines(chunk, read);
          }
          if (++chunks % CHUNKS_PER_CHECK == 0) {
            onProgress.run();
          }
        }
      }
    }
    String sha = HexFormat.of().formatHex(sha256.digest());
    if (binary) {
      return new Scan(size, sha, true, -1, 0, List.of(), Map.of(), 0);
    }
    int scanned = Math.min(n, maxFileBytes);
    List<String> hits = new ArrayList<>();
    Map<String, List<Integer>> hitLines = new LinkedHashMap<>();
    long hitLineCount = 0;
    if (!keywords.isEmpty()) {
      hitLineCount =
          ascii ? matchBytes(scanned, hits, hitLines) : matchText(scanned, hits, hitLines);
    }
    return new Scan(size, sha, false, lines, scanned, hits, hitLines, hitLineCount);
  }

  /**
   * Case-insensitive ASCII search on the head's bytes: one pass for all keywords, a table lookup
   * per byte for a possible first byte, counting lines as it goes.
   */
  private long matchBytes(int len, List<String> hits, Map<String, List<Integer>> hitLines) {
    int count = keywords.size();
    int[] lastLine = new int[count];
    List<List<Integer>> found = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      found.add(null);
    }
    long total = 0;
    int line = 1;
    byte[] h = head;
    for (int i = 0; i < len; i++) {
      byte b = h[i];
      if (b == '\n') {
        line++;
      } else if (firstBytes[b & 0xff]) {
        for (int k = 0; k < count; k++) {
          if (lastLine[k] != line && matchesAt(i, len, k)) {
            lastLine[k] = line;
            List<Integer> lines = found.get(k);
            if (lines == null) {
              lines = new ArrayList<>();
              found.set(k, lines);
            }
            total++;
            if (lines.size() < MAX_HIT_LINES) {
              lines.add(line);
            }
          }
        }
      }
    }
    for (int k = 0; k < count; k++) {
      if (found.get(k) != null) {
        hits.add(keywords.get(k));
        hitLines.put(keywords.get(k), List.copyOf(found.get(k)));
      }
    }
    return total;
  }

  private boolean matchesAt(int at, int len, int k) {
    byte[] lower = lowerBytes[k];
    byte[] upper = upperBytes[k];
    if (at + lower.length > len) {
      return false;
    }
    for (int j = 0; j < lower.length; j++) {
      byte c = head[at + j];
      if (c != lower[j] && c != upper[j]) {
        return false;
      }
    }
    return true;
  }

  /** Search on the decoded, lower-cased text (a keyword is not ASCII). */
  private long matchText(int len, List<String> hits, Map<String, List<Integer>> hitLines) {
    String text = new String(head, 0, len, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    newlineCount = 0;
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      addNewline(i);
    }
    long total = 0;
    for (int k = 0; k < keywords.size(); k++) {
      String keyword = lowerKeywords.get(k);
      List<Integer> found = null;
      int from = 0;
      int at;
      while ((at = text.indexOf(keyword, from)) >= 0) {
        int line = lineOf(at);
        if (found == null) {
          found = new ArrayList<>();
        }
        total++;
        if (found.size() < MAX_HIT_LINES) {
          found.add(line);
        }
        from = line <= newlineCount ? newlines[line - 1] + 1 : text.length();
      }
      if (found != null) {
        hits.add(keywords.get(k));
        hitLines.put(keywords.get(k), List.copyOf(found));
      }
    }
    return total;
  }

  private void addNewline(int at) {
    if (newlineCount == newlines.length) {
      newlines = Arrays.copyOf(newlines, newlines.length * 2);
    }
    newlines[newlineCount++] = at;
  }

  /** The 1-based line of a position: one more than the newlines before it. */
  private int lineOf(int at) {
    int i = Arrays.binarySearch(newlines, 0, newlineCount, at);
    return (i >= 0 ? i : -i - 1) + 1;
  }

  private static int indexOf(byte[] a, int len, byte b) {
    return indexOf(a, 0, len, b);
  }

  private static int indexOf(byte[] a, int from, int len, byte b) {
    for (int i = from; i < len; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static long countNewlines(byte[] a, int len) {
    long count = 0;
    for (int i = 0; i < len; i++) {
      if (a[i] == '\n') {
        count++;
      }
    }
    return count;
  }
}
