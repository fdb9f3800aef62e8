package dev.localexec.api.spi;

import java.time.Duration;

/**
 * Reaches a real model server for the plane. The plane wraps a backend in the guarded {@link
 * ModelChat} tasks use, so a backend does not check job policy; it must send a token bound with
 * every request, never write its API key anywhere, and honour the timeout.
 *
 * <p>Implementations are thread-safe.
 */
public interface ModelBackend extends AutoCloseable {

  /** A short name recorded in run headers, e.g. {@code vllm}. */
  String name();

  /**
   * The API base URL recorded in run headers (no credentials), e.g. {@code
   * http://127.0.0.1:8001/v1}.
   */
  String apiBase();

  /** The served model's name, e.g. {@code local-exec-coordinator}. */
  String modelName();

  /**
   * Sends one chat request; blocks until the whole answer has arrived.
   *
   * @param request the request
   * @param timeout the longest the call may take, queueing included
   * @throws dev.localexec.api.ModelCallException if it fails
   */
  ChatReply chat(ChatRequest request, Duration timeout);

  /** Releases what the backend holds. Never throws. */
  @Override
  void close();
}
