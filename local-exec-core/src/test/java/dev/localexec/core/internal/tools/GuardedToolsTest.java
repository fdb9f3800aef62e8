package dev.localexec.core.internal.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.ToolCallException;
import dev.localexec.api.ToolCallException.Kind;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolDescription;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.api.spi.ToolSettings;
import dev.localexec.core.internal.budget.ClockBudgetTracker;
import dev.localexec.core.testing.FakeClock;
import dev.localexec.core.testing.RecordingEvidenceSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GuardedToolsTest {
  private final FakeClock clock = FakeClock.fixed();
  private final RecordingEvidenceSink evidence = new RecordingEvidenceSink();
  private final AtomicBoolean cancelled = new AtomicBoolean();

  /** A backend that answers from a function and remembers every request. */
  static final class FakeBackend implements ToolBackend {
    final List<ToolRequest> requests = new ArrayList<>();
    final ToolSettings settings;
    final Function<ToolRequest, ToolResult> answer;

    FakeBackend(Set<String> enabled, Function<ToolRequest, ToolResult> answer) {
      this.settings = new ToolSettings(enabled, Duration.ofSeconds(30), 2048);
      this.answer = answer;
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public ToolSettings settings() {
      return settings;
    }

    @Override
    public List<ToolDescription> listTools(Duration timeout) {
      return List.of();
    }

    @Override
    public ToolResult call(ToolRequest request) {
      requests.add(request);
      return answer.apply(request);
    }

    @Override
    public void close() {}
  }

  private static ToolResult text(ToolRequest r, String json) {
    return new ToolResult(
        r.tool(), json, false, json.getBytes(StandardCharsets.UTF_8).length, Duration.ofMillis(7));
  }

  private GuardedTools tools(FakeBackend backend, List<String> allowed, Budget budget) {
    return new GuardedTools(
        backend,
        new ToolPolicy(false, false, allowed),
        ClockBudgetTracker.start(budget, clock),
        evidence,
        cancelled::get,
        clock);
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void call_allowedAndEnabled_returnsTheResultAndRecordsSizesOnly() {
    FakeBackend backend =
        new FakeBackend(
            Set.of("everything.echo"),
            r -> text(r, "{\"content\":[{\"type\":\"text\",\"text\":\"Echo: hi\"}]}"));
    GuardedTools tools = tools(backend, List.of("everything.echo"), Budget.of(60, 5, 65536, 1));

    ToolResult r = tools.call("everything.echo", "{\"message\":\"hi\"}");

    assertThat(r.resultJson())
        .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"Echo: hi\"}]}");
    assertThat(backend.requests).hasSize(1);
    assertThat(backend.requests.get(0).timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(backend.requests.get(0).maxResponseBytes()).isEqualTo(2048);
    assertThat(evidence.kinds()).containsExactly("tool_call", "tool_result");
    assertThat(evidence.single("tool_call"))
        .isEqualTo(map("name", "everything.echo", "backend", "fake", "argument_bytes", 16));
    assertThat(evidence.single("tool_result"))
        .isEqualTo(
            map(
                "name",
                "everything.echo",
                "backend",
                "fake",
                "outcome",
                "ok",
                "structured",
                false,
                "result_bytes",
                47L,
                "duration_ms",
                0L));
  }

  @Test
  void call_notInAllowedTools_isRefusedBeforeTheBackend() {
    FakeBackend backend = new FakeBackend(Set.of("everything.get-sum"), r -> text(r, "{}"));
    GuardedTools tools = tools(backend, List.of("everything.echo"), Budget.of(60, 5, 65536, 1));

    assertThatThrownBy(() -> tools.call("everything.get-sum", "{\"a\":1,\"b\":2}"))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.NOT_ALLOWED);
              assertThat(e.code()).isEqualTo("tool_not_allowed:everything.get-sum");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "tool everything.get-sum refused: it is not in the job's"
                          + " tool_policy.allowed_tools [everything.echo]; add the exact name to"
                          + " let the job call it");
            });
    assertThat(backend.requests).isEmpty();
    assertThat(evidence.single("tool_result"))
        .containsEntry("outcome", "tool_not_allowed:everything.get-sum");
  }

  @Test
  void call_notInEnabledTools_isRefusedBeforeTheBackend() {
    FakeBackend backend = new FakeBackend(Set.of("everything.echo"), r -> text(r, "{}"));
    GuardedTools tools = tools(backend, List.of("everything.get-env"), Budget.of(60, 5, 65536, 1));

    assertThatThrownBy(() -> tools.call("everything.get-env", "{}"))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> {
              assertThat(e.code()).isEqualTo("tool_not_enabled:everything.get-env");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "tool everything.get-env refused: it is not in enabled_tools"
                          + " [everything.echo]; add the exact name to enabled_tools in"
                          + " config/mcporter.json");
            });
    assertThat(backend.requests).isEmpty();
  }

  @Test
  void call_nearMissName_isNotTheToolItResembles() {
    FakeBackend backend = new FakeBackend(Set.of("everything.echo"), r -> text(r, "{}"));
    GuardedTools tools = tools(backend, List.of("everything.echo"), Budget.of(60, 5, 65536, 1));

    assertThatThrownBy(() -> tools.call("everything.ech", "{\"message\":\"x\"}"))
        .isInstanceOf(ToolCallException.class)
        .hasFieldOrPropertyWithValue("code", "tool_not_allowed:everything.ech");
    assertThat(backend.requests).isEmpty();
  }

  @Test
  void call_withoutBackend_isNotEnabled() {
    GuardedTools tools =
        new GuardedTools(
            null,
            new ToolPolicy(false, false, List.of("everything.echo")),
            ClockBudgetTracker.start(Budget.of(60, 5, 65536, 1), clock),
            evidence,
            cancelled::get,
            clock);

    assertThatThrownBy(() -> tools.call("everything.echo", "{}"))
        .hasMessage(
            "tool everything.echo refused: no MCP tool backend is configured for this plane; add"
                + " the exact name to enabled_tools in config/mcporter.json")
        .hasFieldOrPropertyWithValue("code", "tool_not_enabled:everything.echo");
  }

  @Test
  void call_badNameOrArguments_isRefused() {
    FakeBackend backend = new FakeBackend(Set.of("everything.echo"), r -> text(r, "{}"));
    GuardedTools tools = tools(backend, List.of("everything.echo"), Budget.of(60, 5, 65536, 1));

    assertThatThrownBy(() -> tools.call("echo", "{}"))
        .hasFieldOrPropertyWithValue("code", "tool_unknown:echo");
    assertThatThrownBy(() -> tools.call("everything.echo", "[1]"))
        .hasFieldOrPropertyWithValue("code", "tool_bad_arguments:everything.echo")
        .hasMessage(
            "arguments of everything.echo must be a JSON object, e.g. {\"message\":\"hi\"}");
    assertThatThrownBy(() -> tools.call("everything.echo", "{\"message\":"))
        .hasFieldOrPropertyWithValue("code", "tool_bad_arguments:everything.echo");
    assertThat(backend.requests).isEmpty();
  }

  @Test
  void call_beyondMaxToolCalls_isRefusedBeforeItStarts() {
    FakeBackend backend = new FakeBackend(Set.of("everything.echo"), r -> text(r, "{}"));
    GuardedTools tools = tools(backend, List.of("everything.echo"), Budget.of(60, 1, 65536, 1));

    tools.call("everything.echo", "{}");
    assertThatThrownBy(() -> tools.call("everything.echo", "{}"))
        .isInstanceOf(BudgetExceededException.class)
        .hasFieldOrPropertyWithValue("code", "max_tool_calls exceeded");
    assertThat(backend.requests).hasSize(1);
  }

  @Test
  void call_responseBeyondOutputBudget_failsTheCall() {
    String big = "{\"text\":\"" + "x".repeat(1500) + "\"}";
    FakeBackend backend = new FakeBackend(Set.of("everything.echo"), r -> text(r, big));
    GuardedTools tools = tools(backend, List.of("everything.echo"), Budget.of(60, 5, 1024, 1));

    assertThatThrownBy(() -> tools.call("everything.echo", "{}"))
        .isInstanceOf(BudgetExceededException.class)
        .hasFieldOrPropertyWithValue("code", "max_output_bytes exceeded");
    assertThat(evidence.single("tool_result"))
        .containsEntry("outcome", "max_output_bytes exceeded");
  }

  @Test
  void call_responseBeyondMaxResponseBytes_isTooLarge() {
    String big = "{\"text\":\"" + "x".repeat(3000) + "\"}";
    FakeBackend backend = new FakeBackend(Set.of("everything.echo"), r -> text(r, big));
    GuardedTools tools = tools(backend, List.of("everything.echo"), Budget.of(60, 5, 65536, 1));

    assertThatThrownBy(() -> tools.call("everything.echo", "{}"))
        .hasFieldOrPropertyWithValue("code", "tool_response_too_large:everything.echo")
        .hasMessage(
            "tool everything.echo answered 3011 bytes, more than max_response_bytes 2048; ask for"
                + " less or raise max_response_bytes in config/mcporter.json");
  }

  @Test
  void call_timeoutIsTheShorterOfToolTimeoutAndWallTimeLeft() {
    FakeBackend backend =
        new FakeBackend(
            Set.of("everything.echo"),
            r -> {
              throw new ToolCallException(Kind.TIMEOUT, r.tool(), "timed out");
            });
    GuardedTools tools = tools(backend, List.of("everything.echo"), Budget.of(10, 5, 65536, 1));
    clock.advance(Duration.ofSeconds(4));

    assertThatThrownBy(() -> tools.call("everything.echo", "{}"))
        .isInstanceOf(BudgetExceededException.class)
        .hasFieldOrPropertyWithValue("code", "max_wall_time_sec exceeded");
    assertThat(backend.requests.get(0).timeout()).isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void call_backendTimeoutWithinTheWallTime_isAToolTimeout() {
    FakeBackend backend =
        new FakeBackend(
            Set.of("everything.echo"),
            r -> {
              throw new ToolCallException(Kind.TIMEOUT, r.tool(), "timed out after 30000 ms");
            });
    GuardedTools tools = tools(backend, List.of("everything.echo"), Budget.of(300, 5, 65536, 1));

    assertThatThrownBy(() -> tools.call("everything.echo", "{}"))
        .hasFieldOrPropertyWithValue("code", "tool_timeout:everything.echo");
    assertThat(evidence.single("tool_result"))
        .isEqualTo(
            map(
                "name", "everything.echo",
                "backend", "fake",
                "outcome", "tool_timeout:everything.echo",
                "duration_ms", 0L,
                "error", "timed out after 30000 ms"));
  }

  @Test
  void call_killSwitchOn_isRefused() {
    FakeBackend backend = new FakeBackend(Set.of("everything.echo"), r -> text(r, "{}"));
    GuardedTools tools = tools(backend, List.of("everything.echo"), Budget.of(60, 5, 65536, 1));
    cancelled.set(true);

    assertThatThrownBy(() -> tools.call("everything.echo", "{}"))
        .isInstanceOf(KillSwitchException.class);
    assertThat(backend.requests).isEmpty();
  }
}
