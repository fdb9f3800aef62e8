package dev.localexec.core.internal.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Reads a byte range of a file line by line in chunks, so that memory stays at one chunk (or one
 * line, if a line is longer). A line is the bytes before a {@code '\n'}; the bytes after the last
 * one are the unterminated remainder. Not thread-safe.
 */
final class LineReader {
  /** The chunk size of a long read. */
  static final int CHUNK = 1 << 20;

  private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

  private final FileChannel ch;
  private final long end;
  private long pos;
  private byte[] buf;
  private int len;
  private int scan;
  private int lineStart;
  private int lineEnd;
  private long bufOffset;
  private boolean onLine;

  /** A reader of {@code [from, to)} of the file, reading up to {@link #CHUNK} bytes at a time. */
  LineReader(FileChannel ch, long from, long to) {
    this(ch, from, to, CHUNK);
  }

  /**
   * A reader of {@code [from, to)} of the file, reading {@code chunk} bytes at a time (more only
   * for a longer line).
   */
  LineReader(FileChannel ch, long from, long to, int chunk) {
    this.ch = ch;
    this.pos = from;
    this.end = to;
    this.bufOffset = from;
    this.buf = new byte[(int) Math.max(16, Math.min(chunk, to - from))];
  }

  /**
   * Moves to the next complete line.
   *
   * @return false when no complete line is left; then {@link #start()} to {@link #end()} hold the
   *     unterminated remainder (possibly empty)
   */
  boolean next() throws IOException {
    if (onLine) {
      lineStart = lineEnd + 1;
      onLine = false;
    }
    while (true) {
      for (int i = scan; i < len; i++) {
        if (buf[i] == '\n') {
          lineEnd = i;
          scan = i + 1;
          onLine = true;
          return true;
        }
      }
      scan = len;
      if (pos >= end) {
        lineEnd = len;
        return false;
      }
      fill();
    }
  }

  /** The current line's first byte in {@link #bytes()}. */
  int start() {
    return lineStart;
  }

  /** The index of the current line's {@code '\n'} in {@link #bytes()} (or the remainder's end). */
  int end() {
    return lineEnd;
  }

  /** The buffer the current line is in. */
  byte[] bytes() {
    return buf;
  }

  /** The file offset of the current line's first byte. */
  long lineOffset() {
    return bufOffset + lineStart;
  }

  private void fill() throws IOException {
    if (lineStart > 0) {
      System.arraycopy(buf, lineStart, buf, 0, len - lineStart);
      len -= lineStart;
      scan -= lineStart;
      bufOffset += lineStart;
      lineStart = 0;
    }
    if (len == buf.length) {
      if (buf.length >= MAX_ARRAY) {
        throw new IOException("a line of more than " + MAX_ARRAY + " bytes is too long to read");
      }
      buf = Arrays.copyOf(buf, (int) Math.min(MAX_ARRAY, buf.length * 2L));
    }
    ByteBuffer bb = ByteBuffer.wrap(buf, len, (int) Math.min(buf.length - len, end - pos));
    while (bb.hasRemaining()) {
      int n = ch.read(bb, pos);
      if (n < 0) {
        throw new IOException("the file ended at offset " + pos + " while reading it");
      }
      pos += n;
    }
    len = bb.position();
  }
}
