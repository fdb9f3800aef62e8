package dev.localexec.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.internal.integrity.ChainedJsonl;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.testing.Fixtures;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonTest {

  @Test
  void hash16_specVectorsForToolPolicy() {
    Map<String, Object> denyAll = new LinkedHashMap<>();
    denyAll.put("allow_network", false);
    denyAll.put("allow_subprocess", false);
    denyAll.put("allowed_tools", List.of());
    Map<String, Object> subprocess = new LinkedHashMap<>(denyAll);
    subprocess.put("allow_subprocess", true);

    assertThat(Json.hash16(denyAll)).isEqualTo("e6865f6e91717cc0");
    assertThat(Json.hash16(subprocess)).isEqualTo("1386501432790695");
  }

  @Test
  void hash16_specVectorForBudgets() {
    Map<String, Object> budgets =
        Map.of(
            "max_concurrency_slots", 1,
            "max_output_bytes", 262144,
            "max_tool_calls", 10,
            "max_wall_time_sec", 300);

    assertThat(Json.hash16(budgets)).isEqualTo("ac02781be86b9734");
  }

  @Test
  void hash16_apiRecordsGiveTheSpecVectors() {
    assertThat(Json.hash16(ToolPolicy.denyAll().toMap())).isEqualTo("e6865f6e91717cc0");
    assertThat(Json.hash16(new ToolPolicy(false, true, List.of()).toMap()))
        .isEqualTo("1386501432790695");
    assertThat(Json.hash16(Budget.of(300, 10, 262144, 1).toMap())).isEqualTo("ac02781be86b9734");
  }

  @Test
  void canonical_sortsKeysAtEveryLevelWithoutSpaces() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("z", 1);
    inner.put("a", List.of(true, "x"));
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("b", inner);
    outer.put("a", null);

    assertThat(Json.canonical(outer)).isEqualTo("{\"a\":null,\"b\":{\"a\":[true,\"x\"],\"z\":1}}");
  }

  @Test
  void line_keepsKeyOrderWithTheOriginalsSpacing() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("b", List.of(1, 2));
    m.put("a", Map.of("c", 2.5));

    assertThat(Json.line(m)).isEqualTo("{\"b\": [1, 2], \"a\": {\"c\": 2.5}}");
  }

  @Test
  void line_escapesNonAsciiAsPythonDoes() {
    assertThat(Json.line("é")).isEqualTo("\"\\u00e9\"");
    assertThat(Json.line("😀")).isEqualTo("\"\\ud83d\\ude00\"");
    assertThat(Json.line("a\u0001\u007f")).isEqualTo("\"a\\u0001\\u007f\"");
    assertThat(Json.line("q\"b\\/\n\r\t\b\f")).isEqualTo("\"q\\\"b\\\\/\\n\\r\\t\\b\\f\"");
  }

  @Test
  void canonical_escapesNonAsciiLikeLine() {
    assertThat(Json.canonical(Map.of("k", "né"))).isEqualTo("{\"k\":\"n\\u00e9\"}");
  }

  @Test
  void parse_givesSmallestIntegerTypesAndDoubles() {
    Object parsed = Json.parse("[1, 2147483648, 9223372036854775808, 1.5, -0.0]");

    assertThat(parsed)
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .containsExactly(1, 2147483648L, new BigInteger("9223372036854775808"), 1.5, -0.0);
  }

  @Test
  void parse_keepsObjectKeyOrder() {
    Object parsed = Json.parse("{\"z\": 1, \"a\": {\"y\": null, \"b\": \"\\u00e9\"}}");

    assertThat(Json.line(parsed)).isEqualTo("{\"z\": 1, \"a\": {\"y\": null, \"b\": \"\\u00e9\"}}");
    assertThat(((Map<?, ?>) ((Map<?, ?>) parsed).get("a")).get("b")).isEqualTo("é");
  }

  @Test
  void parse_errorCarriesLineAndColumn() {
    assertThatThrownBy(() -> Json.parse("{\"a\": 1}\n\n  x"))
        .isInstanceOfSatisfying(
            JsonParseException.class,
            e -> {
              assertThat(e.line()).isEqualTo(3);
              assertThat(e.column()).isEqualTo(3);
              assertThat(e.code()).isEqualTo("invalid_json");
              assertThat(e.getMessage()).startsWith("invalid JSON at line 3, column 3: ");
            });
  }

  @Test
  void parse_truncatedObjectReportsWhereItStopped() {
    assertThatThrownBy(() -> Json.parse("{\"a\":"))
        .isInstanceOfSatisfying(
            JsonParseException.class,
            e -> {
              assertThat(e.line()).isEqualTo(1);
              assertThat(e.column()).isEqualTo(6);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "invalid JSON at line 1, column 6: "
                          + "Unexpected end-of-input within/between Object entries");
            });
  }

  @Test
  void parse_emptyTextIsAnError() {
    assertThatThrownBy(() -> Json.parse("  "))
        .isInstanceOf(JsonParseException.class)
        .hasMessage("invalid JSON at line 1, column 1: empty document");
  }

  @ParameterizedTest
  @CsvSource({
    "1795494186.0377882, 1795494186.0377882",
    "1795494208.985631, 1795494208.985631",
    "100.0, 100.0",
    "0.1, 0.1",
    "0.3333333333333333, 0.3333333333333333",
    "123456789012345.6, 123456789012345.6",
    "9999999999999998.0, 9999999999999998.0",
    "1e16, 1e+16",
    "1.5e16, 1.5e+16",
    "0.0001, 0.0001",
    "0.00001, 1e-05",
    "-2.5e-7, -2.5e-07",
    "5e-324, 5e-324",
    "1.7976931348623157e308, 1.7976931348623157e+308",
    "-0.0, -0.0",
    // Java 17's Double.toString prints these with a digit too many
    "3.802021752390425e16, 3.802021752390425e+16",
    "2.82879384806159e17, 2.82879384806159e+17",
  })
  void pythonFloat_matchesPythonRepr(String value, String repr) {
    assertThat(Json.pythonFloat(Double.parseDouble(value))).isEqualTo(repr);
  }

  @Test
  void pythonFloat_readsBackAsTheSameDouble() {
    Random random = new Random(20261124L);
    for (int i = 0; i < 3_000; i++) {
      double d = Double.longBitsToDouble(random.nextLong());
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        continue;
      }
      String text = Json.pythonFloat(d);
      assertThat(Double.parseDouble(text)).as(text).isEqualTo(d);
    }
  }

  @Test
  void line_roundTripsEveryLineOfTheOriginalFiles() throws IOException {
    Path root = Fixtures.originalRun();
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("state/jobs.jsonl"));
    try (Stream<Path> evidence = Files.list(root.resolve("evidence"))) {
      evidence.filter(p -> p.toString().endsWith(".jsonl")).sorted().forEach(files::add);
    }
    List<String> mismatches = new ArrayList<>();
    int lines = 0;
    for (Path file : files) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isEmpty()) {
          continue;
        }
        lines++;
        String written = Json.line(Json.parse(line));
        if (!written.equals(line)) {
          mismatches.add(file.getFileName() + "\n  original: " + line + "\n  written:  " + written);
        }
      }
    }

    assertThat(files).hasSize(7);
    assertThat(lines).isEqualTo(72);
    assertThat(mismatches).isEmpty();
  }

  @Test
  void chainedLine_isTheOriginalsLineWithSeqAndHashAppended(@TempDir Path dir) throws IOException {
    List<String> original =
        Files.readAllLines(
            Fixtures.originalRun().resolve("state/jobs.jsonl"), StandardCharsets.UTF_8);
    Path copy = dir.resolve("jobs.jsonl");
    ChainedJsonl chain = new ChainedJsonl(copy, Redactor.none(), null, false);
    for (String line : original) {
      @SuppressWarnings("unchecked")
      Map<String, Object> event = (Map<String, Object>) Json.parse(line);
      chain.append(event);
    }

    List<String> written = Files.readAllLines(copy, StandardCharsets.UTF_8);
    assertThat(written).hasSize(40);
    for (int i = 0; i < written.size(); i++) {
      String line = original.get(i);
      assertThat(written.get(i))
          .startsWith(
              line.substring(0, line.length() - 1) + ", \"seq\": " + (i + 1) + ", \"hash\": \"")
          .matches(".*, \"hash\": \"[0-9a-f]{64}\"}$");
    }
  }
}
