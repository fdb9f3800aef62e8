package dev.localexec.vllm;

import dev.localexec.api.ModelCallException.Kind;
import dev.localexec.api.spi.ChatReply;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * A client for vLLM's OpenAI-compatible server on the JDK's {@link HttpClient}: chat completions,
 * whole or streamed (server-sent events), and a health report.
 *
 * <p>Every request carries the model and a token bound. The API key, when one is configured, goes
 * only into the {@code Authorization} header: never into a log line, an exception message or {@link
 * #toString()}. A connection that is refused (vLLM refuses connections while it loads the model)
 * and a 5xx answer are retried with exponential backoff, a bounded number of times and never past
 * the call's deadline; a 4xx answer, a timeout and an error in the middle of a stream are never
 * retried. Failures are {@link VllmException}s classified by {@link Kind}.
 *
 * <p>Thread-safe; calls block the calling thread until the answer is complete or the deadline
 * passes.
 */
public final class VllmClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VllmClient.class);
  private static final long MAX_BODY_CHARS = 16L * 1024 * 1024;
  private static final Object END = new Object();

  private final URI baseUrl;
  private final URI serverRoot;
  private final String model;
  private final String apiKey;
  private final String apiKeyEnv;
  private final Duration requestTimeout;
  private final Duration healthTimeout;
  private final int maxAttempts;
  private final Duration firstBackoff;
  private final Duration maxBackoff;
  private final int expectedMaxModelLen;
  private final Clock clock;
  private final HttpClient http;

  private VllmClient(Builder b) {
    this.baseUrl = b.baseUrl;
    this.serverRoot = URI.create(b.baseUrl.getScheme() + "://" + b.baseUrl.getRawAuthority());
    this.model = b.model;
    this.apiKey = b.apiKey;
    this.apiKeyEnv = b.apiKeyEnv;
    this.requestTimeout = b.requestTimeout;
    this.healthTimeout = b.healthTimeout;
    this.maxAttempts = b.maxAttempts;
    this.firstBackoff = b.firstBackoff;
    this.maxBackoff = b.maxBackoff;
    this.expectedMaxModelLen = b.expectedMaxModelLen;
    this.clock = b.clock;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(b.connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** A builder for a client of the server at {@code baseUrl} (e.g. {@code .../v1}). */
  public static Builder builder(URI baseUrl) {
    return new Builder(baseUrl);
  }

  /**
   * A client for a configuration: its base URL and model, the API key from the variable {@code
   * serve.api_key_env} names in {@code env}, and its context length to check in {@link #health()}.
   */
  public static VllmClient create(VllmConfig config, Map<String, String> env) {
    return builder(config.openaiCompat().baseUrl())
        .model(config.openaiCompat().model())
        .apiKey(config.apiKey(env).orElse(null), config.serve().apiKeyEnv())
        .expectedMaxModelLen(config.serve().maxModelLen())
        .build();
  }

  /** The API base, e.g. {@code http://127.0.0.1:8001/v1}. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** Where {@code /health} and {@code /version} live: the base URL's scheme and authority. */
  public URI serverRoot() {
    return serverRoot;
  }

  /** The model asked when a request names none. */
  public String model() {
    return model;
  }

  /** Whether an API key will be sent. */
  public boolean sendsApiKey() {
    return apiKey != null;
  }

  /** Sends a chat request and waits for the whole answer, within the default request timeout. */
  public ChatReply chat(VllmChatRequest request) {
    return chat(request, requestTimeout);
  }

  /**
   * Sends a chat request ({@code stream:false}) and waits for the whole answer.
   *
   * @param timeout the longest the call may take, queueing and retries included
   * @throws VllmException if it fails
   */
  public ChatReply chat(VllmChatRequest request, Duration timeout) {
    return send(request, timeout, null);
  }

  /** Streams a chat answer within the default request timeout. */
  public ChatReply chatStream(VllmChatRequest request, VllmStreamListener listener) {
    return chatStream(request, listener, requestTimeout);
  }

  /**
   * Sends a chat request with {@code stream:true}, gives the pieces to {@code listener} as they
   * arrive, and returns the assembled answer once {@code data: [DONE]} arrives. An error event in
   * the stream fails the call with {@link Kind#STREAM_ERROR}, as does a stream that ends without
   * {@code [DONE]}; neither is ever returned as a (partial) answer.
   *
   * @param timeout the longest the call may take, queueing and retries included
   * @throws VllmException if it fails
   */
  public ChatReply chatStream(
      VllmChatRequest request, VllmStreamListener listener, Duration timeout) {
    return send(request, timeout, Objects.requireNonNull(listener, "listener"));
  }

  private ChatReply send(VllmChatRequest request, Duration timeout, VllmStreamListener listener) {
    Objects.requireNonNull(request, "request");
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    String m = request.model() == null ? model : request.model();
    boolean stream = listener != null;
    String body = WireFormat.requestBody(request, m, stream);
    WireFormat.CallContext ctx = context("/chat/completions", m, request.maxTokens());
    long start = clock.millis();
    long deadline = start + timeout.toMillis();
    LOG.debug(
        "vLLM chat: url={} model={} max_tokens={} stream={}",
        baseUrl,
        m,
        request.maxTokens(),
        stream);
    WireFormat.StreamAssembler sse = stream ? new WireFormat.StreamAssembler(ctx, listener) : null;
    Response r =
        call(
            () ->
                request(baseUrl + "/chat/completions", true)
                    .header("Content-Type", "application/json")
                    .header("Accept", stream ? "text/event-stream" : "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)),
            deadline,
            sse,
            ctx,
            timeout);
    Duration latency = Duration.ofMillis(Math.max(0, clock.millis() - start));
    if (r.status() != 200) {
      throw WireFormat.httpError(r.status(), r.body(), r.attempts(), ctx);
    }
    if (sse != null && r.streamed()) {
      ChatReply reply = sse.reply(latency);
      LOG.debug("vLLM chat done: finish_reason={} latency={}", reply.finishReason(), latency);
      return reply;
    }
    ChatReply reply = WireFormat.parseCompletion(r.body(), r.status(), latency, ctx);
    LOG.debug("vLLM chat done: finish_reason={} latency={}", reply.finishReason(), latency);
    return reply;
  }

  /**
   * Reports on the server: {@code /health} (retried while the connection is refused or it answers
   * 503, within the retry bound), then the served models and their context lengths from {@code
   * /v1/models}, and {@code /version}. Never throws for a server that is down: the report says so.
   */
  public VllmHealth health() {
    WireFormat.CallContext ctx = context("/health", model, 0);
    long deadline = clock.millis() + retryWindow().toMillis() + healthTimeout.toMillis();
    Response h;
    try {
      h =
          call(
              () -> request(serverRoot + "/health", false).GET(),
              deadline,
              null,
              ctx,
              healthTimeout);
    } catch (VllmException e) {
      return report(0, "", List.of(), maxAttempts, e.getMessage());
    }
    if (h.status() != 200) {
      String problem =
          h.status() >= 500
              ? "/health at "
                  + serverRoot
                  + " answered "
                  + h.status()
                  + " after "
                  + h.attempts()
                  + " attempts: the engine is not ready or has died; see the server's log"
              : "/health at "
                  + serverRoot
                  + " answered "
                  + h.status()
                  + "; is this a vLLM server? check openai_compat.base_url";
      return report(h.status(), version(), List.of(), h.attempts(), problem);
    }
    List<VllmHealth.ServedModel> models = new ArrayList<>();
    String problem = "";
    WireFormat.CallContext mctx = context("/models", model, 0);
    try {
      Response r =
          call(
              () -> request(baseUrl + "/models", true).GET(),
              clock.millis() + healthTimeout.toMillis(),
              null,
              mctx,
              healthTimeout);
      if (r.status() != 200) {
        problem = WireFormat.httpError(r.status(), r.body(), r.attempts(), mctx).getMessage();
      } else {
        JsonNode root = WireFormat.readOrNull(r.body());
        JsonNode data = root == null ? null : root.get("data");
        if (data == null || !data.isArray()) {
          problem =
              "/v1/models at "
                  + baseUrl
                  + " did not list models: "
                  + WireFormat.snippet(r.body(), mctx);
        } else {
          for (JsonNode d : data) {
            models.add(
                new VllmHealth.ServedModel(
                    WireFormat.text(d.get("id")),
                    WireFormat.count(d, "max_model_len"),
                    WireFormat.text(d.get("root"))));
          }
        }
      }
    } catch (VllmException e) {
      problem = e.getMessage();
    }
    if (problem.isEmpty()) {
      problem = modelProblem(models);
    }
    return report(200, version(), models, h.attempts(), problem);
  }

  private String modelProblem(List<VllmHealth.ServedModel> models) {
    VllmHealth.ServedModel found =
        models.stream().filter(m -> m.id().equals(model)).findFirst().orElse(null);
    if (found == null) {
      return "model '"
          + model
          + "' is not served at "
          + baseUrl
          + "; it serves "
          + models.stream().map(VllmHealth.ServedModel::id).toList()
          + ": start vllm serve with --served-model-name "
          + model
          + " or fix openai_compat.model";
    }
    if (expectedMaxModelLen > 0
        && found.maxModelLen() > 0
        && found.maxModelLen() != expectedMaxModelLen) {
      return "model '"
          + model
          + "' has max_model_len "
          + found.maxModelLen()
          + " but serve.max_model_len is "
          + expectedMaxModelLen
          + "; restart vllm serve with --max-model-len "
          + expectedMaxModelLen
          + " or fix the file";
    }
    return "";
  }

  private VllmHealth report(
      int status, String version, List<VllmHealth.ServedModel> models, int attempts, String p) {
    return new VllmHealth(
        baseUrl.toString(), status, version, models, model, expectedMaxModelLen, attempts, p);
  }

  /** {@code /version}'s version, or {@code ""}; asked once, failures ignored. */
  private String version() {
    try {
      HttpResponse<String> r =
          http.send(
              request(serverRoot + "/version", false).timeout(healthTimeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return "";
      }
      JsonNode n = WireFormat.readOrNull(r.body());
      return n == null ? "" : WireFormat.text(n.get("version"));
    } catch (java.io.IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private HttpRequest.Builder request(String url, boolean auth) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    b.header("User-Agent", "local-exec-vllm");
    if (auth && apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b;
  }

  private WireFormat.CallContext context(String path, String m, int maxTokens) {
    String key = apiKey;
    return new WireFormat.CallContext(
        baseUrl.toString(),
        path,
        m,
        maxTokens,
        apiKeyEnv,
        key != null,
        s -> key == null || s == null ? s : s.replace(key, "[redacted]"));
  }

  /** The total backoff time a call can spend between its attempts. */
  Duration retryWindow() {
    long total = 0;
    long b = firstBackoff.toMillis();
    for (int i = 1; i < maxAttempts; i++) {
      total += b;
      b = Math.min(b * 2, maxBackoff.toMillis());
    }
    return Duration.ofMillis(total);
  }

  /** What one HTTP exchange produced. */
  private record Response(int status, String body, boolean streamed, int attempts) {}

  /** Supplies a fresh request builder for each attempt. */
  @FunctionalInterface
  private interface RequestFactory {
    HttpRequest.Builder create();
  }

  /** The connection could not be made: worth another attempt. */
  private static final class ConnectFailed extends Exception {
    private static final long serialVersionUID = 1L;

    ConnectFailed(Throwable cause) {
      super(cause);
    }
  }

  /**
   * Runs exchanges until one answers with something other than a 5xx, retrying refused connections
   * and 5xx answers (501 excepted) with exponential backoff within {@code maxAttempts} and the
   * deadline. Each attempt may take up to {@code timeout}, never past the deadline.
   */
  private Response call(
      RequestFactory factory,
      long deadline,
      WireFormat.StreamAssembler sse,
      WireFormat.CallContext ctx,
      Duration timeout) {
    long start = clock.millis();
    long backoff = firstBackoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      String why;
      Response r = null;
      Throwable cause = null;
      try {
        long attemptDeadline = Math.min(deadline, clock.millis() + timeout.toMillis());
        r = once(factory, attemptDeadline, sse, ctx, timeout, attempt);
        if (r.status() < 500 || r.status() == 501) {
          return r;
        }
        why = "HTTP " + r.status();
      } catch (ConnectFailed e) {
        cause = e.getCause();
        why = describe(cause);
      }
      long now = clock.millis();
      if (attempt >= maxAttempts || now + backoff >= deadline) {
        if (r != null) {
          return r;
        }
        String over = String.format(Locale.ROOT, "%.1f", (now - start) / 1000.0);
        throw new VllmException(
            Kind.UNAVAILABLE,
            0,
            "could not connect to "
                + ctx.baseUrl()
                + " after "
                + attempt
                + (attempt == 1 ? " attempt" : " attempts")
                + " over "
                + over
                + " s ("
                + why
                + "); is `vllm serve` running? It refuses connections until the model has"
                + " loaded, which can take minutes: check `local-exec vllm health`",
            cause);
      }
      LOG.info(
          "vLLM at {} not ready (attempt {}/{}: {}); retrying in {} ms",
          ctx.baseUrl(),
          attempt,
          maxAttempts,
          why,
          backoff);
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new VllmException(
            Kind.UNAVAILABLE, 0, "interrupted while waiting to retry " + ctx.baseUrl(), e);
      }
      backoff = Math.min(backoff * 2, maxBackoff.toMillis());
    }
  }

  private static String describe(Throwable t) {
    String name = t.getClass().getSimpleName();
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof HttpConnectTimeoutException) {
      return "connect timed out";
    }
    return t.getMessage() == null ? name : name + ": " + t.getMessage();
  }

  /** One HTTP exchange, reading the body line by line so that the deadline holds throughout. */
  private Response once(
      RequestFactory factory,
      long deadline,
      WireFormat.StreamAssembler sse,
      WireFormat.CallContext ctx,
      Duration timeout,
      int attempt)
      throws ConnectFailed {
    long remaining = deadline - clock.millis();
    if (remaining <= 0) {
      throw timedOut(ctx, timeout, null);
    }
    HttpRequest req = factory.create().timeout(Duration.ofMillis(remaining)).build();
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    LineSubscriber lines = new LineSubscriber(queue);
    CompletableFuture<HttpResponse<Void>> future =
        http.sendAsync(
            req,
            info -> {
              String type = info.headers().firstValue("Content-Type").orElse("");
              queue.add(new Status(info.statusCode(), type));
              return HttpResponse.BodySubscribers.fromLineSubscriber(lines);
            });
    future.whenComplete(
        (r, t) -> {
          if (t != null) {
            queue.add(new Failure(t));
          }
        });
    int status = -1;
    boolean streaming = false;
    long chars = 0;
    StringBuilder body = new StringBuilder();
    try {
      while (true) {
        long wait = deadline - clock.millis();
        Object event = wait <= 0 ? null : queue.poll(wait, TimeUnit.MILLISECONDS);
        if (event == null) {
          throw timedOut(ctx, timeout, null);
        }
        if (event instanceof Status s) {
          status = s.code();
          streaming =
              sse != null
                  && status == 200
                  && s.contentType().toLowerCase(Locale.ROOT).startsWith("text/event-stream");
          continue;
        }
        if (event instanceof Failure f) {
          Throwable t = unwrap(f.cause());
          if (status < 0) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
              throw new ConnectFailed(t);
            }
            if (t instanceof HttpTimeoutException) {
              throw timedOut(ctx, timeout, t);
            }
            throw new VllmException(
                Kind.UNAVAILABLE,
                0,
                "the connection to " + ctx.baseUrl() + " failed (" + describe(t) + ")",
                t);
          }
          if (streaming) {
            throw new VllmException(
                Kind.STREAM_ERROR,
                status,
                "the stream from "
                    + ctx.baseUrl()
                    + " broke after "
                    + sse.events()
                    + " events ("
                    + describe(t)
                    + "); the partial answer is discarded, ask again",
                t);
          }
          throw new VllmException(
              Kind.UNAVAILABLE,
              status,
              "the connection to "
                  + ctx.baseUrl()
                  + " broke while reading the answer ("
                  + describe(t)
                  + ")",
              t);
        }
        if (event == END) {
          if (streaming && !sse.done()) {
            throw new VllmException(
                Kind.STREAM_ERROR,
                status,
                "the stream from "
                    + ctx.baseUrl()
                    + " ended before data: [DONE] after "
                    + sse.events()
                    + " events; the server may have stopped: the partial answer is discarded,"
                    + " ask again",
                null);
          }
          return new Response(status, body.toString(), streaming, attempt);
        }
        String line = (String) event;
        chars += line.length() + 1;
        if (chars > MAX_BODY_CHARS) {
          throw new VllmException(
              Kind.BAD_RESPONSE,
              status,
              "the answer from " + ctx.baseUrl() + " exceeds " + MAX_BODY_CHARS + " characters",
              null);
        }
        if (streaming) {
          if (sse.line(line)) {
            return new Response(status, "", true, attempt);
          }
        } else {
          body.append(line).append('\n');
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VllmException(Kind.TIMEOUT, 0, "interrupted while waiting for " + ctx.baseUrl(), e);
    } finally {
      lines.cancel();
      future.cancel(true);
    }
  }

  private static VllmException timedOut(
      WireFormat.CallContext ctx, Duration timeout, Throwable cause) {
    return new VllmException(
        Kind.TIMEOUT,
        0,
        "no complete answer from "
            + ctx.baseUrl()
            + " within "
            + timeout.toMillis()
            + " ms; vLLM queues requests beyond --max-num-seqs, so a busy server answers late:"
            + " allow more time or send fewer requests at once",
        cause);
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private record Status(int code, String contentType) {}

  private record Failure(Throwable cause) {}

  /** Puts body lines, the end and failures on a queue the calling thread drains. */
  private static final class LineSubscriber implements Flow.Subscriber<String> {
    private final BlockingQueue<Object> queue;
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    private volatile boolean cancelled;

    LineSubscriber(BlockingQueue<Object> queue) {
      this.queue = queue;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription.set(s);
      if (cancelled) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(String line) {
      queue.add(line);
    }

    @Override
    public void onError(Throwable t) {
      queue.add(new Failure(t));
    }

    @Override
    public void onComplete() {
      queue.add(END);
    }

    void cancel() {
      cancelled = true;
      Flow.Subscription s = subscription.get();
      if (s != null) {
        s.cancel();
      }
    }
  }

  /** Nothing to release: the JDK's client frees its threads when unreferenced. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "VllmClient{baseUrl="
        + baseUrl
        + ", model="
        + model
        + ", apiKey="
        + (apiKey == null ? "none" : "set from $" + apiKeyEnv)
        + "}";
  }

  /** Builds a {@link VllmClient}; not thread-safe. */
  public static final class Builder {
    private final URI baseUrl;
    private String model = "local-exec-coordinator";
    private String apiKey;
    private String apiKeyEnv = "";
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofMinutes(5);
    private Duration healthTimeout = Duration.ofSeconds(10);
    private int maxAttempts = 6;
    private Duration firstBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(8);
    private int expectedMaxModelLen;
    private Clock clock = Clock.systemUTC();

    private Builder(URI baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      String s = baseUrl.toString();
      while (s.endsWith("/")) {
        s = s.substring(0, s.length() - 1);
      }
      URI u = URI.create(s);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
        throw new IllegalArgumentException(
            "baseUrl must be an http(s) URL with a host, like http://127.0.0.1:8001/v1; got "
                + u.getScheme()
                + " URL");
      }
      if (u.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "baseUrl must not hold credentials; pass the key with apiKey(...)");
      }
      this.baseUrl = u;
    }

    /** The model asked when a request names none (default {@code local-exec-coordinator}). */
    public Builder model(String model) {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      this.model = model;
      return this;
    }

    /**
     * The API key sent as {@code Authorization: Bearer}; {@code null} or blank for none.
     *
     * @param envName the variable it came from, named in messages (never the key), or {@code ""}
     */
    public Builder apiKey(String key, String envName) {
      this.apiKey = key == null || key.isBlank() ? null : key.strip();
      this.apiKeyEnv = envName == null ? "" : envName;
      return this;
    }

    /** How long a connection may take to open (default 5 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * The default time a chat call may take, queueing, generation and retries included (default 5
     * min: vLLM queues requests beyond {@code --max-num-seqs} instead of refusing them).
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /** The time each {@code /health}, {@code /v1/models} and {@code /version} request may take. */
    public Builder healthTimeout(Duration timeout) {
      this.healthTimeout = positive(timeout, "healthTimeout");
      return this;
    }

    /**
     * The retry bound: at most {@code maxAttempts} attempts, waiting {@code firstBackoff} after the
     * first failure and doubling up to {@code maxBackoff} (default 6 attempts, 0.5 s to 8 s, 15.5 s
     * of waiting in all).
     */
    public Builder retries(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      this.firstBackoff = positive(firstBackoff, "firstBackoff");
      this.maxBackoff = positive(maxBackoff, "maxBackoff");
      return this;
    }

    /** The context length {@link VllmClient#health()} expects; 0 (default) for any. */
    public Builder expectedMaxModelLen(int tokens) {
      this.expectedMaxModelLen = Math.max(0, tokens);
      return this;
    }

    /** The clock for deadlines and latencies (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the client. */
    public VllmClient build() {
      return new VllmClient(this);
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }
  }
}
