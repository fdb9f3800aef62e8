package dev.localexec.tasks.doccompact;

/** Where a UTF-8 byte sequence may be cut without splitting a character. */
final class Utf8 {
  private Utf8() {}

  /**
   * The largest {@code n <= length} such that {@code bytes[0..n)} does not end inside a multi-byte
   * character: a character whose bytes do not all lie before {@code length} is dropped whole.
   * Malformed input is left as it is.
   */
  static int boundary(byte[] bytes, int length) {
    int lead = length - 1;
    while (lead >= 0 && length - lead < 4 && (bytes[lead] & 0xC0) == 0x80) {
      lead--;
    }
    if (lead < 0) {
      return length;
    }
    int b = bytes[lead] & 0xFF;
    int size = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    return length - lead < size ? lead : length;
  }

  /** {@code text} cut to at most {@code maxBytes} UTF-8 bytes, never inside a character. */
  static String cut(String text, int maxBytes) {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (bytes.length <= maxBytes) {
      return text;
    }
    return new String(
        bytes, 0, boundary(bytes, Math.max(0, maxBytes)), java.nio.charset.StandardCharsets.UTF_8);
  }
}
