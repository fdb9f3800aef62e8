package dev.localexec.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.localexec.api.spi.ChatMessage;
import dev.localexec.api.spi.ChatReply;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real vLLM server, only when {@code LOCAL_EXEC_VLLM_BASE_URL} is set (e.g. {@code
 * http://127.0.0.1:8001/v1}). The key comes from {@code OPENCLAW_LOCAL_EXEC_VLLM_API_KEY} when set;
 * the model from {@code LOCAL_EXEC_VLLM_MODEL} (default {@code local-exec-coordinator}).
 */
class VllmLiveIT {
  VllmClient client;

  @BeforeEach
  void connect() {
    String base = System.getenv("LOCAL_EXEC_VLLM_BASE_URL");
    assumeTrue(
        base != null && !base.isBlank(),
        "LOCAL_EXEC_VLLM_BASE_URL is not set: no live vLLM server to test against");
    String model = System.getenv().getOrDefault("LOCAL_EXEC_VLLM_MODEL", "local-exec-coordinator");
    client =
        VllmClient.builder(URI.create(base.strip()))
            .model(model)
            .apiKey(System.getenv(VllmConfig.DEFAULT_KEY_ENV), VllmConfig.DEFAULT_KEY_ENV)
            .build();
  }

  @Test
  void health_servesTheModel() {
    VllmHealth h = client.health();

    assertThat(h.healthy()).as(h.problem()).isTrue();
    assertThat(h.expected()).as(h.problem()).isPresent();
    assertThat(h.expected().orElseThrow().maxModelLen()).isPositive();
  }

  @Test
  void chat_wholeAndStreamed_withinTheBound() {
    VllmChatRequest request =
        VllmChatRequest.builder(List.of(ChatMessage.user("Say the word ok.")), 16)
            .temperature(0.0)
            .build();

    ChatReply whole = client.chat(request, Duration.ofMinutes(2));
    ChatReply streamed =
        client.chatStream(request, VllmStreamListener.ignoring(), Duration.ofMinutes(2));

    assertThat(whole.completionTokens()).isBetween(1, 16);
    assertThat(whole.finishReason()).isIn("stop", "length");
    assertThat(streamed.completionTokens()).isBetween(1, 16);
    assertThat(streamed.content() + streamed.reasoning()).isNotEmpty();
  }

  @Test
  void chat_jsonSchema_answersJson() {
    VllmChatRequest request =
        VllmChatRequest.builder(List.of(ChatMessage.user("Give the status ok as JSON.")), 64)
            .temperature(0.0)
            .responseSchema(
                "status",
                "{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\"}},"
                    + "\"required\":[\"status\"],\"additionalProperties\":false}")
            .build();

    ChatReply reply = client.chat(request, Duration.ofMinutes(2));

    assertThat(WireFormat.readOrNull(reply.content())).isNotNull();
    assertThat(WireFormat.readOrNull(reply.content()).has("status")).isTrue();
  }
}
