package dev.localexec.tasks.glob;

import java.util.Map;

/**
 * Translates one gitignore-style glob into a Java regular expression over a whole {@code
 * /}-separated path. The glob's own anchoring (leading or trailing {@code /}) is the caller's
 * concern: this class only translates the pattern body.
 */
final class GlobRegex {

  /** POSIX bracket classes ({@code [[:alpha:]]}) that fnmatch and git understand. */
  private static final Map<String, String> POSIX =
      Map.ofEntries(
          Map.entry("alnum", "\\p{Alnum}"),
          Map.entry("alpha", "\\p{Alpha}"),
          Map.entry("blank", "\\p{Blank}"),
          Map.entry("cntrl", "\\p{Cntrl}"),
          Map.entry("digit", "\\p{Digit}"),
          Map.entry("graph", "\\p{Graph}"),
          Map.entry("lower", "\\p{Lower}"),
          Map.entry("print", "\\p{Print}"),
          Map.entry("punct", "\\p{Punct}"),
          Map.entry("space", "\\p{Space}"),
          Map.entry("upper", "\\p{Upper}"),
          Map.entry("xdigit", "\\p{XDigit}"));

  private GlobRegex() {}

  /**
   * The regular expression of a glob body.
   *
   * <ul>
   *   <li>{@code *} matches any run of characters but {@code /}; {@code ?} one character but {@code
   *       /};
   *   <li>{@code [...]} a class ({@code [!...]} or {@code [^...]} negated, ranges, POSIX classes),
   *       never matching {@code /}; an unclosed {@code [} is a literal;
   *   <li>{@code **} as a whole segment: a leading or middle {@code **}{@code /} matches zero or
   *       more folders, a trailing {@code /**} everything below; elsewhere it is a plain {@code *};
   *   <li>a backslash makes the next character literal.
   * </ul>
   */
  static String translate(String glob) {
    StringBuilder re = new StringBuilder(glob.length() * 2);
    int n = glob.length();
    int i = 0;
    while (i < n) {
      char c = glob.charAt(i);
      if (c == '*') {
        int end = i + 1;
        while (end < n && glob.charAt(end) == '*') {
          end++;
        }
        boolean doubleStar = end - i >= 2;
        boolean segmentStart = i == 0 || glob.charAt(i - 1) == '/';
        boolean segmentEnd = end == n || glob.charAt(end) == '/';
        if (doubleStar && segmentStart && segmentEnd) {
          if (end == n) {
            re.append(".*");
            i = end;
          } else {
            re.append("(?:.*/)?");
            i = end + 1;
          }
        } else {
          re.append("[^/]*");
          i = end;
        }
      } else if (c == '?') {
        re.append("[^/]");
        i++;
      } else if (c == '[') {
        int next = bracket(glob, i, re);
        if (next < 0) {
          literal(re, '[');
          i++;
        } else {
          i = next;
        }
      } else if (c == '\\' && i + 1 < n) {
        literal(re, glob.charAt(i + 1));
        i += 2;
      } else {
        literal(re, c);
        i++;
      }
    }
    return re.toString();
  }

  /**
   * Appends the class that starts at {@code open} and returns the index after its {@code ]}, or -1
   * (appending nothing) if it is not closed.
   */
  private static int bracket(String glob, int open, StringBuilder re) {
    int n = glob.length();
    int j = open + 1;
    boolean negated = j < n && (glob.charAt(j) == '!' || glob.charAt(j) == '^');
    if (negated) {
      j++;
    }
    StringBuilder cls = new StringBuilder();
    boolean first = true;
    while (j < n) {
      char c = glob.charAt(j);
      if (c == ']' && !first) {
        re.append(negated ? "[^/" + cls + "]" : "[" + cls + "&&[^/]]");
        return j + 1;
      }
      first = false;
      if (c == '[' && j + 1 < n && glob.charAt(j + 1) == ':') {
        int end = glob.indexOf(":]", j + 2);
        String posix = end < 0 ? null : POSIX.get(glob.substring(j + 2, end));
        if (posix != null) {
          cls.append(posix);
          j = end + 2;
          continue;
        }
      }
      if (c == '\\' && j + 1 < n) {
        c = glob.charAt(++j);
      }
      literal(cls, c);
      j++;
      if (j + 1 < n && glob.charAt(j) == '-' && glob.charAt(j + 1) != ']') {
        char hi = glob.charAt(j + 1);
        j += 2;
        if (hi == '\\' && j < n) {
          hi = glob.charAt(j++);
        }
        cls.append('-');
        literal(cls, hi);
      }
    }
    return -1;
  }

  private static void literal(StringBuilder re, char c) {
    if (c < 128 && !Character.isLetterOrDigit(c)) {
      re.append('\\');
    }
    re.append(c);
  }
}
