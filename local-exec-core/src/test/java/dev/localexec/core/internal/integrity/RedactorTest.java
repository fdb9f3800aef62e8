package dev.localexec.core.internal.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.JobValidationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedactorTest {
  /** 13 bytes: a space, '/', '+' and '~' make the URL forms differ. */
  private static final String SECRET = "pass word/+9~";

  private final Redactor r = Redactor.of(List.of(SECRET));

  @Test
  void fromEnvironment_takesConfiguredAndSecretNamedValuesOnly() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GITHUB_TOKEN", "ghp_0123456789");
    env.put("db_password", "correct-horse");
    env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI");
    env.put("MY_CREDENTIALS", "user:pass-1234");
    env.put("HTTP_AUTHORIZATION", "Bearer abcdef");
    env.put("Cookie_Jar", "sid=998877");
    env.put("GITLAB_PAT", "glpat-5566778");
    env.put(Redactor.VLLM_API_KEY_ENV, "vllm-key-0001");
    env.put(Redactor.PG_PASSWORD_ENV, "pg-pass-0002");
    env.put("DESKTOP_SESSION", "ubuntu-desktop");
    env.put("SESSION_MANAGER", "local/host:@/tmp/.ICE-unix/1234");
    env.put("XDG_SESSION_TYPE", "wayland-session");
    env.put("SSH_AUTH_SOCK", "/tmp/ssh-agent.sock");
    env.put("HOME", "/home/someone");
    env.put("PATH", "/usr/bin:/bin");

    Redactor fromEnv = Redactor.fromEnvironment(env);

    assertThat(fromEnv.size()).isEqualTo(9);
    assertThat(
            fromEnv.redact(
                "ghp_0123456789 correct-horse wJalrXUtnFEMI user:pass-1234 Bearer abcdef"
                    + " sid=998877 glpat-5566778 vllm-key-0001 pg-pass-0002 ubuntu-desktop"
                    + " local/host:@/tmp/.ICE-unix/1234 wayland-session /tmp/ssh-agent.sock"
                    + " /home/someone /usr/bin:/bin"))
        .isEqualTo(
            "[REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED]"
                + " [REDACTED] [REDACTED] ubuntu-desktop local/host:@/tmp/.ICE-unix/1234"
                + " wayland-session /tmp/ssh-agent.sock /home/someone /usr/bin:/bin");
  }

  @Test
  void fromEnvironment_takesTheNamesTheOperatorMarksSecret() {
    Map<String, String> env = Map.of("DATABASE_URL", "postgres://u:p@db/x", "HOME", "/home/x1");

    assertThat(Redactor.fromEnvironment(env).size()).isZero();
    Redactor marked = Redactor.fromEnvironment(env, Set.of("DATABASE_URL"));
    assertThat(marked.size()).isEqualTo(1);
    assertThat(marked.redact("url postgres://u:p@db/x home /home/x1"))
        .isEqualTo("url [REDACTED] home /home/x1");
  }

  @Test
  void valuesShorterThanEightCharactersAreNotSecrets() {
    Redactor short7 =
        Redactor.fromEnvironment(
            Map.of("API_TOKEN", "1234567", "EMPTY_SECRET", "", "GITHUB_TOKEN", "12345678"));

    assertThat(Redactor.MIN_LENGTH).isEqualTo(8);
    assertThat(short7.size()).isEqualTo(1);
    assertThat(short7.redact("1234567 12345678")).isEqualTo("1234567 [REDACTED]");
  }

  @Test
  void redact_replacesThePlainValue() {
    assertThat(r.redact("plain: pass word/+9~!")).isEqualTo("plain: [REDACTED]!");
  }

  @Test
  void redact_replacesBase64WithAndWithoutPadding() {
    assertThat(r.redact("std: cGFzcyB3b3JkLys5fg== end")).isEqualTo("std: [REDACTED] end");
    assertThat(r.redact("unpadded: cGFzcyB3b3JkLys5fg end")).isEqualTo("unpadded: [REDACTED] end");
  }

  @Test
  void redact_replacesTheStableMiddleOfBase64AtEveryAlignment() {
    // base64 of "x" + secret + "!", "xy" + secret + "!" and "xyz" + secret + "!"
    assertThat(r.redact("eHBhc3Mgd29yZC8rOX4h")).isEqualTo("eH[REDACTED]4h");
    assertThat(r.redact("eHlwYXNzIHdvcmQvKzl+IQ==")).isEqualTo("eHl[REDACTED]IQ==");
    assertThat(r.redact("eHl6cGFzcyB3b3JkLys5fiE=")).isEqualTo("eHl6[REDACTED]iE=");
  }

  @Test
  void redact_replacesUrlSafeBase64() {
    // URL-safe base64 of "xy" + secret + "!", without padding: '-' where standard has '+'
    assertThat(r.redact("eHlwYXNzIHdvcmQvKzl-IQ")).isEqualTo("eHl[REDACTED]IQ");
    Redactor slashes = Redactor.of(List.of("\u00ff\u00fe\u00fd\u00fc?>?>"));
    assertThat(slashes.redact("w7_DvsO9w7w_Pj8-")).isEqualTo("[REDACTED]");
    assertThat(slashes.redact("w7/DvsO9w7w/Pj8+")).isEqualTo("[REDACTED]");
  }

  @Test
  void redact_replacesHexInBothCases() {
    assertThat(r.redact("hex 7061737320776f72642f2b397e")).isEqualTo("hex [REDACTED]");
    assertThat(r.redact("HEX 7061737320776F72642F2B397E")).isEqualTo("HEX [REDACTED]");
  }

  @Test
  void redact_replacesUrlEncodedForms() {
    assertThat(r.redact("q=pass+word%2F%2B9%7E&a=pass%20word%2F%2B9%7E"))
        .isEqualTo("q=[REDACTED]&a=[REDACTED]");
    assertThat(r.redact("q=pass%20word%2F%2B9~&a=pass+word%2F%2B9~"))
        .isEqualTo("q=[REDACTED]&a=[REDACTED]");
    assertThat(r.redact("%70%61%73%73%20%77%6F%72%64%2F%2B%39%7E")).isEqualTo("[REDACTED]");
    assertThat(r.redact("%70%61%73%73%20%77%6f%72%64%2f%2b%39%7e")).isEqualTo("[REDACTED]");
  }

  @Test
  void redact_replacesEveryOccurrenceAndLongerSecretsFirst() {
    Redactor two = Redactor.of(List.of("abcdefgh", "abcdefgh-123456"));

    assertThat(two.redact("abcdefgh-123456 abcdefgh abcdefghabcdefgh"))
        .isEqualTo("[REDACTED] [REDACTED] [REDACTED][REDACTED]");
    assertThat(two.redact(null)).isNull();
    assertThat(Redactor.none().redact("abcdefgh")).isEqualTo("abcdefgh");
  }

  @Test
  void redact_leavesOrdinaryTextAlone() {
    String text = "grep -c ubuntu /etc/os-release; password=*** token: none";

    assertThat(r.redact(text)).isEqualTo(text);
    assertThat(r.holdsSecret(text)).isFalse();
    assertThat(r.holdsSecret("x cGFzcyB3b3JkLys5fg")).isTrue();
  }

  @Test
  void redactTree_redactsKeysAndValuesAtEveryLevelAndKeepsOtherValues() {
    Redactor tr = Redactor.of(List.of("s3cr3t-value"));
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("s3cr3t-value", "x");
    inner.put("n", 12);
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("argv", List.of("echo", "s3cr3t-value"));
    tree.put("env", inner);
    tree.put("ok", true);
    tree.put("none", null);
    tree.put("array", new Object[] {"pre-s3cr3t-value", null});

    Object out = tr.redactTree(tree);

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
  void refuseSecretsIn_namesEveryPathAndNeitherTheSecretNorItsVariable() {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put(SECRET, "as a key");
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("commands", List.of(List.of("echo", "ok"), List.of("echo", "x" + SECRET)));
    payload.put("note", "cGFzcyB3b3JkLys5fg==");
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("job_id", "job-aaaaaaaa");
    doc.put("payload", payload);
    doc.put("meta", meta);

    JobValidationException e =
        catchThrowableOfType(JobValidationException.class, () -> r.refuseSecretsIn(doc));

    String rule =
        "holds the value of a secret of the plane's environment (or an encoding of it); secrets"
            + " cannot be written into job documents: list the variable in env_allow and have the"
            + " operator allow it (--allow-env NAME)";
    assertThat(e.code()).isEqualTo("job_invalid");
    assertThat(e.errors())
        .containsExactly(
            "$.payload.commands[1][1]: " + rule,
            "$.payload.note: " + rule,
            "$.meta: a key " + rule);
    assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("cGFzcyB3b3JkLys5fg");
  }

  @Test
  void refuseSecretsIn_acceptsADocumentWithoutSecrets() {
    r.refuseSecretsIn(Map.of("payload", Map.of("argv", List.of("grep", "-c", "ubuntu"))));
    Redactor.none().refuseSecretsIn(Map.of("payload", SECRET));
  }

  @Test
  void toString_neverShowsAValue() {
    assertThat(r.toString()).isEqualTo("Redactor[1 secret values]");
  }
}
