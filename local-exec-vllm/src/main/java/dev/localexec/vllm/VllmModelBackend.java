package dev.localexec.vllm;

import dev.localexec.api.spi.ChatReply;
import dev.localexec.api.spi.ChatRequest;
import dev.localexec.api.spi.ModelBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The plane's model backend on a local vLLM server. Each {@link ChatRequest} goes out as a
 * non-streamed chat completion with the configured generation defaults ({@code temperature}, {@code
 * top_p}) and the request's token bound, or {@code generation.max_tokens} when it sets none; a
 * response schema goes out as {@code response_format} json_schema.
 *
 * <p>Thread-safe.
 */
public final class VllmModelBackend implements ModelBackend {

  private final VllmClient client;
  private final VllmConfig.Generation generation;

  /** A backend on {@code client}, with these generation defaults. */
  public VllmModelBackend(VllmClient client, VllmConfig.Generation generation) {
    this.client = Objects.requireNonNull(client, "client");
    this.generation = Objects.requireNonNull(generation, "generation");
  }

  /**
   * A backend for a configuration; the API key comes from the variable {@code serve.api_key_env}
   * names in {@code env} (an application passes {@code System.getenv()}).
   */
  public static VllmModelBackend create(VllmConfig config, Map<String, String> env) {
    return new VllmModelBackend(VllmClient.create(config, env), config.generation());
  }

  /**
   * A backend for the configuration at {@link VllmConfig#DEFAULT_LOCATION} under {@code root}.
   *
   * @throws VllmConfigException if the file is missing or invalid
   */
  public static VllmModelBackend fromRoot(Path root, Map<String, String> env) {
    return create(VllmConfig.loadFromRoot(root), env);
  }

  /** The client this backend sends through, e.g. for {@link VllmClient#health()}. */
  public VllmClient client() {
    return client;
  }

  @Override
  public String name() {
    return "vllm";
  }

  @Override
  public String apiBase() {
    return client.baseUrl().toString();
  }

  @Override
  public String modelName() {
    return client.model();
  }

  @Override
  public ChatReply chat(ChatRequest request, Duration timeout) {
    return client.chat(toVllm(request), timeout);
  }

  /** The request as sent: the request's bound or the configured one, and the defaults. */
  VllmChatRequest toVllm(ChatRequest request) {
    int maxTokens = request.maxTokens() != null ? request.maxTokens() : generation.maxTokens();
    VllmChatRequest.Builder b =
        VllmChatRequest.builder(request.messages(), maxTokens)
            .temperature(generation.temperature())
            .topP(generation.topP())
            .parallelToolCalls(generation.parallelToolCalls()); // sent only along with tools
    if (request.responseSchemaName() != null) {
      b.responseSchema(request.responseSchemaName(), request.responseSchemaJson());
    }
    return b.build();
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "VllmModelBackend{" + client + "}";
  }
}
