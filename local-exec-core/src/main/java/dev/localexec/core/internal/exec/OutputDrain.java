package dev.localexec.core.internal.exec;

import dev.localexec.api.spi.BudgetTracker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one output stream of a process on its own daemon thread until end of stream, so the child
 * never blocks on a full pipe. Every byte is counted; bytes are kept only as far as {@link
 * BudgetTracker#keepOutput} allows, so memory never grows past what the job's output budget keeps.
 */
final class OutputDrain implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(OutputDrain.class);
  private static final int CHUNK = 8192;

  private final InputStream in;
  private final BudgetTracker budget;
  private final String label;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final AtomicLong produced = new AtomicLong();
  private final Thread thread;
  private volatile boolean abandoned;

  private OutputDrain(InputStream in, BudgetTracker budget, String label) {
    this.in = in;
    this.budget = budget;
    this.label = label;
    this.thread = new Thread(this, "local-exec-drain-" + label);
    this.thread.setDaemon(true);
  }

  /** Starts draining {@code in} at once. */
  static OutputDrain start(InputStream in, BudgetTracker budget, String label) {
    OutputDrain drain = new OutputDrain(in, budget, label);
    drain.thread.start();
    return drain;
  }

  @Override
  public void run() {
    byte[] buffer = new byte[CHUNK];
    try (InputStream stream = in) {
      int n;
      while ((n = stream.read(buffer)) != -1) {
        if (abandoned) {
          return;
        }
        produced.addAndGet(n);
        long keep = budget.keepOutput(n);
        if (keep > 0) {
          kept.write(buffer, 0, (int) keep);
        }
      }
    } catch (IOException e) {
      if (!abandoned) {
        log.debug("reading {} ended: {}", label, e.toString());
      }
    }
  }

  /**
   * Waits up to {@code millis} for end of stream; if it does not come (a process the runner could
   * not see still holds the pipe), stops counting and keeping and closes the stream.
   *
   * @return whether the stream reached its end in time
   */
  boolean join(long millis) {
    boolean interrupted = false;
    long left = millis;
    long step = Math.max(1, Math.min(millis, 50));
    while (thread.isAlive() && left > 0) {
      try {
        thread.join(step);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      left -= step;
    }
    boolean done = !thread.isAlive();
    if (!done) {
      abandoned = true;
      try {
        in.close();
      } catch (IOException e) {
        log.debug("closing {} failed: {}", label, e.toString());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return done;
  }

  /** Bytes the process wrote to this stream. */
  long produced() {
    return produced.get();
  }

  /** Bytes kept (at most what the budget allowed). */
  long keptBytes() {
    return kept.size();
  }

  /** Whether fewer bytes were kept than produced. */
  boolean truncated() {
    return produced() > keptBytes();
  }

  /** The kept bytes as UTF-8, malformed sequences replaced with U+FFFD. */
  String text() {
    return new String(kept.toByteArray(), StandardCharsets.UTF_8);
  }
}
