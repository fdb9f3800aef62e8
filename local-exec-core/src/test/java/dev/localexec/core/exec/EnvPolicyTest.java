package dev.localexec.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.PolicyViolationException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvPolicyTest {

  @Test
  void defaults_allowLocaleTimeZoneAndTerminalOnly() {
    EnvPolicy p = EnvPolicy.defaults();

    assertThat(p.allowed()).containsExactly("LANG", "LANGUAGE", "LC_*", "NO_COLOR", "TERM", "TZ");
    assertThat(List.of("LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM", "NO_COLOR", "PATH"))
        .allMatch(p::allows);
    assertThat(List.of("HOME", "JAVA_HOME", "USER", "LC_SECRET", "DESKTOP_SESSION", ""))
        .noneMatch(p::allows);
    assertThat(p.allows(null)).isFalse();
  }

  @Test
  void allowing_exactNamesAllowSecretsPatternsDoNot() {
    EnvPolicy p =
        EnvPolicy.defaults()
            .allowing(List.of("GITHUB_TOKEN", "AWS_*", "LOCAL_*", "MAVEN_*"))
            .markingSecret(List.of("MAVEN_REPO_URL"));

    assertThat(p.allows("GITHUB_TOKEN")).isTrue();
    assertThat(p.allows("AWS_REGION")).isTrue();
    assertThat(p.allows("AWS_SECRET_ACCESS_KEY")).isFalse();
    assertThat(p.allows("AWS_ACCESS_KEY_ID")).isFalse();
    assertThat(p.allows("LOCAL_EXEC_PG_PASSWORD")).isFalse();
    assertThat(p.allows("LOCAL_EXEC_QUEUE_URL")).isFalse();
    assertThat(p.allows("MAVEN_OPTS")).isTrue();
    assertThat(p.allows("MAVEN_REPO_URL")).isFalse();
    assertThat(p.secretNames()).containsExactly("MAVEN_REPO_URL");
    assertThat(p.isSecret("OPENCLAW_LOCAL_EXEC_VLLM_API_BASE")).isTrue();
    assertThat(p.isSecret("AWS_REGION")).isFalse();
    assertThat(p.allowed())
        .containsExactly(
            "AWS_*",
            "GITHUB_TOKEN",
            "LANG",
            "LANGUAGE",
            "LC_*",
            "LOCAL_*",
            "MAVEN_*",
            "NO_COLOR",
            "TERM",
            "TZ");
  }

  @Test
  void check_refusesTheFirstNameNotAllowed() {
    EnvPolicy p = EnvPolicy.defaults().allowing(List.of("OPENCLAW_*"));

    p.check(List.of("LANG", "PATH"));
    PolicyViolationException e =
        catchThrowableOfType(
            PolicyViolationException.class,
            () -> p.check(List.of("LANG", "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", "HOME")));

    assertThat(e.code()).isEqualTo("env_not_allowed:OPENCLAW_LOCAL_EXEC_VLLM_API_KEY");
    assertThat(e.rule()).isEqualTo("env_not_allowed:OPENCLAW_LOCAL_EXEC_VLLM_API_KEY");
    assertThat(e.getMessage())
        .isEqualTo(
            "env_allow asks for the environment variable OPENCLAW_LOCAL_EXEC_VLLM_API_KEY, which"
                + " is a secret's name (or one the plane reads itself), so the operator's pattern"
                + " OPENCLAW_* does not cover it; it must be allowed by its exact name; the"
                + " operator can allow it with --allow-env OPENCLAW_LOCAL_EXEC_VLLM_API_KEY"
                + " (LocalExecPlane.Builder.allowEnv in Java), or the job can leave it out of"
                + " env_allow");
  }

  @Test
  void allowing_refusesBadNamesAndPath() {
    EnvPolicy p = EnvPolicy.defaults();

    assertThatThrownBy(() -> p.allowing(List.of("PATH")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PATH cannot be allowed: every command gets PATH=/usr/local/bin:/usr/bin:/bin");
    for (String bad : List.of("*", "A-B", "1X", "A*B", "A=1", "")) {
      assertThatThrownBy(() -> p.allowing(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "cannot allow the environment variable '"
                  + bad
                  + "': give a name (letters, digits, '_', not starting with a digit) or a prefix"
                  + " pattern such as MAVEN_*");
    }
    assertThatThrownBy(() -> p.markingSecret(List.of("X_*")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "cannot mark 'X_*' secret: give a variable name (letters, digits, '_', not starting"
                + " with a digit)");
  }

  @Test
  void equalPoliciesAreEqualAndToStringShowsNoValues() {
    EnvPolicy a = EnvPolicy.defaults().allowing(List.of("HOME")).markingSecret(Set.of("X_URL"));
    EnvPolicy b = EnvPolicy.defaults().markingSecret(Set.of("X_URL")).allowing(List.of("HOME"));

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(EnvPolicy.defaults());
    assertThat(a.toString())
        .isEqualTo(
            "EnvPolicy[allowed [HOME, LANG, LANGUAGE, LC_*, NO_COLOR, TERM, TZ], marked secret 1]");
  }
}
