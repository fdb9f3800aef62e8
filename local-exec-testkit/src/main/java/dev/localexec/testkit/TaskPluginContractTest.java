package dev.localexec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.core.integrity.VerifyReport;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.worker.RunOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every task plug-in keeps, checked through a real {@link LocalExecPlane} in a
 * temporary repo root (Micrometer's compatibility kit, for task plug-ins). Extend it in the
 * plug-in's tests and supply a plug-in and two payloads:
 *
 * <pre>{@code
 * class WordCountTaskContractTest extends TaskPluginContractTest {
 *   protected TaskPlugin plugin() { return new WordCountTask(); }
 *   protected void prepareRoot(Path root) throws IOException {
 *     Files.writeString(root.resolve("a.txt"), "one two three");
 *   }
 *   protected Map<String, Object> validPayload() { return Map.of("paths", List.of("a.txt")); }
 *   protected Map<String, Object> invalidPayload() { return Map.of("paths", List.of()); }
 *   protected String tinyBudgetError() { return "max_output_bytes exceeded"; }
 * }
 * }</pre>
 *
 * <p>What it checks: the id and API version; the payload schema is JSON, a closed draft 2020-12
 * object schema, and compiles in the plane's validator; the valid payload is accepted and the job
 * completes with {@code claimed}, {@code run_header} and {@code complete} evidence and a summary;
 * the invalid payload is refused before it is queued with errors under {@code $.payload}; the kill
 * switch keeps a queued job from being claimed; a tiny budget fails the job with its {@code ...
 * exceeded} code, still with {@code failed} evidence and a summary; the plane's files verify; and,
 * unless {@link #discoverable()} says otherwise, {@link ServiceLoader} finds the plug-in.
 *
 * <p>Subprocesses run in the sandbox {@link SandboxMode#AUTO} chooses; on a machine where no
 * sandbox works the kit falls back to {@link SandboxMode#NONE} so the contract can be checked
 * anywhere. Each test gets its own root; keep the valid payload's job small so a plug-in's kit runs
 * in a couple of seconds.
 */
public abstract class TaskPluginContractTest {
  /** The pattern every plug-in id must match. */
  public static final Pattern ID = Pattern.compile("^[a-z][a-z0-9_]{0,63}$");

  /** The {@code $schema} a payload schema must declare. */
  public static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** The repo root of the current test (a fresh temporary folder). */
  @TempDir protected Path root;

  private int jobs;

  /** Creates a contract test. */
  protected TaskPluginContractTest() {}

  /** The plug-in under test; a new or shared instance, called several times per test. */
  protected abstract TaskPlugin plugin();

  /**
   * A payload that validates and whose job completes quickly in the root {@link #prepareRoot} made.
   */
  protected abstract Map<String, Object> validPayload();

  /** A payload the plug-in's schema refuses (a missing required field, a value out of range...). */
  protected abstract Map<String, Object> invalidPayload();

  /**
   * Creates the files the valid payload needs; called before each test with an empty root.
   *
   * @throws IOException to fail the test
   */
  protected void prepareRoot(Path root) throws IOException {}

  /** The budgets of the valid job; generous by default (60 s, 10 tool calls, 1 MiB, 1 slot). */
  protected Budget budget() {
    return Budget.of(60, 10, 1_048_576, 1);
  }

  /** The tool policy of the jobs; deny-all by default. */
  protected ToolPolicy toolPolicy() {
    return ToolPolicy.denyAll();
  }

  /**
   * The budgets of the tiny-budget check: by default no tool calls and the smallest output budget
   * ({@value Budget#MIN_OUTPUT_BYTES} bytes), the rest as {@link #budget()}.
   */
  protected Budget tinyBudget() {
    Budget b = budget();
    return Budget.of(b.maxWallTimeSec(), 0, Budget.MIN_OUTPUT_BYTES, b.maxConcurrencySlots());
  }

  /**
   * The error code the valid payload's job must fail with under {@link #tinyBudget()}, e.g. {@code
   * max_tool_calls exceeded} or {@code max_output_bytes exceeded}; {@code null} (the default) when
   * the valid payload fits the tiny budget: the job must then complete, its output files and
   * summary within {@code max_output_bytes}.
   */
  protected String tinyBudgetError() {
    return null;
  }

  /**
   * Whether {@link ServiceLoader} must find the plug-in's class through its class loader (a {@code
   * META-INF/services/dev.localexec.api.spi.TaskPlugin} entry); true by default.
   */
  protected boolean discoverable() {
    return true;
  }

  @BeforeEach
  void prepareTheRoot() throws IOException {
    prepareRoot(root);
  }

  @Test
  @DisplayName("the id matches ^[a-z][a-z0-9_]{0,63}$ and the API version is the plane's")
  void idAndApiVersion() {
    TaskPlugin p = plugin();
    assertThat(p.id()).as("id of %s", p.getClass().getName()).matches(ID);
    assertThat(p.apiVersion()).as("apiVersion").isEqualTo(TaskPlugin.API_VERSION);
  }

  @Test
  @DisplayName("the payload schema is a closed draft 2020-12 object schema the plane compiles")
  void payloadSchemaIsClosedAndCompiles() {
    TaskPlugin p = plugin();
    String text = p.payloadSchema();
    assertThat(text).as("payloadSchema()").isNotBlank();
    Object tree = Json.parse(text);
    assertThat(tree).as("payload schema of %s", p.id()).isInstanceOf(Map.class);
    Map<?, ?> schema = (Map<?, ?>) tree;
    assertThat(schema.get("$schema")).as("$schema").isEqualTo(DRAFT_2020_12);
    assertThat(schema.get("type")).as("type").isEqualTo("object");
    assertThat(schema.get("additionalProperties")).as("additionalProperties").isEqualTo(false);
    assertThat(schema.get("properties")).as("properties").isInstanceOf(Map.class);

    LocalExecPlane plane = plane();
    assertThat(plane.taskTypes()).contains(p.id());
    assertThat(plane.schemaFiles()).containsKey(p.id() + ".schema.json");
  }

  @Test
  @DisplayName("ServiceLoader finds the plug-in through its class loader")
  void discoveredByServiceLoader() {
    assumeThat(discoverable()).as("discoverable()").isTrue();
    Class<?> type = plugin().getClass();
    List<String> found = new ArrayList<>();
    ServiceLoader.load(TaskPlugin.class, type.getClassLoader()).stream()
        .forEach(provider -> found.add(provider.type().getName()));
    assertThat(found).as("providers of TaskPlugin").contains(type.getName());
  }

  @Test
  @DisplayName("a valid job completes with claimed, run_header and complete evidence and a summary")
  void validJobCompletes() throws IOException {
    LocalExecPlane plane = plane();
    Job job = plane.parseJob(jobJson(validPayload(), budget()));
    plane.enqueue(job);

    RunOutcome outcome = plane.runOnce();

    assertThat(outcome.jobId()).isEqualTo(job.jobId());
    assertThat(outcome.status())
        .as("status (error %s)", outcome.error())
        .isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(outcome.result()).isNotNull();
    assertThat(evidenceKinds(outcome)).contains("claimed", "run_header", "complete");
    assertThat(evidenceKinds(outcome)).doesNotContain("failed");
    assertThat(evidenceKinds(outcome).get(0)).isEqualTo("claimed");
    assertSummary(outcome);
    assertState(plane, job.jobId(), JobState.COMPLETE);
    assertVerified(plane);
  }

  @Test
  @DisplayName("an invalid payload is refused at parse and at enqueue with errors under $.payload")
  void invalidPayloadIsRefused() {
    LocalExecPlane plane = plane();
    String json = jobJson(invalidPayload(), budget());

    assertThatThrownBy(() -> plane.parseJob(json))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e -> assertThat(e.errors()).isNotEmpty().allMatch(s -> s.startsWith("$.payload")));

    Job direct =
        new Job(
            nextJobId(),
            plugin().id(),
            UTC.format(Instant.now()),
            invalidPayload(),
            budget(),
            toolPolicy(),
            null);
    assertThatThrownBy(() -> plane.enqueue(direct))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e -> assertThat(e.errors()).isNotEmpty().allMatch(s -> s.startsWith("$.payload")));
    assertThat(plane.status()).as("jobs in the ledger").isEmpty();
  }

  @Test
  @DisplayName("with the kill switch on after enqueue the job is not claimed")
  void killSwitchKeepsTheJobQueued() {
    LocalExecPlane plane = plane();
    Job job = plane.parseJob(jobJson(validPayload(), budget()));
    plane.enqueue(job);
    plane.turnKillSwitchOn("contract test");

    RunOutcome outcome = plane.runOnce();

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.KILL_SWITCH);
    assertThat(outcome.ranJob()).isFalse();
    assertState(plane, job.jobId(), JobState.QUEUED);
    assertThat(plane.layout().evidenceDir().resolve(job.jobId() + ".jsonl")).doesNotExist();
  }

  @Test
  @DisplayName(
      "a tiny budget fails the job with its exceeded code, failed evidence and a summary, or the"
          + " job keeps within it")
  void tinyBudgetFailsTheJob() throws IOException {
    String expected = tinyBudgetError();
    LocalExecPlane plane = plane();
    Job job = plane.parseJob(jobJson(validPayload(), tinyBudget()));
    plane.enqueue(job);

    RunOutcome outcome = plane.runOnce();

    if (expected == null) {
      // The plug-in says the valid payload fits the tiny budget: it must complete within it.
      assertThat(outcome.status())
          .as(String.valueOf(outcome.error()))
          .isEqualTo(RunOutcome.Status.COMPLETE);
      long limit = tinyBudget().maxOutputBytes();
      long outputs = 0;
      try (java.util.stream.Stream<Path> files = Files.list(plane.layout().evidenceDir())) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (f.getFileName().toString().startsWith(job.jobId() + "_")) {
            outputs += Files.size(f);
          }
        }
      }
      assertThat(outputs).as("bytes of the job's output files").isLessThanOrEqualTo(limit);
      assertThat(Files.size(plane.layout().evidenceDir().resolve(job.jobId() + ".md")))
          .as("bytes of the summary")
          .isLessThanOrEqualTo(limit);
      assertVerified(plane);
      return;
    }
    assertThat(expected).endsWith(" exceeded");

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(outcome.error()).isEqualTo(expected);
    assertThat(evidenceKinds(outcome))
        .contains("claimed", "run_header", "budget_exceeded", "failed")
        .doesNotContain("complete");
    assertSummary(outcome);
    assertState(plane, job.jobId(), JobState.FAILED);
    assertVerified(plane);
  }

  /**
   * A plane for {@link #root} with only {@link #plugin()} registered, in the sandbox {@link
   * SandboxMode#AUTO} chooses, or none when no sandbox works here.
   */
  protected LocalExecPlane plane() {
    LocalExecPlane plane =
        LocalExecPlane.builder(root).register(plugin()).sandbox(SandboxMode.AUTO).build();
    if (plane.sandbox().refusesSubprocesses()) {
      plane.close();
      plane = LocalExecPlane.builder(root).register(plugin()).sandbox(SandboxMode.NONE).build();
    }
    return plane;
  }

  /** A job document of the plug-in's type with {@code payload}, {@code budgets} and the policy. */
  protected String jobJson(Map<String, Object> payload, Budget budgets) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", nextJobId());
    m.put("job_type", plugin().id());
    m.put("created_at_utc", UTC.format(Instant.now()));
    m.put("payload", Objects.requireNonNull(payload, "payload"));
    m.put("budgets", budgets.toMap());
    m.put("tool_policy", toolPolicy().toMap());
    m.put("meta", Map.of("source", "contract-test"));
    return Json.line(m);
  }

  private String nextJobId() {
    jobs++;
    return String.format("job-contract%04d", jobs);
  }

  private List<String> evidenceKinds(RunOutcome outcome) throws IOException {
    assertThat(outcome.evidence()).as("evidence file").isNotNull();
    Path file = root.resolve(outcome.evidence());
    assertThat(file).exists();
    List<String> kinds = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        kinds.add(String.valueOf(((Map<?, ?>) Json.parse(line)).get("kind")));
      }
    }
    return kinds;
  }

  private void assertSummary(RunOutcome outcome) throws IOException {
    assertThat(outcome.summary()).as("summary file").isNotNull().endsWith(".md");
    Path summary = root.resolve(outcome.summary());
    assertThat(summary).exists();
    assertThat(Files.readString(summary, StandardCharsets.UTF_8)).as("summary").isNotBlank();
  }

  private static void assertState(LocalExecPlane plane, String jobId, JobState expected) {
    assertThat(plane.status())
        .filteredOn(s -> s.jobId().equals(jobId))
        .singleElement()
        .extracting(JobStatus::state)
        .isEqualTo(expected);
  }

  private static void assertVerified(LocalExecPlane plane) {
    VerifyReport report = plane.verify(null);
    assertThat(report.verified()).as("verify: %s", report.summary()).isTrue();
  }
}
