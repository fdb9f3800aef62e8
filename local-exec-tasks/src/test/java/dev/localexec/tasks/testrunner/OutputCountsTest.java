package dev.localexec.tasks.testrunner;

import static dev.localexec.tasks.testrunner.JunitXmlTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputCountsTest {

  private static List<Long> counts(TestTally t) {
    return List.of(t.tests(), t.passed(), t.failed(), t.errored(), t.skipped());
  }

  @Test
  void tap_streamWithASkipATodoAndAFailure_countsEachAndTakesTheYamlMessage() throws Exception {
    String tap;
    try (InputStream in = getClass().getResourceAsStream("tap-stream.txt")) {
      tap = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    TestTally t = OutputCounts.parse(tap, "");

    assertThat(counts(t)).containsExactly(5L, 2L, 1L, 0L, 2L);
    assertThat(t.failures()).containsExactly(failure("rejects null", "expected an error for null"));
  }

  @Test
  void tap_planAtTheEndAndMissingTests_countsTheMissingAsErrored() {
    TestTally t = OutputCounts.tap("ok 1\nnot ok 2\n    ok 1 - a subtest\n1..4\n");

    assertThat(counts(t)).containsExactly(4L, 1L, 1L, 2L, 0L);
    assertThat(t.failures())
        .containsExactly(
            failure("test 2", null), failure("tests 3..4", "planned but not reported"));
  }

  @Test
  void tap_blockScalarMessage_isJoined() {
    TestTally t =
        OutputCounts.tap(
            "1..1\nnot ok 1 - sums\n  ---\n  message: |\n    line one\n    line two\n  ...\n");

    assertThat(t.failures()).containsExactly(failure("sums", "line one\nline two"));
  }

  @Test
  void parse_outputWithoutAPlan_isNotTap() {
    assertThat(OutputCounts.parse("ok\n", "")).isNull();
    assertThat(OutputCounts.parse("", "")).isNull();
    assertThat(OutputCounts.parse(null, null)).isNull();
  }

  @Test
  void plain_lineWithAWordAndSkipped_isCounted() {
    TestTally t = OutputCounts.parse("running...\nResult: 7 passed, 2 failed, 1 skipped\n", "");

    assertThat(counts(t)).containsExactly(10L, 7L, 2L, 0L, 1L);
    assertThat(t.failures()).isEmpty();
  }

  @Test
  void plain_lineOnStderr_isCountedAndTheLastLineWins() {
    TestTally t = OutputCounts.parse("nothing here", "3 passed, 1 failed\n4 passed, 0 failed\n");

    assertThat(counts(t)).containsExactly(4L, 4L, 0L, 0L, 0L);
  }

  @Test
  void plain_textAroundTheCounts_isNotALine() {
    assertThat(OutputCounts.parse("we have 3 passed, 1 failed so far\n", "")).isNull();
  }

  @Test
  void tally_keepsAtMostFiftyFailuresAndCutsLongMessages() {
    StringBuilder tap = new StringBuilder("1..60\n");
    for (int i = 1; i <= 60; i++) {
      tap.append("not ok ").append(i).append(" - t").append(i).append('\n');
      tap.append("  ---\n  message: ").append("x".repeat(600)).append("\n  ...\n");
    }

    TestTally t = OutputCounts.tap(tap.toString());

    assertThat(t.failed()).isEqualTo(60);
    assertThat(t.failures()).hasSize(50);
    assertThat((String) t.failures().get(0).get("message")).hasSize(500);
  }
}
