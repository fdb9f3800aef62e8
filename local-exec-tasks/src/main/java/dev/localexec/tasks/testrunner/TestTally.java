package dev.localexec.tasks.testrunner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test counts being added up: tests, failed, errored, skipped (passed is what is left) and the
 * first {@value #MAX_FAILURES} failures, each a name and a message cut to {@value #MAX_TEXT}
 * characters. Not thread-safe; one tally belongs to one parse.
 */
final class TestTally {
  static final int MAX_FAILURES = 50;
  static final int MAX_TEXT = 500;

  private long tests;
  private long failed;
  private long errored;
  private long skipped;
  private final List<Map<String, Object>> failures = new ArrayList<>();

  void addPassed() {
    tests++;
  }

  void addSkipped() {
    tests++;
    skipped++;
  }

  void addFailed(String name, String message) {
    tests++;
    failed++;
    addFailure(name, message);
  }

  void addErrored(String name, String message) {
    tests++;
    errored++;
    addFailure(name, message);
  }

  /** Adds {@code n} errored tests listed as one failure. */
  void missing(long n, String name, String message) {
    tests += n;
    errored += n;
    addFailure(name, message);
  }

  /** Adds counts without failure details (a plain summary line). */
  void counts(long passed, long failedCount, long skippedCount) {
    tests += passed + failedCount + skippedCount;
    failed += failedCount;
    skipped += skippedCount;
  }

  /** Adds another tally's counts and failures. */
  void add(TestTally other) {
    tests += other.tests;
    failed += other.failed;
    errored += other.errored;
    skipped += other.skipped;
    for (Map<String, Object> f : other.failures) {
      if (failures.size() < MAX_FAILURES) {
        failures.add(f);
      }
    }
  }

  long tests() {
    return tests;
  }

  long failed() {
    return failed;
  }

  long errored() {
    return errored;
  }

  long skipped() {
    return skipped;
  }

  long passed() {
    return Math.max(0, tests - failed - errored - skipped);
  }

  List<Map<String, Object>> failures() {
    return List.copyOf(failures);
  }

  /**
   * {@code {"tests", "passed", "failed", "errored", "skipped", "failures": [{"name", "message"}]}}.
   */
  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tests", tests);
    m.put("passed", passed());
    m.put("failed", failed);
    m.put("errored", errored);
    m.put("skipped", skipped);
    m.put("failures", new ArrayList<>(failures));
    return m;
  }

  private void addFailure(String name, String message) {
    if (failures.size() >= MAX_FAILURES) {
      return;
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("name", cut(name));
    f.put("message", message == null ? null : cut(message.strip()));
    failures.add(f);
  }

  static String cut(String s) {
    if (s == null || s.length() <= MAX_TEXT) {
      return s;
    }
    int end = MAX_TEXT;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }
}
