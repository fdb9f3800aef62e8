package dev.localexec.core.integrity;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The last line of a hash chain: its {@code seq} and {@code hash}. A chain starts after {@link
 * #GENESIS} (seq 0, 64 zeros).
 *
 * @param seq the line's sequence number, 0 for the genesis head
 * @param hash its lower-case hex SHA-256, 64 characters
 */
public record ChainHead(long seq, String hash) {
  private static final Pattern HEX64 = Pattern.compile("^[0-9a-f]{64}$");

  /** The head before the first chained line. */
  public static final ChainHead GENESIS = new ChainHead(0, "0".repeat(64));

  /** Validates. */
  public ChainHead {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be 0 or more, got " + seq);
    }
    if (hash == null || !HEX64.matcher(hash).matches()) {
      throw new IllegalArgumentException(
          "hash must be 64 lower-case hex characters, got '" + hash + "'");
    }
  }

  /** {@code {"seq": n, "hash": h}}, as a ledger's {@code evidence_head} records it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", seq);
    m.put("hash", hash);
    return m;
  }
}
