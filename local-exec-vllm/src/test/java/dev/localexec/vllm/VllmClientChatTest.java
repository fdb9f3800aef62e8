package dev.localexec.vllm;

import static dev.localexec.vllm.ReplayServer.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.ModelCallException.Kind;
import dev.localexec.api.spi.ChatMessage;
import dev.localexec.api.spi.ChatReply;
import dev.localexec.api.spi.ChatToolCall;
import dev.localexec.vllm.ReplayServer.Reply;
import dev.localexec.vllm.VllmChatRequest.ToolChoice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Chat completions, whole and streamed, against fixtures of two vLLM generations. */
class VllmClientChatTest {
  static final String CHAT = "/v1/chat/completions";
  static final List<ChatMessage> MESSAGES =
      List.of(ChatMessage.system("Answer in JSON."), ChatMessage.user("ping"));
  static final JsonMapper JSON = JsonMapper.builder().build();

  final ReplayServer server = new ReplayServer();

  @AfterEach
  void stop() {
    server.close();
  }

  VllmClient client() {
    return VllmClient.builder(server.baseUrl())
        .model("local-exec-coordinator")
        .retries(3, Duration.ofMillis(20), Duration.ofMillis(50))
        .build();
  }

  VllmClient clientWithKey(String key) {
    return VllmClient.builder(server.baseUrl())
        .model("local-exec-coordinator")
        .apiKey(key, "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY")
        .retries(3, Duration.ofMillis(20), Duration.ofMillis(50))
        .build();
  }

  static VllmChatRequest simple() {
    return VllmChatRequest.builder(MESSAGES, 256).temperature(0.0).build();
  }

  JsonNode sentBody() {
    return JSON.readTree(server.last(CHAT).body());
  }

