package dev.localexec.tasks.testing;

import dev.localexec.api.spi.ChatReply;
import dev.localexec.api.spi.ChatRequest;
import dev.localexec.api.spi.ModelBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A model backend answering from a function; remembers every request. */
public final class FakeModelBackend implements ModelBackend {
  private final Function<ChatRequest, String> answer;
  private final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

  /** Answers each request with {@code answer}'s text (which may throw). */
  public FakeModelBackend(Function<ChatRequest, String> answer) {
    this.answer = answer;
  }

  /** Every request, in order. */
  public List<ChatRequest> requests() {
    return List.copyOf(requests);
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public String apiBase() {
    return "http://127.0.0.1:9/v1";
  }

  @Override
  public String modelName() {
    return "local-exec-coordinator";
  }

  @Override
  public ChatReply chat(ChatRequest request, Duration timeout) {
    requests.add(request);
    String text = answer.apply(request);
    return new ChatReply(
        "local-exec-coordinator", text, "", "stop", 100, 10, List.of(), Duration.ofMillis(3));
  }

  @Override
  public void close() {}
}
