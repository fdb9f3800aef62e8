package dev.localexec.tasks.testrunner;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads test counts from a command's captured output: a TAP stream on standard output, else a plain
 * {@code N passed, N failed[, N skipped]} line on standard output or standard error.
 *
 * <p>TAP: the output counts as TAP only if it has a plan line ({@code 1..N}) at the start of a
 * line, so a program that merely prints {@code ok} is not mistaken for a test run. Top-level lines
 * {@code ok [N] [-] desc} and {@code not ok [N] [-] desc} are tests (indented subtests are
 * ignored); a {@code # SKIP} directive makes a test skipped, {@code # TODO} makes a failing test
 * skipped; a YAML block ({@code ---} ... {@code ...}) after a {@code not ok} gives the failure's
 * message from its {@code message:} key (plain, quoted, or a {@code |}/{@code >} block). Planned
 * tests that never reported (a crash, {@code Bail out!}) count as errored, listed as one failure
 * {@code tests A..B}. A failure is named by its description, or {@code test N} without one.
 *
 * <p>Plain line: a whole line {@code [word:] N passed, N failed[, N skipped]}; the last such line
 * wins. Stateless.
 */
final class OutputCounts {
  private static final Pattern PLAN = Pattern.compile("^1\\.\\.(\\d{1,9})(?:\\s.*)?$");
  private static final Pattern TEST =
      Pattern.compile("^(not ok|ok)\\b(?:\\s+(\\d{1,9}))?(?:\\s*-)?\\s*(.*)$");
  private static final Pattern DIRECTIVE =
      Pattern.compile(
          "^(.*?)\\s*(?<!\\\\)#\\s*(skip|todo)\\S*(?:\\s+(.*))?$", Pattern.CASE_INSENSITIVE);
  private static final Pattern MESSAGE = Pattern.compile("^(\\s+)message:\\s*(.*)$");
  private static final Pattern PLAIN =
      Pattern.compile(
          "^\\s*(?:[A-Za-z][\\w-]*:\\s*)?(\\d{1,9}) passed, (\\d{1,9}) failed(?:, (\\d{1,9}) skipped)?\\s*$");

  private OutputCounts() {}

  /** The counts of one command's output, or {@code null} if it shows none. */
  static TestTally parse(String stdout, String stderr) {
    TestTally tap = tap(stdout);
    if (tap != null) {
      return tap;
    }
    TestTally plain = plain(stdout);
    return plain != null ? plain : plain(stderr);
  }

  /** The TAP counts of {@code out}, or {@code null} if it has no plan line. */
  static TestTally tap(String out) {
    if (out == null || out.isEmpty()) {
      return null;
    }
    String[] lines = out.split("\r?\n", -1);
    long planned = -1;
    for (String line : lines) {
      Matcher plan = PLAN.matcher(line);
      if (plan.matches()) {
        planned = Long.parseLong(plan.group(1));
        break;
      }
    }
    if (planned < 0) {
      return null;
    }
    TestTally tally = new TestTally();
    long seen = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith("Bail out!")) {
        break;
      }
      Matcher test = TEST.matcher(line);
      if (!test.matches()) {
        continue;
      }
      seen++;
      boolean ok = test.group(1).equals("ok");
      String number = test.group(2) != null ? test.group(2) : Long.toString(seen);
      String desc = test.group(3);
      String directive = null;
      Matcher d = DIRECTIVE.matcher(desc);
      if (d.matches()) {
        desc = d.group(1);
        directive = d.group(2).toLowerCase(java.util.Locale.ROOT);
      }
      String name = desc.isBlank() ? "test " + number : desc.strip();
      if ("skip".equals(directive) || (!ok && "todo".equals(directive))) {
        tally.addSkipped();
      } else if (ok) {
        tally.addPassed();
      } else {
        tally.addFailed(name, yamlMessage(lines, i + 1));
      }
    }
    if (planned > seen) {
      String missing =
          planned - seen == 1 ? "test " + planned : "tests " + (seen + 1) + ".." + planned;
      tally.missing(planned - seen, missing, "planned but not reported");
    }
    return tally;
  }

  /** The {@code message:} of the YAML block starting at {@code lines[from]}, if there is one. */
  private static String yamlMessage(String[] lines, int from) {
    if (from >= lines.length
        || !lines[from].strip().equals("---")
        || !Character.isWhitespace(lines[from].charAt(0))) {
      return null;
    }
    for (int i = from + 1; i < lines.length && i < from + 200; i++) {
      String line = lines[i];
      if (line.strip().equals("...")) {
        return null;
      }
      Matcher m = MESSAGE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      String value = m.group(2).strip();
      if (value.startsWith("|") || value.startsWith(">")) {
        int indent = m.group(1).length();
        StringBuilder block = new StringBuilder();
        for (int j = i + 1; j < lines.length && block.length() <= TestTally.MAX_TEXT; j++) {
          String next = lines[j];
          int lead = next.length() - next.stripLeading().length();
          if (next.isBlank() || lead <= indent) {
            break;
          }
          if (block.length() > 0) {
            block.append(value.startsWith("|") ? '\n' : ' ');
          }
          block.append(next.strip());
        }
        return block.toString();
      }
      return unquote(value);
    }
    return null;
  }

  private static String unquote(String v) {
    if (v.length() >= 2
        && ((v.startsWith("\"") && v.endsWith("\"")) || (v.startsWith("'") && v.endsWith("'")))) {
      String inner = v.substring(1, v.length() - 1);
      return v.startsWith("'") ? inner.replace("''", "'") : inner.replace("\\\"", "\"");
    }
    return v;
  }

  /** The counts of the last plain {@code N passed, N failed} line of {@code out}, or null. */
  static TestTally plain(String out) {
    if (out == null || out.isEmpty()) {
      return null;
    }
    Matcher last = null;
    for (String line : out.split("\r?\n")) {
      Matcher m = PLAIN.matcher(line);
      if (m.matches()) {
        last = m;
      }
    }
    if (last == null) {
      return null;
    }
    TestTally tally = new TestTally();
    tally.counts(
        Long.parseLong(last.group(1)),
        Long.parseLong(last.group(2)),
        last.group(3) == null ? 0 : Long.parseLong(last.group(3)));
    return tally;
  }
}
