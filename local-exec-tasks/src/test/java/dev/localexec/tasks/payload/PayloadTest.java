package dev.localexec.tasks.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.TaskFailedException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PayloadTest {

  static Stream<Number> integralNumbers() {
    return Stream.of(
        42, 42L, BigInteger.valueOf(42), 42.0, new BigDecimal("42"), new BigDecimal("42.000"));
  }

  @ParameterizedTest
  @MethodSource("integralNumbers")
  void integer_acceptsAnyIntegralNumber(Number value) {
    assertThat(Payload.of(Map.of("n", value)).integer("n", 1, 100)).isEqualTo(42);
  }

  static Stream<Object> notIntegers() {
    return Stream.of(
        42.5, "42", true, List.of(42), new BigInteger("99999999999999999999"), Double.NaN);
  }

  @ParameterizedTest
  @MethodSource("notIntegers")
  void integer_refusesOtherValuesAsPayloadInvalid(Object value) {
    assertThatThrownBy(() -> Payload.of(Map.of("n", value)).integer("n", 1, 100))
        .isInstanceOf(TaskFailedException.class)
        .hasMessageStartingWith("payload.n must be")
        .extracting(e -> ((TaskFailedException) e).code())
        .isEqualTo("payload_invalid");
  }

  @Test
  void integer_outOfRange_namesTheRange() {
    assertThatThrownBy(() -> Payload.of(Map.of("timeout_sec", 0)).integer("timeout_sec", 1, 3600))
        .isInstanceOf(TaskFailedException.class)
        .hasMessage("payload.timeout_sec must be in 1..3600, got Integer 0");
  }

  @Test
  void required_missingOrNull_isPayloadInvalid() {
    Map<String, Object> withNull = new HashMap<>();
    withNull.put("inputs", null);

    assertThatThrownBy(() -> Payload.of(Map.of()).strings("inputs"))
        .isInstanceOf(TaskFailedException.class)
        .hasMessage("payload.inputs is required; add it to the job's payload");
    assertThatThrownBy(() -> Payload.of(withNull).integer("inputs", 0, 1))
        .hasMessageStartingWith("payload.inputs is required");
  }

  @Test
  void strings_namesTheBadElement() {
    assertThatThrownBy(
            () -> Payload.of(Map.of("keywords", Arrays.asList("a", 7))).strings("keywords"))
        .isInstanceOf(TaskFailedException.class)
        .hasMessage("payload.keywords[1] must be a string, got Integer 7");
    assertThatThrownBy(() -> Payload.of(Map.of("keywords", "a")).strings("keywords", List.of()))
        .hasMessage("payload.keywords must be an array of strings, got String a");
  }

  @Test
  void optionalFields_fallBackWhenAbsent() {
    Payload payload = Payload.of(Map.of("cwd", "sub"));

    assertThat(payload.string("cwd", ".")).isEqualTo("sub");
    assertThat(payload.string("title", "T")).isEqualTo("T");
    assertThat(payload.strings("env_allow", List.of("X"))).containsExactly("X");
  }

  @Test
  void stringLists_readsArgvArraysAndNamesABadOne() {
    Payload ok = Payload.of(Map.of("commands", List.of(List.of("a", "b"), List.of("c"))));
    Payload bad = Payload.of(Map.of("commands", List.of(List.of("a"), "c")));

    assertThat(ok.stringLists("commands")).containsExactly(List.of("a", "b"), List.of("c"));
    assertThatThrownBy(() -> bad.stringLists("commands"))
        .hasMessage("payload.commands[1] must be an array of strings, got String c");
  }

  @Test
  void invalid_longValue_isShortenedInTheMessage() {
    String longValue = "x".repeat(500);

    assertThatThrownBy(() -> Payload.of(Map.of("n", longValue)).integer("n", 1, 2))
        .hasMessage("payload.n must be an integer, got String " + "x".repeat(80) + "...");
  }
}
