package dev.localexec.core.queue;

import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.internal.integrity.ChainedJsonl;
import java.util.Map;

/**
 * One event of the ledger as the file ledger writes it: the JSON line (without its line break),
 * with the {@code seq} and {@code hash} that chain it to the line before, and the chain's head
 * after it. A queue that keeps the ledger elsewhere (a database) stores these lines, so that its
 * export is a file ledger that verifies.
 *
 * @param text the line
 * @param head the chain's head after the line
 */
public record LedgerLine(String text, ChainHead head) {

  /**
   * Chains {@code event} to {@code previous}: adds {@code seq} and {@code hash} (the ledger's hash
   * chain) and writes the line in the ledger's byte format.
   *
   * @param previous the head of the chain before this line ({@link ChainHead#GENESIS} first)
   * @param event the event, already redacted, without {@code seq} and {@code hash}
   */
  public static LedgerLine chain(ChainHead previous, Map<String, ?> event) {
    ChainedJsonl.ChainedLine line = ChainedJsonl.chain(previous, event);
    return new LedgerLine(line.line(), line.head());
  }
}
