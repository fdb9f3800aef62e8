package dev.localexec.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WordCountTaskTest {

  @Test
  void words_countsRunsOfLettersAndDigitsCaseInsensitively() {
    assertThat(WordCountTask.words("The cat, the HAT; a 42nd hat.", 1))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("the", 2, "cat", 1, "hat", 2, "a", 1, "42nd", 1));
  }

  @Test
  void words_skipsWordsShorterThanMinLength() {
    assertThat(WordCountTask.words("a bb ccc dddd", 3))
        .containsExactlyInAnyOrderEntriesOf(Map.of("ccc", 1, "dddd", 1));
  }
}
