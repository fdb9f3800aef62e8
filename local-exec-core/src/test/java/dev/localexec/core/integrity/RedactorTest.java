package dev.localexec.core.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {

  @Test
  void fromEnvironment_takesValuesOfSecretLookingNamesOnly() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GITHUB_TOKEN", "ghp_0123456789");
    env.put("db_password", "correct-horse");
    env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI");
    env.put("MY_CREDENTIALS", "user:pass-1234");
    env.put("HTTP_AUTHORIZATION", "Bearer abcdef");
    env.put("SSH_PRIVATE", "-----BEGIN");
    env.put("Cookie_Jar", "sid=998877");
    env.put("SESSION_ID", "sess-424242");
    env.put("HOME", "/home/someone");
    env.put("PATH", "/usr/bin:/bin");

    Redactor r = Redactor.fromEnvironment(env);

    assertThat(r.size()).isEqualTo(8);
    assertThat(
            r.redact(
                "ghp_0123456789 correct-horse wJalrXUtnFEMI user:pass-1234 Bearer abcdef"
                    + " -----BEGIN sid=998877 sess-424242 /home/someone /usr/bin:/bin"))
        .isEqualTo(
            "[REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED]"
                + " [REDACTED] /home/someone /usr/bin:/bin");
  }

  @Test
  void fromEnvironment_alwaysTakesTheVllmKeyAndIgnoresShortValues() {
    Redactor r =
        Redactor.fromEnvironment(
            Map.of(
                "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", "k3y-value-1",
                "API_TOKEN", "short",
                "EMPTY_SECRET", ""));

    assertThat(r.size()).isEqualTo(1);
    assertThat(r.redact("key=k3y-value-1 token=short")).isEqualTo("key=[REDACTED] token=short");
  }

  @Test
  void redact_replacesEveryOccurrenceAndLongerSecretsFirst() {
    Redactor r = Redactor.of(List.of("abcdef", "abcdef-123456"));

    assertThat(r.redact("abcdef-123456 abcdef abcdefabcdef"))
        .isEqualTo("[REDACTED] [REDACTED] [REDACTED][REDACTED]");
    assertThat(r.redact(null)).isNull();
    assertThat(Redactor.none().redact("abcdef")).isEqualTo("abcdef");
  }

  @Test
  void redactTree_redactsKeysAndValuesAtEveryLevelAndKeepsOtherValues() {
    Redactor r = Redactor.of(List.of("s3cr3t-value"));
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("s3cr3t-value", "x");
    inner.put("n", 12);
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("argv", List.of("echo", "s3cr3t-value"));
    tree.put("env", inner);
    tree.put("ok", true);
    tree.put("none", null);
    tree.put("array", new Object[] {"pre-s3cr3t-value", null});

    Object out = r.redactTree(tree);

    Map<String, Object> expectedInner = new LinkedHashMap<>();
    expectedInner.put("[REDACTED]", "x");
    expectedInner.put("n", 12);
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("argv", List.of("echo", "[REDACTED]"));
    expected.put("env", expectedInner);
    expected.put("ok", true);
    expected.put("none", null);
    expected.put("array", java.util.Arrays.asList("pre-[REDACTED]", null));
    assertThat(out).isEqualTo(expected);
    assertThat(tree.get("argv")).isEqualTo(List.of("echo", "s3cr3t-value"));
  }

  @Test
  void toString_neverShowsAValue() {
    assertThat(Redactor.of(List.of("s3cr3t-value")).toString())
        .isEqualTo("Redactor[1 secret values]");
  }
}
