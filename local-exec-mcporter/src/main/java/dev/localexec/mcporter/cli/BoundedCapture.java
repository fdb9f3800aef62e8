package dev.localexec.mcporter.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains a child's stream on its own thread, keeping at most a fixed number of bytes and counting
 * the rest, so that a flood never blocks the child nor grows memory.
 */
final class BoundedCapture {
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final int limit;
  private final Thread thread;
  private long total;
  private volatile boolean overflowed;

  private BoundedCapture(InputStream in, int limit, String name) {
    this.limit = limit;
    this.thread = new Thread(() -> drain(in), name);
    this.thread.setDaemon(true);
  }

  /** Starts draining {@code in} on a daemon thread. */
  static BoundedCapture start(InputStream in, int limit, String name) {
    BoundedCapture c = new BoundedCapture(in, limit, name);
    c.thread.start();
    return c;
  }

  private void drain(InputStream in) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (this) {
          int room = Math.max(0, limit - kept.size());
          kept.write(buf, 0, Math.min(room, n));
          total += n;
          if (total > limit) {
            overflowed = true;
          }
        }
      }
    } catch (IOException e) {
      // the stream closed under us (the child was killed): what was read is kept
    }
  }

  /** Whether more than the limit arrived. */
  boolean overflowed() {
    return overflowed;
  }

  /** Waits (bounded) for the end of the stream. */
  void await(long millis) {
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The kept bytes as UTF-8 text. */
  synchronized String text() {
    return kept.toString(StandardCharsets.UTF_8);
  }

  /** How many bytes arrived in all. */
  synchronized long total() {
    return total;
  }
}
