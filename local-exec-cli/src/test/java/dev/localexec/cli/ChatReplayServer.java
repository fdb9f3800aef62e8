package dev.localexec.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for vLLM's OpenAI-compatible server on 127.0.0.1: answers each chat completion with
 * the next scripted body (in vLLM's current shape), answers 401 {@code {"error":"Unauthorized"}}
 * when the bearer key is not the expected one, and keeps every request it got.
 */
final class ChatReplayServer implements AutoCloseable {
  /** One request: its path, its Authorization header (or null) and its body. */
  record Request(String path, String authorization, String body) {}

  private final HttpServer server;
  private final Deque<String> answers = new ArrayDeque<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final String expectedKey;

  ChatReplayServer(String expectedKey) throws IOException {
    this.expectedKey = expectedKey;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          String path = exchange.getRequestURI().getPath();
          requests.add(new Request(path, auth, body));
          int status;
          String reply;
          if (path.equals("/health")) {
            status = 200;
            reply = "";
          } else if (expectedKey != null && !("Bearer " + expectedKey).equals(auth)) {
            status = 401;
            reply = "{\"error\":\"Unauthorized\"}";
          } else if (path.equals("/v1/models")) {
            status = 200;
            reply =
                "{\"object\":\"list\",\"data\":[{\"id\":\"local-exec-coordinator\","
                    + "\"object\":\"model\",\"created\":1764000000,\"owned_by\":\"vllm\","
                    + "\"root\":\"/models/coordinator\",\"parent\":null,\"max_model_len\":8192,"
                    + "\"permission\":[]}]}";
          } else if (path.equals("/v1/chat/completions")) {
            String content;
            synchronized (answers) {
              content = answers.isEmpty() ? "" : answers.removeFirst();
            }
            status = 200;
            reply = completion(content);
          } else {
            status = 404;
            reply =
                "{\"error\":{\"message\":\"Not Found\",\"type\":\"NotFoundError\","
                    + "\"param\":null,\"code\":404}}";
          }
          byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
          try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
          }
        });
    server.start();
  }

  /** A chat completion in vLLM's current shape whose message content is {@code content}. */
  static String completion(String content) {
    return "{\"id\":\"chatcmpl-5f1c0e2a9d7b4c21\",\"object\":\"chat.completion\","
        + "\"created\":1764000000,\"model\":\"local-exec-coordinator\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":"
        + quote(content)
        + ",\"refusal\":null,\"annotations\":null,\"audio\":null,\"function_call\":null,"
        + "\"tool_calls\":[],\"reasoning\":null},\"logprobs\":null,\"finish_reason\":\"stop\","
        + "\"stop_reason\":null,\"token_ids\":null}],\"service_tier\":null,"
        + "\"system_fingerprint\":null,\"usage\":{\"prompt_tokens\":812,\"total_tokens\":903,"
        + "\"completion_tokens\":91,\"prompt_tokens_details\":null},\"prompt_logprobs\":null,"
        + "\"prompt_token_ids\":null,\"kv_transfer_params\":null}";
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** Queues the content of the next chat answer. */
  void answer(String content) {
    synchronized (answers) {
      answers.addLast(content);
    }
  }

  /** Every request so far. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The base URL clients use, {@code http://127.0.0.1:PORT/v1}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** The port. */
  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
