package dev.localexec.vllm;

import static dev.localexec.vllm.ReplayServer.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.spi.ChatMessage;
import dev.localexec.api.spi.ChatReply;
import dev.localexec.api.spi.ChatRequest;
import dev.localexec.api.spi.ModelBackend;
import dev.localexec.vllm.ReplayServer.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The plane's ModelBackend on the client, with the configured generation defaults. */
class VllmModelBackendTest {
  static final String CHAT = "/v1/chat/completions";

  final ReplayServer server = new ReplayServer();

  @AfterEach
  void stop() {
    server.close();
  }

  ModelBackend backend() {
    String yaml =
        """
        serve:
          port: %d
        openai_compat:
          base_url: http://127.0.0.1:%d/v1
        generation:
          temperature: 0.2
          top_p: 0.9
          max_tokens: 300
        """
            .formatted(server.port(), server.port());
    return VllmModelBackend.create(VllmConfig.parse(yaml, "test.yaml"), Map.of());
  }

  JsonNode sent() {
    return JsonMapper.builder().build().readTree(server.last(CHAT).body());
  }

  @Test
  void identity_nameBaseAndModel() {
    try (ModelBackend b = backend()) {
      assertThat(b.name()).isEqualTo("vllm");
      assertThat(b.apiBase()).isEqualTo("http://127.0.0.1:" + server.port() + "/v1");
      assertThat(b.modelName()).isEqualTo("local-exec-coordinator");
    }
  }

  @Test
  void chat_noBoundInRequest_sendsTheConfiguredBoundAndDefaults() {
    server.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")));

    ChatReply reply =
        backend().chat(ChatRequest.of(List.of(ChatMessage.user("ping"))), Duration.ofSeconds(5));

    assertThat(reply.content()).isEqualTo("{\"status\": \"ok\"}");
    JsonNode body = sent();
    assertThat(body.get("model").stringValue()).isEqualTo("local-exec-coordinator");
    assertThat(body.get("max_tokens").intValue()).isEqualTo(300);
    assertThat(body.get("temperature").doubleValue()).isEqualTo(0.2);
    assertThat(body.get("top_p").doubleValue()).isEqualTo(0.9);
    assertThat(body.get("stream").booleanValue()).isFalse();
    assertThat(body.has("tools")).isFalse();
    assertThat(body.has("parallel_tool_calls")).isFalse();
  }

  @Test
  void chat_requestBoundAndSchema_sent() {
    server.on(CHAT, Reply.json(200, fixture("v0.10", "chat-ok.json")));
    ChatRequest request =
        ChatRequest.of(List.of(ChatMessage.system("JSON only"), ChatMessage.user("status?")))
            .withMaxTokens(42)
            .withResponseSchema("status", "{\"type\":\"object\"}");

    ChatReply reply = backend().chat(request, Duration.ofSeconds(5));

    assertThat(reply.reasoning()).isEqualTo("The user wants a one-word status.");
    assertThat(sent().get("max_tokens").intValue()).isEqualTo(42);
    assertThat(sent().get("response_format").toString())
        .isEqualTo(
            "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"status\","
                + "\"schema\":{\"type\":\"object\"},\"strict\":true}}");
  }
}
