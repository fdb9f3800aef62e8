package dev.localexec.vllm;

import static dev.localexec.vllm.ReplayServer.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.ModelCallException.Kind;
import dev.localexec.api.spi.ChatMessage;
import dev.localexec.vllm.ReplayServer.Reply;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Start-up retries, their bound, and timeouts. */
class VllmClientRetryTest {
  static final String CHAT = "/v1/chat/completions";
  static final VllmChatRequest REQUEST =
      VllmChatRequest.builder(List.of(ChatMessage.user("ping")), 16).build();

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Test
  void connectionRefused_retriedWithinTheBound_thenUnavailable() throws IOException {
    int port = freePort(); // nothing listens there any more
    VllmClient client =
        VllmClient.builder(java.net.URI.create("http://127.0.0.1:" + port + "/v1"))
            .retries(3, Duration.ofMillis(100), Duration.ofMillis(200))
            .build();
    long t0 = System.nanoTime();

    VllmException e = catchThrowableOfType(VllmException.class, () -> client.chat(REQUEST));

    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(e.httpStatus()).isZero();
    assertThat(e.retryable()).isTrue();
    assertThat(e.getCause()).isInstanceOf(ConnectException.class);
    assertThat(e.getMessage())
        .matches(
            "could not connect to http://127\\.0\\.0\\.1:"
                + port
                + "/v1 after 3 attempts over \\d+\\.\\d s \\(connection refused\\); is `vllm"
                + " serve` running\\? It refuses connections until the model has loaded, which"
                + " can take minutes: check `local-exec vllm health`");
    assertThat(millis).isBetween(300L, 3_000L); // waited 100 + 200 ms between the 3 attempts
  }

  @Test
  void serverListeningLate_succeedsWithinTheBound() throws Exception {
    int port = freePort();
    AtomicReference<ReplayServer> late = new AtomicReference<>();
    CompletableFuture<Void> starting =
        CompletableFuture.runAsync(
            () -> {
              try {
                Thread.sleep(300);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              ReplayServer s = new ReplayServer(port);
              s.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")));
              late.set(s);
            });
    VllmClient client =
        VllmClient.builder(java.net.URI.create("http://127.0.0.1:" + port + "/v1"))
            .retries(10, Duration.ofMillis(100), Duration.ofMillis(200))
            .build();
    try {
      assertThat(client.chat(REQUEST).content()).isEqualTo("{\"status\": \"ok\"}");
      starting.get(5, TimeUnit.SECONDS);
      assertThat(late.get().count(CHAT)).isEqualTo(1);
    } finally {
      starting.get(5, TimeUnit.SECONDS);
      late.get().close();
    }
  }

  @Test
  void slowServer_timesOutWithoutRetrying() {
    try (ReplayServer server = new ReplayServer()) {
      server.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")).delayed(2_000));
      VllmClient client =
          VllmClient.builder(server.baseUrl())
              .retries(3, Duration.ofMillis(10), Duration.ofMillis(10))
              .build();
      long t0 = System.nanoTime();

      VllmException e =
          catchThrowableOfType(
              VllmException.class, () -> client.chat(REQUEST, Duration.ofMillis(300)));

      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1_500);
      assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
      assertThat(e.getMessage())
          .isEqualTo(
              "no complete answer from "
                  + server.baseUrl()
                  + " within 300 ms; vLLM queues requests beyond --max-num-seqs, so a busy"
                  + " server answers late: allow more time or send fewer requests at once");
      assertThat(server.count(CHAT)).isEqualTo(1);
    }
  }

  @Test
  void stalledStream_timesOut() {
    try (ReplayServer server = new ReplayServer()) {
      server.on(CHAT, Reply.sse(fixture("current", "chat-stream.sse")).eventsEvery(400));
      VllmClient client = VllmClient.builder(server.baseUrl()).build();

      VllmException e =
          catchThrowableOfType(
              VllmException.class,
              () ->
                  client.chatStream(
                      REQUEST, VllmStreamListener.ignoring(), Duration.ofMillis(600)));

      assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
    }
  }

  @Test
  void retryWindow_isTheSumOfTheBackoffs() {
    VllmClient client =
        VllmClient.builder(java.net.URI.create("http://127.0.0.1:1/v1"))
            .retries(6, Duration.ofMillis(500), Duration.ofSeconds(8))
            .build();

    assertThat(client.retryWindow()).isEqualTo(Duration.ofMillis(500 + 1000 + 2000 + 4000 + 8000));
  }
}
