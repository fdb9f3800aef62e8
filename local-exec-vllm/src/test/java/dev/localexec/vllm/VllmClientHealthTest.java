package dev.localexec.vllm;

import static dev.localexec.vllm.ReplayServer.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.vllm.ReplayServer.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The health report: /health at the root, /v1/models, /version. */
class VllmClientHealthTest {
  final ReplayServer server = new ReplayServer();

  @AfterEach
  void stop() {
    server.close();
  }

  VllmClient client(String key) {
    return VllmClient.builder(server.baseUrl())
        .model("local-exec-coordinator")
        .apiKey(key, "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY")
        .expectedMaxModelLen(8192)
        .retries(4, Duration.ofMillis(20), Duration.ofMillis(40))
        .build();
  }

  @ParameterizedTest
  @CsvSource({"v0.10, 0.10.0, Qwen/Qwen2.5-7B-Instruct", "current, 0.23.1, Qwen/Qwen3-8B"})
  void healthy_reportsModelContextLengthAndVersion(String era, String version, String root) {
    server
        .on("/health", Reply.empty(200))
        .on("/v1/models", Reply.json(200, fixture(era, "models.json")))
        .on("/version", Reply.json(200, fixture(era, "version.json")));

    VllmHealth h = client("k-2").health();

    assertThat(h.ready()).isTrue();
    assertThat(h.healthStatus()).isEqualTo(200);
    assertThat(h.version()).isEqualTo(version);
    assertThat(h.models())
        .containsExactly(new VllmHealth.ServedModel("local-exec-coordinator", 8192, root));
    assertThat(h.problem()).isEmpty();
    assertThat(h.attempts()).isEqualTo(1);
    assertThat(h.toMap())
        .containsExactly(
            Map.entry("status", "ok"),
            Map.entry("base_url", server.baseUrl().toString()),
            Map.entry("health_status", 200),
            Map.entry("version", version),
            Map.entry("model", "local-exec-coordinator"),
            Map.entry("model_served", true),
            Map.entry("max_model_len", 8192),
            Map.entry("served_models", List.of("local-exec-coordinator")),
            Map.entry("problem", ""));
    // /health is at the root and unauthenticated; /v1/models carries the key
    assertThat(server.last("/health").header("Authorization")).isNull();
    assertThat(server.last("/v1/models").header("Authorization")).isEqualTo("Bearer k-2");
  }

  @Test
  void health503ThenOk_isRetried() {
    server
        .on("/health", Reply.empty(503), Reply.empty(503), Reply.empty(200))
        .on("/v1/models", Reply.json(200, fixture("current", "models.json")));

    VllmHealth h = client(null).health();

    assertThat(h.ready()).isTrue();
    assertThat(h.attempts()).isEqualTo(3);
    assertThat(h.version()).isEmpty(); // no /version: 404, ignored
    assertThat(server.count("/health")).isEqualTo(3);
  }

  @Test
  void health503Always_notReadyAfterTheBound() {
    server.on("/health", Reply.empty(503));

    VllmHealth h = client(null).health();

    assertThat(h.ready()).isFalse();
    assertThat(h.status()).isEqualTo("not_ready");
    assertThat(h.healthStatus()).isEqualTo(503);
    assertThat(h.problem())
        .isEqualTo(
            "/health at http://127.0.0.1:"
                + server.port()
                + " answered 503 after 4 attempts: the engine is not ready or has died; see the"
                + " server's log");
    assertThat(server.count("/health")).isEqualTo(4);
    assertThat(server.count("/v1/models")).isZero();
  }

  @Test
  void nothingListening_unreachable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    VllmClient client =
        VllmClient.builder(URI.create("http://127.0.0.1:" + port + "/v1"))
            .retries(2, Duration.ofMillis(20), Duration.ofMillis(20))
            .build();

    VllmHealth h = client.health();

    assertThat(h.status()).isEqualTo("unreachable");
    assertThat(h.healthStatus()).isZero();
    assertThat(h.problem())
        .startsWith("could not connect to http://127.0.0.1:" + port + "/v1 after 2 attempts");
  }

  @Test
  void otherModelServed_saysWhichAndWhatToDo() {
    server
        .on("/health", Reply.empty(200))
        .on(
            "/v1/models",
            Reply.json(
                200,
                "{\"object\":\"list\",\"data\":[{\"id\":\"other\",\"object\":\"model\","
                    + "\"max_model_len\":4096}]}"));

    VllmHealth h = client(null).health();

    assertThat(h.status()).isEqualTo("not_ready");
    assertThat(h.toMap()).containsEntry("model_served", false).containsEntry("max_model_len", -1);
    assertThat(h.problem())
        .isEqualTo(
            "model 'local-exec-coordinator' is not served at "
                + server.baseUrl()
                + "; it serves [other]: start vllm serve with --served-model-name"
                + " local-exec-coordinator or fix openai_compat.model");
  }

  @Test
  void contextLengthDiffers_isAProblem() {
    server
        .on("/health", Reply.empty(200))
        .on(
            "/v1/models",
            Reply.json(
                200, "{\"data\":[{\"id\":\"local-exec-coordinator\",\"max_model_len\":4096}]}"));

    VllmHealth h = client(null).health();

    assertThat(h.ready()).isFalse();
    assertThat(h.problem())
        .isEqualTo(
            "model 'local-exec-coordinator' has max_model_len 4096 but serve.max_model_len is"
                + " 8192; restart vllm serve with --max-model-len 8192 or fix the file");
  }

  @Test
  void modelsUnauthorized_reportsTheKeyProblem() {
    server
        .on("/health", Reply.empty(200))
        .on("/v1/models", Reply.json(401, fixture("current", "err-401.json")));

    VllmHealth h = client(null).health();

    assertThat(h.healthy()).isTrue();
    assertThat(h.ready()).isFalse();
    assertThat(h.problem())
        .endsWith(
            "no API key was sent because $OPENCLAW_LOCAL_EXEC_VLLM_API_KEY is unset or empty;"
                + " set it to the server's key");
  }
}