  @Test
  void chat_olderServer_readsReasoningContentAndUsage() {
    server.on(CHAT, Reply.json(200, fixture("v0.10", "chat-ok.json")));

    ChatReply reply = client().chat(simple());

    assertThat(reply.model()).isEqualTo("local-exec-coordinator");
    assertThat(reply.content()).isEqualTo("{\"status\": \"ok\"}");
    assertThat(reply.reasoning()).isEqualTo("The user wants a one-word status.");
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.promptTokens()).isEqualTo(31);
    assertThat(reply.completionTokens()).isEqualTo(16);
    assertThat(reply.toolCalls()).isEmpty();
  }

  @Test
  void chat_currentServer_readsReasoningAndIgnoresUnknownFields() {
    server.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")));

    ChatReply reply = client().chat(simple());

    assertThat(reply.content()).isEqualTo("{\"status\": \"ok\"}");
    assertThat(reply.reasoning()).isEqualTo("A one-word status is enough.");
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.promptTokens()).isEqualTo(33);
    assertThat(reply.completionTokens()).isEqualTo(19);
  }

  @Test
  void chat_sendsModelBoundAndNoStreamAndNoKeyWhenNoneConfigured() {
    server.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")));

    client().chat(simple());

    JsonNode body = sentBody();
    assertThat(body.get("model").stringValue()).isEqualTo("local-exec-coordinator");
    assertThat(body.get("max_tokens").intValue()).isEqualTo(256);
    assertThat(body.has("max_completion_tokens")).isFalse();
    assertThat(body.get("temperature").doubleValue()).isEqualTo(0.0);
    assertThat(body.get("stream").booleanValue()).isFalse();
    assertThat(body.has("stream_options")).isFalse();
    assertThat(body.has("response_format")).isFalse();
    assertThat(body.has("tools")).isFalse();
    assertThat(body.get("messages").toString())
        .isEqualTo(
            "[{\"role\":\"system\",\"content\":\"Answer in JSON.\"},"
                + "{\"role\":\"user\",\"content\":\"ping\"}]");
    ReplayServer.Recorded r = server.last(CHAT);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.header("Authorization")).isNull();
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.header("Accept")).isEqualTo("application/json");
  }

  @Test
  void chat_withKey_sendsBearerHeader() {
    server.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")));

    clientWithKey("test-key-123").chat(simple());

    assertThat(server.last(CHAT).header("Authorization")).isEqualTo("Bearer test-key-123");
  }

  @Test
  void chat_maxCompletionTokensField_sendsThatFieldOnly() {
    server.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")));

    client()
        .chat(
            VllmChatRequest.builder(MESSAGES, 64)
                .tokenField(VllmChatRequest.TokenField.MAX_COMPLETION_TOKENS)
                .build());

    assertThat(sentBody().get("max_completion_tokens").intValue()).isEqualTo(64);
    assertThat(sentBody().has("max_tokens")).isFalse();
  }

  @Test
  void chat_responseSchema_sendsJsonSchemaFormatWithName() {
    server.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")));
    String schema =
        "{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\"}},"
            + "\"required\":[\"status\"]}";

    client().chat(VllmChatRequest.builder(MESSAGES, 128).responseSchema("status", schema).build());

    assertThat(sentBody().get("response_format").toString())
        .isEqualTo(
            "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"status\",\"schema\":"
                + schema
                + ",\"strict\":true}}");
  }

  @Test
  void chat_namedToolChoice_sendsToolsChoiceAndParallelFlag_andReadsTheCall() {
    server.on(CHAT, Reply.json(200, fixture("v0.10", "chat-toolcall.json")));
    String params =
        "{\"type\":\"object\",\"properties\":{\"steps\":{\"type\":\"array\"},"
            + "\"risk\":{\"type\":\"string\"}}}";

    ChatReply reply =
        client()
            .chat(
                VllmChatRequest.builder(MESSAGES, 200)
                    .tool("record_plan", "Records the plan.", params)
                    .toolChoice(ToolChoice.named("record_plan"))
                    .parallelToolCalls(false)
                    .build());

    JsonNode body = sentBody();
    assertThat(body.get("tools").toString())
        .isEqualTo(
            "[{\"type\":\"function\",\"function\":{\"name\":\"record_plan\","
                + "\"description\":\"Records the plan.\",\"parameters\":"
                + params
                + "}}]");
    assertThat(body.get("tool_choice").toString())
        .isEqualTo("{\"type\":\"function\",\"function\":{\"name\":\"record_plan\"}}");
    assertThat(body.get("parallel_tool_calls").booleanValue()).isFalse();
    assertThat(reply.content()).isEmpty(); // null in the older server's answer
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.toolCalls())
        .containsExactly(
            new ChatToolCall(
                "chatcmpl-tool-4f1e2d3c4b5a6978",
                "record_plan",
                "{\"steps\": [\"index\", \"test\"], \"risk\": \"low\"}"));
  }

  @Test
  void chat_currentToolCall_emptyContentAndToolCallsFinish() {
    server.on(CHAT, Reply.json(200, fixture("current", "chat-toolcall.json")));

    ChatReply reply =
        client()
            .chat(
                VllmChatRequest.builder(MESSAGES, 200)
                    .tool("record_plan", "", null)
                    .toolChoice(ToolChoice.required())
                    .build());

    assertThat(sentBody().get("tool_choice").stringValue()).isEqualTo("required");
    assertThat(reply.content()).isEmpty();
    assertThat(reply.reasoning()).isEmpty();
    assertThat(reply.finishReason()).isEqualTo("tool_calls");
    assertThat(reply.toolCalls()).hasSize(1);
    assertThat(reply.toolCalls().get(0).name()).isEqualTo("record_plan");
    assertThat(reply.toolCalls().get(0).argumentsJson())
        .isEqualTo("{\"steps\": [\"index\", \"test\", \"compact\"], \"risk\": \"medium\"}");
  }

  @ParameterizedTest
  @CsvSource({
    "v0.10, 'The repository holds three modules: the API, the core and', '', 58, 16",
    "current, '', The user asks for a long list; start with the modules and then, 40, 24"
  })
  void chat_lengthFinish_isAnAnswerNotAnError(
      String era, String content, String reasoning, int prompt, int completion) {
    server.on(CHAT, Reply.json(200, fixture(era, "chat-length.json")));

    ChatReply reply = client().chat(simple());

    assertThat(reply.finishReason()).isEqualTo("length");
    assertThat(reply.content()).isEqualTo(content);
    assertThat(reply.reasoning()).isEqualTo(reasoning);
    assertThat(reply.promptTokens()).isEqualTo(prompt);
    assertThat(reply.completionTokens()).isEqualTo(completion);
  }

  @Test
  void chatStream_currentServer_assemblesSkippingKeepAliveAndReadsUsage() {
    server.on(CHAT, Reply.sse(fixture("current", "chat-stream.sse")));
    List<String> pieces = new ArrayList<>();

    ChatReply reply =
        client()
            .chatStream(
                simple(),
                new VllmStreamListener() {
                  @Override
                  public void onContent(String text) {
                    pieces.add("c:" + text);
                  }

                  @Override
                  public void onReasoning(String text) {
                    pieces.add("r:" + text);
                  }
                });

    assertThat(reply.content()).isEqualTo("Nine modules.");
    assertThat(reply.reasoning()).isEqualTo("Nine folders have a pom.");
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.promptTokens()).isEqualTo(27);
    assertThat(reply.completionTokens()).isEqualTo(9);
    assertThat(reply.model()).isEqualTo("local-exec-coordinator");
    assertThat(pieces).containsExactly("r:Nine folders ", "r:have a pom.", "c:Nine ", "c:modules.");
    JsonNode body = sentBody();
    assertThat(body.get("stream").booleanValue()).isTrue();
    assertThat(body.get("stream_options").toString()).isEqualTo("{\"include_usage\":true}");
    assertThat(body.get("max_tokens").intValue()).isEqualTo(256);
    assertThat(server.last(CHAT).header("Accept")).isEqualTo("text/event-stream");
  }

  @Test
  void chatStream_olderServer_readsReasoningContentDeltas() {
    server.on(CHAT, Reply.sse(fixture("v0.10", "chat-stream.sse")));

    ChatReply reply = client().chatStream(simple(), VllmStreamListener.ignoring());

    assertThat(reply.content()).isEqualTo("There are nine.");
    assertThat(reply.reasoning()).isEqualTo("Count the modules.");
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.promptTokens()).isEqualTo(25);
    assertThat(reply.completionTokens()).isEqualTo(8);
  }

  @Test
  void chatStream_toolCallFragments_concatenatedPerIndex() {
    server.on(CHAT, Reply.sse(fixture("current", "chat-stream-toolcall.sse")));

    ChatReply reply =
        client()
            .chatStream(
                VllmChatRequest.builder(MESSAGES, 200)
                    .tool("record_plan", "", null)
                    .toolChoice(ToolChoice.named("record_plan"))
                    .build(),
                VllmStreamListener.ignoring());

    assertThat(reply.toolCalls())
        .containsExactly(
            new ChatToolCall(
                "chatcmpl-tool-5e6f7a8b9c0d1e2f",
                "record_plan",
                "{\"steps\": [\"index\"], \"risk\": \"low\"}"));
    assertThat(reply.content()).isEmpty();
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.completionTokens()).isEqualTo(18);
  }

  @ParameterizedTest
  @CsvSource({
    "v0.10, Engine loop has died, InternalServerError, Partial answ",
    "current, Internal server error, InternalServerError, Half of an"
  })
  void chatStream_midStreamErrorEvent_failsAndIsNotRetried(
      String era, String serverMessage, String type, String delivered) {
    server.on(CHAT, Reply.sse(fixture(era, "chat-stream-midstream-error.sse")));
    StringBuilder seen = new StringBuilder();

    VllmException e =
        catchThrowableOfType(
            VllmException.class,
            () ->
                client()
                    .chatStream(
                        simple(),
                        new VllmStreamListener() {
                          @Override
                          public void onContent(String text) {
                            seen.append(text);
                          }
                        }));

    assertThat(e.kind()).isEqualTo(Kind.STREAM_ERROR);
    assertThat(e.code()).isEqualTo("model_stream_error");
    assertThat(e.httpStatus()).isEqualTo(200);
    assertThat(e.serverMessage()).isEqualTo(serverMessage);
    assertThat(e.errorType()).isEqualTo(type);
    assertThat(e.getMessage())
        .isEqualTo(
            "the stream from vLLM at "
                + server.baseUrl()
                + " was interrupted by an error event after "
                + delivered.length()
                + " characters of answer: "
                + type
                + ", code 500: "
                + serverMessage
                + "; the partial answer is discarded, ask again");
    assertThat(seen.toString()).isEqualTo(delivered);
    assertThat(server.count(CHAT)).isEqualTo(1);
  }

  @Test
  void chatStream_endsWithoutDone_isAStreamErrorNotAnAnswer() {
    server.on(CHAT, Reply.sse(fixture("current", "chat-stream-truncated.sse")));

    VllmException e =
        catchThrowableOfType(
            VllmException.class,
            () -> client().chatStream(simple(), VllmStreamListener.ignoring()));

    assertThat(e.kind()).isEqualTo(Kind.STREAM_ERROR);
    assertThat(e.getMessage())
        .isEqualTo(
            "the stream from "
                + server.baseUrl()
                + " ended before data: [DONE] after 2 events; the server may have stopped:"
                + " the partial answer is discarded, ask again");
  }

  @Test
  void chatStream_serverAnswersJsonInstead_isReadAsAWholeAnswer() {
    server.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")));

    ChatReply reply = client().chatStream(simple(), VllmStreamListener.ignoring());

    assertThat(reply.content()).isEqualTo("{\"status\": \"ok\"}");
  }

  @Test
  void chatStream_errorStatusBeforeTheStream_isClassifiedLikeAWholeAnswer() {
    server.on(CHAT, Reply.json(400, fixture("current", "err-400-ctx-current.json")));

    VllmException e =
        catchThrowableOfType(
            VllmException.class,
            () -> client().chatStream(simple(), VllmStreamListener.ignoring()));

    assertThat(e.kind()).isEqualTo(Kind.CONTEXT_LENGTH);
    assertThat(e.httpStatus()).isEqualTo(400);
  }

  @Test
  void chat_bodyNotJson_isBadResponse() {
    server.on(CHAT, new Reply(200, "text/html", "<html>proxy page</html>", 0, 0));

    VllmException e = catchThrowableOfType(VllmException.class, () -> client().chat(simple()));

    assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
    assertThat(e.httpStatus()).isEqualTo(200);
    assertThat(e.getMessage())
        .isEqualTo(
            "vLLM at "
                + server.baseUrl()
                + " answered 200 with a body that is not a chat completion (not JSON):"
                + " <html>proxy page</html>");
  }

  @Test
  void chat_noChoices_isBadResponse() {
    server.on(CHAT, Reply.json(200, "{\"id\":\"chatcmpl-1\",\"choices\":[]}"));

    VllmException e = catchThrowableOfType(VllmException.class, () -> client().chat(simple()));

    assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
    assertThat(e.getMessage()).contains("(no choices)");
  }

  @Test
  void request_namedChoiceWithoutThatTool_isRefusedBeforeSending() {
    assertThat(
            catchThrowableOfType(
                IllegalArgumentException.class,
                () ->
                    VllmChatRequest.builder(MESSAGES, 10)
                        .tool("a", "", null)
                        .toolChoice(ToolChoice.named("b"))
                        .build()))
        .hasMessage("tool choice names 'b' but the tools are [a]");
    assertThat(
            catchThrowableOfType(
                IllegalArgumentException.class, () -> VllmChatRequest.builder(MESSAGES, 0).build()))
        .hasMessage("maxTokens must be >= 1 (a bound is always sent), got 0");
  }
}
