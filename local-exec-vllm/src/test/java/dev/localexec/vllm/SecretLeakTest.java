package dev.localexec.vllm;

import static dev.localexec.vllm.ReplayServer.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.localexec.api.ModelCallException.Kind;
import dev.localexec.api.spi.ChatMessage;
import dev.localexec.api.spi.ChatRequest;
import dev.localexec.vllm.ReplayServer.Reply;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * With the API key in the environment, nothing this module produces holds it: logs at DEBUG,
 * exception messages and stack traces, returned values, health reports, the serve command.
 */
class SecretLeakTest {
  static final String CHAT = "/v1/chat/completions";
  static final String VAR = "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY";

  final String key = "sk-lx-" + HexFormat.of().formatHex(randomBytes());
  final Map<String, String> env = Map.of(VAR, key, "PATH", "/usr/bin");
  final ReplayServer server = new ReplayServer();
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger("dev.localexec.vllm");
  final List<String> produced = new ArrayList<>();

  static byte[] randomBytes() {
    byte[] b = new byte[16];
    new Random(7).nextBytes(b);
    return b;
  }

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
    logger.setLevel(Level.DEBUG);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
    logger.setLevel(null);
    server.close();
  }

  VllmConfig config(int port) {
    return VllmConfig.parse(
        """
        serve:
          port: %d
          api_key_env: %s
          max_model_len: 8192
        openai_compat:
          base_url: http://127.0.0.1:%d/v1
        """
            .formatted(port, VAR, port),
        "secret-test.yaml");
  }

  void failure(Runnable call, Kind expected) {
    VllmException e = catchThrowableOfType(VllmException.class, call::run);
    assertThat(e.kind()).isEqualTo(expected);
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    produced.add(trace.toString());
    produced.add(e.serverMessage());
    produced.add(e.errorType() + e.param());
  }

  @Test
  void keyInTheEnvironment_appearsNowhere() throws IOException {
    VllmConfig config = config(server.port());
    VllmModelBackend backend = VllmModelBackend.create(config, env);
    VllmClient client = backend.client();
    ChatRequest request = ChatRequest.of(List.of(ChatMessage.user("ping")));
    VllmChatRequest streamed =
        VllmChatRequest.builder(List.of(ChatMessage.user("ping")), 32).build();

    // a successful call, and the key really was sent
    server.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")));
    produced.add(backend.chat(request, Duration.ofSeconds(5)).toString());
    assertThat(server.last(CHAT).header("Authorization")).isEqualTo("Bearer " + key);

    // 401, in both eras
    server.on(CHAT, Reply.json(401, fixture("v0.10", "err-401.json")));
    failure(() -> backend.chat(request, Duration.ofSeconds(5)), Kind.UNAUTHORIZED);

    // a context-length 400 whose message echoes the key back
    server.on(
        CHAT,
        Reply.json(
            400,
            "{\"error\":{\"message\":\"context length exceeded for Bearer "
                + key
                + "\",\"type\":\"BadRequestError\",\"param\":\"input_tokens\",\"code\":400}}"));
    failure(() -> backend.chat(request, Duration.ofSeconds(5)), Kind.CONTEXT_LENGTH);

    // an error event in the middle of a stream that echoes the key
    server.on(
        CHAT,
        Reply.sse(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n"
                + "data: {\"error\":{\"message\":\"failed with key "
                + key
                + "\",\"type\":\"InternalServerError\",\"param\":null,\"code\":500}}\n\n"
                + "data: [DONE]\n\n"));
    failure(() -> client.chatStream(streamed, VllmStreamListener.ignoring()), Kind.STREAM_ERROR);
    server.on(CHAT, Reply.sse(fixture("current", "chat-stream-midstream-error.sse")));
    failure(() -> client.chatStream(streamed, VllmStreamListener.ignoring()), Kind.STREAM_ERROR);

    // 5xx retried (logs a retry line per attempt), then failing
    server.on(CHAT, Reply.json(500, fixture("current", "err-500.json")));
    VllmClient quick =
        VllmClient.builder(client.baseUrl())
            .apiKey(key, VAR)
            .retries(3, Duration.ofMillis(10), Duration.ofMillis(10))
            .build();
    failure(() -> quick.chat(streamed), Kind.SERVER_ERROR);

    // nothing listening: retried, then unavailable
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      dead = s.getLocalPort();
    }
    VllmClient down =
        VllmClient.builder(java.net.URI.create("http://127.0.0.1:" + dead + "/v1"))
            .apiKey(key, VAR)
            .retries(2, Duration.ofMillis(10), Duration.ofMillis(10))
            .build();
    failure(() -> down.chat(streamed), Kind.UNAVAILABLE);

    // health, with the models list refused
    server
        .on("/health", Reply.empty(200))
        .on("/v1/models", Reply.json(401, "{\"error\":\"Unauthorized\"}"));
    VllmHealth health = client.health();
    produced.add(health.toString());
    produced.add(health.toMap().toString());

    // everything else that prints
    produced.add(config.toString());
    produced.add(config.serveCommand().lines().toString());
    produced.add(config.serveCommand().argv().toString());
    produced.add(backend.toString());
    produced.add(client.toString());
    produced.add(quick.toString());

    for (ILoggingEvent event : logs.list) {
      produced.add(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        produced.add(t.getMessage());
      }
    }

    assertThat(logs.list).hasSizeGreaterThan(5); // debug lines and retry lines were written
    assertThat(String.join("\n", produced))
        .contains("[redacted]") // the echoed key was there, and was replaced
        .contains(VAR) // messages name the variable...
        .doesNotContain(key); // ...never its value
  }
}
