package dev.localexec.core.plane;

import dev.localexec.core.sandbox.Sandbox;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link LocalExecPlane#health()} found: the kill switch, the sandbox, the resource limits,
 * the tool and model backends, whether the plane's folders are writable, the ledger, the jobs by
 * state, the task types and the problems. {@link #toMap()} is the JSON line {@code health} prints.
 * Immutable.
 */
public final class HealthReport {
  private final boolean killSwitch;
  private final Sandbox sandbox;
  private final Map<String, Object> resourceLimits;
  private final Map<String, Object> tools;
  private final Map<String, Object> model;
  private final String repoRoot;
  private final boolean stateDirWritable;
  private final boolean evidenceDirWritable;
  private final Map<String, Object> ledger;
  private final JobCounts jobs;
  private final List<String> taskTypes;
  private final List<String> problems;

  /**
   * The parts in the order they are printed.
   *
   * @param ledger the ledger's facts, printed as they are: for a file ledger {@code ledger}, {@code
   *     ledger_bytes}, {@code ledger_events}, {@code last_event}; for another queue {@code queue}
   *     and the queue's own facts
   */
  HealthReport(
      boolean killSwitch,
      Sandbox sandbox,
      Map<String, Object> resourceLimits,
      Map<String, Object> tools,
      Map<String, Object> model,
      String repoRoot,
      boolean stateDirWritable,
      boolean evidenceDirWritable,
      Map<String, Object> ledger,
      JobCounts jobs,
      List<String> taskTypes,
      List<String> problems) {
    this.killSwitch = killSwitch;
    this.sandbox = sandbox;
    this.resourceLimits = frozen(resourceLimits);
    this.tools = tools == null ? null : frozen(tools);
    this.model = model == null ? null : frozen(model);
    this.repoRoot = repoRoot;
    this.stateDirWritable = stateDirWritable;
    this.evidenceDirWritable = evidenceDirWritable;
    this.ledger = frozen(ledger);
    this.jobs = jobs;
    this.taskTypes = List.copyOf(taskTypes);
    this.problems = List.copyOf(problems);
  }

  private static Map<String, Object> frozen(Map<String, Object> m) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /** Whether nothing is wrong: no {@link #problems()}. */
  public boolean ok() {
    return problems.isEmpty();
  }

  /** Whether the kill switch is on (a problem too). */
  public boolean killSwitch() {
    return killSwitch;
  }

  /** The sandbox the plane's jobs run in. */
  public Sandbox sandbox() {
    return sandbox;
  }

  /**
   * The resource limits: the host's cgroups, whether rlimits can be set, the operator's defaults,
   * ceilings and tmpfs size, and how a job asking for nothing is held.
   */
  public Map<String, Object> resourceLimits() {
    return resourceLimits;
  }

  /**
   * The tool backend: {@code backend} and {@code enabled_tools} (or {@code error} when its
   * configuration is invalid); empty when the plane has none.
   */
  public Optional<Map<String, Object>> tools() {
    return Optional.ofNullable(tools);
  }

  /** The model backend: {@code backend}, {@code api_base}, {@code model_name}; empty when off. */
  public Optional<Map<String, Object>> model() {
    return Optional.ofNullable(model);
  }

  /** The plane's root. */
  public String repoRoot() {
    return repoRoot;
  }

  /** Whether the state folder can be written. */
  public boolean stateDirWritable() {
    return stateDirWritable;
  }

  /** Whether the evidence folder can be written. */
  public boolean evidenceDirWritable() {
    return evidenceDirWritable;
  }

  /** The number of events in the ledger (its complete lines), when the queue reports it. */
  public OptionalLong ledgerEvents() {
    return ledger.get("ledger_events") instanceof Number n
        ? OptionalLong.of(n.longValue())
        : OptionalLong.empty();
  }

  /** The ledger's last event, when there is one and the queue reports it. */
  public Optional<LastEvent> lastEvent() {
    return ledger.get("last_event") instanceof Map<?, ?> m
        ? Optional.of(new LastEvent(text(m.get("ts_utc")), text(m.get("event"))))
        : Optional.empty();
  }

  private static String text(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  /** The jobs by state. */
  public JobCounts jobs() {
    return jobs;
  }

  /** The task types the plane can run. */
  public List<String> taskTypes() {
    return taskTypes;
  }

  /** What is wrong, for people; empty when {@link #ok()}. */
  public List<String> problems() {
    return problems;
  }

  /**
   * The report as {@code health} prints it: {@code kill_switch}, {@code sandbox}, {@code
   * resource_limits}, {@code tools} ({@code "none"} without a backend), {@code model} ({@code
   * "off"} without one), {@code repo_root}, {@code state_dir_writable}, {@code
   * evidence_dir_writable}, the ledger's facts, {@code jobs}, {@code task_types}, {@code ok},
   * {@code problems}. A new map each call, which the caller may extend.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("kill_switch", killSwitch);
    h.put("sandbox", sandbox.toMap());
    h.put("resource_limits", resourceLimits);
    h.put("tools", tools == null ? "none" : tools);
    h.put("model", model == null ? "off" : model);
    h.put("repo_root", repoRoot);
    h.put("state_dir_writable", stateDirWritable);
    h.put("evidence_dir_writable", evidenceDirWritable);
    h.putAll(ledger);
    h.put("jobs", jobs.toMap());
    h.put("task_types", taskTypes);
    h.put("ok", ok());
    h.put("problems", problems);
    return h;
  }

  /**
   * The ledger's last event.
   *
   * @param tsUtc its {@code ts_utc}, or {@code null} when it has none
   * @param event its {@code event}, or {@code null} when it has none
   */
  public record LastEvent(String tsUtc, String event) {}
}
