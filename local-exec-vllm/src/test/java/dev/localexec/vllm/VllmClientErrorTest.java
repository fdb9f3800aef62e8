package dev.localexec.vllm;

import static dev.localexec.vllm.ReplayServer.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.ModelCallException.Kind;
import dev.localexec.api.spi.ChatMessage;
import dev.localexec.vllm.ReplayServer.Reply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** vLLM's error answers in each of its envelopes, classified. */
class VllmClientErrorTest {
  static final String CHAT = "/v1/chat/completions";
  static final VllmChatRequest REQUEST =
      VllmChatRequest.builder(List.of(ChatMessage.user("ping")), 512).build();

  final ReplayServer server = new ReplayServer();

  @AfterEach
  void stop() {
    server.close();
  }

  VllmClient client(String key) {
    return VllmClient.builder(server.baseUrl())
        .model("local-exec-coordinator")
        .apiKey(key, "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY")
        .retries(4, Duration.ofMillis(10), Duration.ofMillis(20))
        .build();
  }

  VllmException fail(String era, String file, int status) {
    server.on(CHAT, Reply.json(status, fixture(era, file)));
    return catchThrowableOfType(VllmException.class, () -> client("k-1").chat(REQUEST));
  }

  @ParameterizedTest
  @ValueSource(strings = {"v0.10", "current"})
  void unauthorized_stringEnvelope_isNotRetried(String era) {
    VllmException e = fail(era, "err-401.json", 401);

    assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
    assertThat(e.httpStatus()).isEqualTo(401);
    assertThat(e.serverMessage()).isEqualTo("Unauthorized");
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage())
        .isEqualTo(
            "vLLM at "
                + server.baseUrl()
                + " refused the request (401: Unauthorized); the key in"
                + " $OPENCLAW_LOCAL_EXEC_VLLM_API_KEY is not one the server accepts; set it to"
                + " the key vllm serve was started with (VLLM_API_KEY or --api-key)");
    assertThat(server.count(CHAT)).isEqualTo(1);
  }

  @Test
  void unauthorized_withoutKey_saysTheVariableIsUnset() {
    server.on(CHAT, Reply.json(401, fixture("current", "err-401.json")));

    VllmException e = catchThrowableOfType(VllmException.class, () -> client(null).chat(REQUEST));

    assertThat(e.getMessage())
        .endsWith(
            "no API key was sent because $OPENCLAW_LOCAL_EXEC_VLLM_API_KEY is unset or empty;"
                + " set it to the server's key");
    assertThat(server.last(CHAT).header("Authorization")).isNull();
  }

  @ParameterizedTest
  @CsvSource({"current, err-404-new.json, model", "v0.10, err-404-old.json, ''"})
  void unknownModel_bothEnvelopes(String era, String file, String param) {
    VllmException e = fail(era, file, 404);

    assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_MODEL);
    assertThat(e.httpStatus()).isEqualTo(404);
    assertThat(e.errorType()).isEqualTo("NotFoundError");
    assertThat(e.param()).isEqualTo(param);
    assertThat(e.serverMessage()).isEqualTo("The model `nope` does not exist.");
    assertThat(e.getMessage())
        .startsWith(
            "vLLM at " + server.baseUrl() + " does not serve model 'local-exec-coordinator'")
        .contains("The model `nope` does not exist.")
        .endsWith("set openai_compat.model to the served name (local-exec vllm health lists it)");
    assertThat(server.count(CHAT)).isEqualTo(1);
  }

  @Test
  void notFoundRoute_pointsAtTheBaseUrl() {
    VllmException e = fail("current", "err-404-route.json", 404);

    assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_MODEL);
    assertThat(e.getMessage())
        .isEqualTo(
            "vLLM at "
                + server.baseUrl()
                + " has no /chat/completions (404: Not Found); check that"
                + " openai_compat.base_url ends with /v1");
  }

  @ParameterizedTest
  @CsvSource({
    "v0.10, err-400-ctx-v010.json, ''",
    "current, err-400-ctx-v011.json, input_tokens",
    "current, err-400-ctx-v011-max-tokens.json, max_tokens",
    "current, err-400-ctx-current.json, input_tokens"
  })
  void contextLength_recognisedByParamOrWording(String era, String file, String param) {
    VllmException e = fail(era, file, 400);

    assertThat(e.kind()).isEqualTo(Kind.CONTEXT_LENGTH);
    assertThat(e.code()).isEqualTo("model_context_length");
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.param()).isEqualTo(param);
    assertThat(e.errorType()).isEqualTo("BadRequestError");
    assertThat(e.getMessage())
        .startsWith(
            "the prompt plus max_tokens 512 do not fit the context length of"
                + " 'local-exec-coordinator' at "
                + server.baseUrl()
                + " (400: BadRequestError")
        .endsWith("); shorten the prompt or lower max_tokens");
    assertThat(server.count(CHAT)).isEqualTo(1);
  }

  @Test
  void contextLength_wordingAlone_withoutParam() {
    server.on(
        CHAT,
        Reply.json(
            400,
            "{\"error\":{\"message\":\"Prompt exceeds the context length of 4096\","
                + "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}"));

    VllmException e = catchThrowableOfType(VllmException.class, () -> client(null).chat(REQUEST));

    assertThat(e.kind()).isEqualTo(Kind.CONTEXT_LENGTH);
    assertThat(e.param()).isEmpty();
  }

  @Test
  void validationError_isBadRequestWithTheFieldPath() {
    VllmException e = fail("current", "err-400-validation.json", 400);

    assertThat(e.kind()).isEqualTo(Kind.BAD_REQUEST);
    assertThat(e.param()).isEqualTo("messages.0.role");
    assertThat(e.errorType()).isEqualTo("Bad Request");
    assertThat(e.getMessage())
        .startsWith(
            "vLLM at "
                + server.baseUrl()
                + " rejected the request (400: Bad Request, param messages.0.role, code 400:"
                + " 1 validation error: {'type': 'literal_error'")
        .endsWith("; fix the request");
    assertThat(server.count(CHAT)).isEqualTo(1);
  }

  @Test
  void autoToolChoiceWithoutServerFlags_flatEnvelope_isBadRequest() {
    VllmException e = fail("v0.10", "err-400-toolchoice.json", 400);

    assertThat(e.kind()).isEqualTo(Kind.BAD_REQUEST);
    assertThat(e.serverMessage())
        .isEqualTo(
            "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to"
                + " be set");
  }

  @Test
  void unprocessable422_isBadRequestAndNotRetried() {
    server.on(CHAT, Reply.json(422, "{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"bad\"}]}"));

    VllmException e = catchThrowableOfType(VllmException.class, () -> client(null).chat(REQUEST));

    assertThat(e.kind()).isEqualTo(Kind.BAD_REQUEST);
    assertThat(e.httpStatus()).isEqualTo(422);
    assertThat(server.count(CHAT)).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"v0.10", "current"})
  void serverError_retriedToTheBoundThenServerError(String era) {
    VllmException e = fail(era, "err-500.json", 500);

    assertThat(e.kind()).isEqualTo(Kind.SERVER_ERROR);
    assertThat(e.httpStatus()).isEqualTo(500);
    assertThat(e.errorType()).isEqualTo("InternalServerError");
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage())
        .startsWith("vLLM at " + server.baseUrl() + " failed (500: InternalServerError, code 500:")
        .endsWith(
            ") after 4 attempts; check the server's log (an engine failure makes /health"
                + " answer 503)");
    assertThat(server.count(CHAT)).isEqualTo(4);
  }

  @Test
  void serverError_thenSuccess_answers() {
    server.on(
        CHAT,
        Reply.json(503, fixture("current", "err-500.json")),
        Reply.json(200, fixture("current", "chat-ok.json")));

    assertThat(client(null).chat(REQUEST).content()).isEqualTo("{\"status\": \"ok\"}");
    assertThat(server.count(CHAT)).isEqualTo(2);
  }

  @Test
  void notImplemented501_isNotRetried() {
    server.on(
        CHAT,
        Reply.json(
            501,
            "{\"error\":{\"message\":\"not implemented\",\"type\":\"NotImplementedError\","
                + "\"param\":null,\"code\":501}}"));

    VllmException e = catchThrowableOfType(VllmException.class, () -> client(null).chat(REQUEST));

    assertThat(e.kind()).isEqualTo(Kind.SERVER_ERROR);
    assertThat(server.count(CHAT)).isEqualTo(1);
  }
}
