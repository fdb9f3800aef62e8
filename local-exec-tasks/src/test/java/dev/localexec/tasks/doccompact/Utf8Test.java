package dev.localexec.tasks.doccompact;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Utf8Test {

  @ParameterizedTest(name = "{0} cut at {1} -> {2}")
  @CsvSource({
    "abc, 2, 2",
    "abc, 0, 0",
    "aé, 2, 1", // inside the two-byte é
    "aé, 3, 3",
    "a€, 2, 1", // € is three bytes
    "a€, 3, 1",
    "a€, 4, 4",
    "a😀, 4, 1", // four bytes
    "a😀, 5, 5",
    "😀😀, 6, 4",
  })
  void boundary_neverSplitsACharacter(String text, int length, int expected) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);

    assertThat(Utf8.boundary(bytes, length)).isEqualTo(expected);
  }
}
