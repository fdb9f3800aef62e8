package dev.localexec.vllm;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A scripted vLLM stand-in on the JDK's HTTP server: replies to each path in order (the last one
 * repeats), serves SSE bodies event by event, and records every request.
 */
final class ReplayServer implements AutoCloseable {

  /** A request as the server saw it. */
  record Recorded(String method, String path, Headers headers, String body) {
    String header(String name) {
      return headers.getFirst(name);
    }
  }

  /**
   * A scripted reply.
   *
   * @param status the HTTP status
   * @param contentType the content type, or null
   * @param body the body
   * @param delayMillis how long to wait before the headers
   * @param eventDelayMillis how long to wait between SSE events
   */
  record Reply(
      int status, String contentType, String body, long delayMillis, long eventDelayMillis) {
    static Reply json(int status, String body) {
      return new Reply(status, "application/json", body, 0, 0);
    }

    static Reply sse(String body) {
      return new Reply(200, "text/event-stream; charset=utf-8", body, 0, 0);
    }

    static Reply empty(int status) {
      return new Reply(status, null, "", 0, 0);
    }

    Reply delayed(long millis) {
      return new Reply(status, contentType, body, millis, eventDelayMillis);
    }

    Reply eventsEvery(long millis) {
      return new Reply(status, contentType, body, delayMillis, millis);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, List<Reply>> script = new ConcurrentHashMap<>();
  private final Map<String, Integer> served = new ConcurrentHashMap<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();

  ReplayServer() {
    this(0);
  }

  ReplayServer(int port) {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The text of a fixture under {@code fixtures/vllm/<era>/}. */
  static String fixture(String era, String name) {
    String path = "/fixtures/vllm/" + era + "/" + name;
    try (InputStream in = ReplayServer.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Scripts the replies to a path (e.g. {@code /v1/chat/completions}), in order. */
  ReplayServer on(String path, Reply... replies) {
    script.put(path, List.of(replies));
    served.put(path, 0);
    return this;
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port() + "/v1");
  }

  int port() {
    return server.getAddress().getPort();
  }

  List<Recorded> requests() {
    return new ArrayList<>(requests);
  }

  long count(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).count();
  }

  Recorded last(String path) {
    List<Recorded> matching = requests.stream().filter(r -> r.path().equals(path)).toList();
    if (matching.isEmpty()) {
      throw new AssertionError("no request to " + path + "; got " + requests);
    }
    return matching.get(matching.size() - 1);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(new Recorded(ex.getRequestMethod(), path, ex.getRequestHeaders(), body));
    List<Reply> replies = script.get(path);
    Reply reply;
    if (replies == null) {
      reply = Reply.json(404, "{\"detail\":\"Not Found\"}");
    } else {
      int n = served.merge(path, 1, Integer::sum) - 1;
      reply = replies.get(Math.min(n, replies.size() - 1));
    }
    try (ex) {
      sleep(reply.delayMillis());
      if (reply.contentType() != null) {
        ex.getResponseHeaders().add("Content-Type", reply.contentType());
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      boolean sse = reply.contentType() != null && reply.contentType().startsWith("text/event");
      if (!sse) {
        ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
          ex.getResponseBody().write(bytes);
        }
        return;
      }
      ex.sendResponseHeaders(reply.status(), 0);
      OutputStream out = ex.getResponseBody();
      for (String event : reply.body().split("(?<=\n\n)")) {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
        sleep(reply.eventDelayMillis());
      }
    } catch (IOException e) {
      // the client went away (a timeout test); nothing to do
    }
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
