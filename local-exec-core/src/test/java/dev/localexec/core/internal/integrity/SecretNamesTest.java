package dev.localexec.core.internal.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretNamesTest {

  @Test
  void looksSecret_secretsNames() {
    for (String name :
        List.of(
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "AWS_SESSION_TOKEN",
            "GITHUB_TOKEN",
            "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY",
            "LOCAL_EXEC_PG_PASSWORD",
            "PGPASSWORD",
            "db_password",
            "MYSQL_PWD",
            "SMTP_PASS",
            "HTPASSWD_FILE",
            "GPG_PASSPHRASE",
            "CLIENT_SECRET",
            "SECRET_KEY_BASE",
            "APIKEY",
            "X_AUTHTOKEN",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "NPM_CREDS",
            "GITLAB_PAT",
            "NPM_AUTH",
            "HTTP_AUTHORIZATION",
            "Cookie_Jar")) {
      assertThat(SecretNames.looksSecret(name)).as(name).isTrue();
    }
  }

  @Test
  void looksSecret_ordinaryNames() {
    for (String name :
        List.of(
            "DESKTOP_SESSION",
            "SESSION_MANAGER",
            "XDG_SESSION_TYPE",
            "XDG_SESSION_ID",
            "SSH_AUTH_SOCK",
            "PWD",
            "OLDPWD",
            "PAT",
            "HOME",
            "PATH",
            "LANG",
            "TOKENIZERS_PARALLELISM",
            "KEYBOARD_LAYOUT",
            "LOCAL_EXEC_REQUIRE_SANDBOX",
            "",
            "_")) {
      assertThat(SecretNames.looksSecret(name)).as(name).isFalse();
    }
    assertThat(SecretNames.looksSecret(null)).isFalse();
  }

  @Test
  void isPlaneOwn_thePlanesPrefixesAndPgPassword() {
    assertThat(SecretNames.isPlaneOwn("LOCAL_EXEC_QUEUE_URL")).isTrue();
    assertThat(SecretNames.isPlaneOwn("OPENCLAW_LOCAL_EXEC_VLLM_API_BASE")).isTrue();
    assertThat(SecretNames.isPlaneOwn("PGPASSWORD")).isTrue();
    assertThat(SecretNames.isPlaneOwn("PGUSER")).isFalse();
    assertThat(SecretNames.isPlaneOwn("local_exec_x")).isFalse();
    assertThat(SecretNames.isPlaneOwn(null)).isFalse();
  }
}
