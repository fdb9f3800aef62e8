package dev.localexec.core.internal.integrity;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** The forms of one secret that {@link Redactor} replaces (see its class comment). */
final class SecretForms {
  private SecretForms() {}

  /** The secret itself, then its base64, hex and URL-encoded forms, without duplicates. */
  static Set<String> of(String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    Set<String> forms = new LinkedHashSet<>();
    forms.add(secret);
    for (Base64.Encoder encoder :
        new Base64.Encoder[] {Base64.getEncoder(), Base64.getUrlEncoder()}) {
      forms.add(encoder.encodeToString(bytes));
      Base64.Encoder unpadded = encoder.withoutPadding();
      forms.add(unpadded.encodeToString(bytes));
      for (int offset = 0; offset < 3; offset++) {
        forms.add(stableBase64(unpadded, bytes, offset));
      }
    }
    HexFormat hex = HexFormat.of();
    forms.add(hex.formatHex(bytes));
    forms.add(hex.withUpperCase().formatHex(bytes));
    String url = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    for (String u : new String[] {url, url.replace("%7E", "~")}) {
      forms.add(u);
      forms.add(u.replace("+", "%20"));
    }
    StringBuilder every = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      every.append('%').append(hex.withUpperCase().toHexDigits(b));
    }
    forms.add(every.toString());
    forms.add(every.toString().toLowerCase(Locale.ROOT));
    forms.remove("");
    return forms;
  }

  /**
   * The characters of the base64 text of {@code bytes} that do not depend on the bytes around it,
   * when it starts {@code offset} bytes into a 3-byte group: character {@code i} covers bits {@code
   * 6i..6i+5} of the stream, so it is kept when those bits all belong to the secret. At offset 0
   * without following bytes this is the unpadded encoding itself.
   */
  static String stableBase64(Base64.Encoder unpadded, byte[] bytes, int offset) {
    byte[] shifted = new byte[offset + bytes.length];
    System.arraycopy(bytes, 0, shifted, offset, bytes.length);
    String text = unpadded.encodeToString(shifted);
    int firstBit = 8 * offset;
    int endBit = 8 * (offset + bytes.length);
    int from = (firstBit + 5) / 6;
    int to = endBit / 6;
    return from < to ? text.substring(from, to) : "";
  }
}
