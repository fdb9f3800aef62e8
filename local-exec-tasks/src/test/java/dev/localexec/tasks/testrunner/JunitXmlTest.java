package dev.localexec.tasks.testrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JunitXmlTest {

  static TestTally parseResource(String name) throws Exception {
    try (InputStream in = JunitXmlTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return JunitXml.parse(in);
    }
  }

  static Map<String, Object> failure(String name, String message) {
    Map<String, Object> f = new java.util.LinkedHashMap<>();
    f.put("name", name);
    f.put("message", message);
    return f;
  }

  @Test
  void parse_surefireReport_countsThreeTestsOneFailureWithItsMessage() throws Exception {
    TestTally t = parseResource("surefire-calc.xml");

    assertThat(t.toMap())
        .containsExactly(
            Map.entry("tests", 3L),
            Map.entry("passed", 2L),
            Map.entry("failed", 1L),
            Map.entry("errored", 0L),
            Map.entry("skipped", 0L),
            Map.entry(
                "failures", List.of(failure("demo.CalcTest.fails", "expected: <3> but was: <4>"))));
  }

  @Test
  void parse_gradleReport_countsTheErrorAndTheSkip() throws Exception {
    TestTally t = parseResource("gradle-style.xml");

    assertThat(List.of(t.tests(), t.passed(), t.failed(), t.errored(), t.skipped()))
        .containsExactly(4L, 2L, 0L, 1L, 1L);
    assertThat(t.failures())
        .containsExactly(
            failure(
                "com.example.ParserTest.parsesNull()",
                "java.lang.NullPointerException: input is null"));
  }

  @Test
  void parse_pytestJunitxml_takesTheTextsFirstLineWithoutAMessageAttribute() throws Exception {
    TestTally t = parseResource("pytest-junit.xml");

    assertThat(List.of(t.tests(), t.passed(), t.failed(), t.errored(), t.skipped()))
        .containsExactly(5L, 2L, 2L, 0L, 1L);
    assertThat(t.failures())
        .containsExactly(
            failure("tests.test_math.test_div", "ZeroDivisionError: division by zero"),
            failure("tests.test_math.test_eq", "assert 3 == 4"));
  }

  @Test
  void parse_doctypeWithAnExternalEntity_isRefusedAndNothingIsExpanded(@TempDir Path dir)
      throws Exception {
    Path secret = dir.resolve("secret.txt");
    Files.writeString(secret, "TOP-SECRET-VALUE");
    String xml =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM \""
            + secret.toUri()
            + "\">]>\n<testsuite><testcase classname=\"E\" name=\"x\">"
            + "<failure message=\"&xxe;\">&xxe;</failure></testcase></testsuite>";

    assertThatThrownBy(() -> JunitXml.parse(stream(xml)))
        .isInstanceOf(JunitXml.UnreadableException.class)
        .hasMessageContaining("DOCTYPE")
        .hasMessageNotContaining("TOP-SECRET-VALUE");
    assertThatThrownBy(() -> parseResource("xxe.xml"))
        .isInstanceOf(JunitXml.UnreadableException.class);
  }

  @Test
  void parse_otherRootElement_isUnreadable() {
    assertThatThrownBy(() -> JunitXml.parse(stream("<project><testcase name=\"a\"/></project>")))
        .isInstanceOf(JunitXml.UnreadableException.class)
        .hasMessageContaining("<project>");
  }

  @Test
  void parse_surefireFlakyFailure_countsAsPassed() throws Exception {
    TestTally t =
        JunitXml.parse(
            stream(
                "<testsuites><testsuite><testcase classname=\"A\" name=\"b\">"
                    + "<flakyFailure message=\"once\"/></testcase>"
                    + "<testcase name=\"noClass\"><error/></testcase></testsuite></testsuites>"));

    assertThat(List.of(t.tests(), t.passed(), t.errored())).containsExactly(2L, 1L, 1L);
    assertThat(t.failures()).containsExactly(failure("noClass", ""));
  }

  private static InputStream stream(String xml) throws IOException {
    return new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8));
  }
}
