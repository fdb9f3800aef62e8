package dev.localexec.vllm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link VllmClient#health()} found: {@code /health}'s status, the served models with their
 * context lengths ({@code /v1/models}), and the server's version ({@code /version}).
 *
 * @param baseUrl the API base asked
 * @param healthStatus {@code /health}'s HTTP status (200 ready, 503 engine dead), or 0 when no
 *     connection could be made
 * @param version the server's version, or {@code ""} when it did not say
 * @param models the served models, empty when they could not be listed
 * @param expectedModel the model the configuration asks for
 * @param expectedMaxModelLen the context length the configuration expects, or 0 for any
 * @param attempts how many times {@code /health} was asked
 * @param problem what is wrong and what to do, or {@code ""} when the server is ready
 */
public record VllmHealth(
    String baseUrl,
    int healthStatus,
    String version,
    List<ServedModel> models,
    String expectedModel,
    int expectedMaxModelLen,
    int attempts,
    String problem) {

  /**
   * A model the server serves.
   *
   * @param id the served name
   * @param maxModelLen its context length, or -1 when not listed
   * @param root the weights it was loaded from, or {@code ""}
   */
  public record ServedModel(String id, int maxModelLen, String root) {

    /** Normalises. */
    public ServedModel {
      id = id == null ? "" : id;
      root = root == null ? "" : root;
    }
  }

  /** Copies and normalises. */
  public VllmHealth {
    version = version == null ? "" : version;
    models = models == null ? List.of() : List.copyOf(models);
    problem = problem == null ? "" : problem;
  }

  /** Whether {@code /health} answered 200. */
  public boolean healthy() {
    return healthStatus == 200;
  }

  /** The expected model among the served ones, if it is served. */
  public Optional<ServedModel> expected() {
    return models.stream().filter(m -> m.id().equals(expectedModel)).findFirst();
  }

  /** Whether the server is healthy, serves the expected model, and nothing is wrong. */
  public boolean ready() {
    return healthy() && expected().isPresent() && problem.isEmpty();
  }

  /** {@code ok}, {@code not_ready} (answers but is not usable) or {@code unreachable}. */
  public String status() {
    return ready() ? "ok" : healthStatus == 0 ? "unreachable" : "not_ready";
  }

  /**
   * The report as ordered JSON-ready values (strings, numbers, booleans, lists), for a command line
   * to print: {@code status}, {@code base_url}, {@code health_status}, {@code version}, {@code
   * model}, {@code model_served}, {@code max_model_len}, {@code served_models}, {@code problem}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status());
    m.put("base_url", baseUrl);
    m.put("health_status", healthStatus);
    m.put("version", version);
    m.put("model", expectedModel);
    m.put("model_served", expected().isPresent());
    m.put("max_model_len", expected().map(ServedModel::maxModelLen).orElse(-1));
    m.put("served_models", models.stream().map(ServedModel::id).toList());
    m.put("problem", problem);
    return m;
  }
}
