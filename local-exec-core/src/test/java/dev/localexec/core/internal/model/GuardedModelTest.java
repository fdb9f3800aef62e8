package dev.localexec.core.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.ModelCallException;
import dev.localexec.api.ModelCallException.Kind;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.ChatMessage;
import dev.localexec.api.spi.ChatReply;
import dev.localexec.api.spi.ChatRequest;
import dev.localexec.api.spi.ModelBackend;
import dev.localexec.core.internal.budget.ClockBudgetTracker;
import dev.localexec.core.testing.FakeClock;
import dev.localexec.core.testing.RecordingEvidenceSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GuardedModelTest {
  private final FakeClock clock = FakeClock.fixed();
  private final RecordingEvidenceSink evidence = new RecordingEvidenceSink();

  static final class FakeModel implements ModelBackend {
    final List<Duration> timeouts = new ArrayList<>();
    final Function<ChatRequest, ChatReply> answer;

    FakeModel(Function<ChatRequest, ChatReply> answer) {
      this.answer = answer;
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public String apiBase() {
      return "http://127.0.0.1:1/v1";
    }

    @Override
    public String modelName() {
      return "local-exec-coordinator";
    }

    @Override
    public ChatReply chat(ChatRequest request, Duration timeout) {
      timeouts.add(timeout);
      return answer.apply(request);
    }

    @Override
    public void close() {}
  }

  private static final ChatRequest PING =
      ChatRequest.of(List.of(ChatMessage.system("Answer briefly."), ChatMessage.user("ping")));

  private GuardedModel model(FakeModel backend, List<String> allowed, Budget budget) {
    return new GuardedModel(
        backend,
        Duration.ofSeconds(120),
        new ToolPolicy(false, false, allowed),
        ClockBudgetTracker.start(budget, clock),
        evidence,
        () -> false,
        clock);
  }

  private static ChatReply reply(String content) {
    return new ChatReply(
        "local-exec-coordinator", content, "", "stop", 12, 3, List.of(), Duration.ofMillis(5));
  }

  @Test
  void chat_allowed_recordsASummaryWithoutThePrompt() {
    FakeModel backend = new FakeModel(r -> reply("pong"));
    GuardedModel model = model(backend, List.of("model.chat"), Budget.of(60, 5, 65536, 1));

    ChatReply r = model.chat(PING);

    assertThat(r.content()).isEqualTo("pong");
    assertThat(backend.timeouts).containsExactly(Duration.ofSeconds(60));
    Map<String, Object> s = evidence.single("model_request_summary");
    assertThat(s)
        .containsEntry("model", "local-exec-coordinator")
        .containsEntry("messages", 2)
        .containsEntry("prompt_bytes", 19L)
        .containsEntry("outcome", "ok")
        .containsEntry("finish_reason", "stop")
        .containsEntry("prompt_tokens", 12)
        .containsEntry("completion_tokens", 3)
        .containsEntry("answer_bytes", 4L)
        .doesNotContainKeys("prompt", "answer");
    assertThat(s.toString()).doesNotContain("ping");
  }

  @Test
  void chat_recordingPrompt_keepsPromptAndAnswer() {
    GuardedModel model =
        model(new FakeModel(r -> reply("pong")), List.of("model.chat"), Budget.of(60, 5, 65536, 1));

    model.chat(PING.recordingPrompt());

    assertThat(evidence.single("model_request_summary"))
        .containsEntry("answer", "pong")
        .containsKey("prompt");
  }

  @Test
  void chat_withoutModelChatInAllowedTools_isRefused() {
    FakeModel backend = new FakeModel(r -> reply("pong"));
    GuardedModel model = model(backend, List.of(), Budget.of(60, 5, 65536, 1));

    assertThatThrownBy(() -> model.chat(PING))
        .isInstanceOfSatisfying(
            ModelCallException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.NOT_ALLOWED);
              assertThat(e.code()).isEqualTo("model_not_allowed");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "model call refused: the job's tool_policy.allowed_tools [] does not name"
                          + " model.chat; add it to let the job ask the model");
            });
    assertThat(backend.timeouts).isEmpty();
    assertThat(evidence.single("model_request_summary"))
        .containsEntry("outcome", "model_not_allowed");
  }

  @Test
  void chat_withoutBackend_isNotEnabled() {
    GuardedModel model =
        new GuardedModel(
            null,
            Duration.ofSeconds(120),
            new ToolPolicy(false, false, List.of("model.chat")),
            ClockBudgetTracker.start(Budget.of(60, 5, 65536, 1), clock),
            evidence,
            () -> false,
            clock);

    assertThatThrownBy(() -> model.chat(PING))
        .hasFieldOrPropertyWithValue("code", "model_not_enabled");
  }

  @Test
  void chat_countsAsAToolCall() {
    FakeModel backend = new FakeModel(r -> reply("pong"));
    GuardedModel model = model(backend, List.of("model.chat"), Budget.of(60, 1, 65536, 1));

    model.chat(PING);
    assertThatThrownBy(() -> model.chat(PING))
        .isInstanceOf(BudgetExceededException.class)
        .hasFieldOrPropertyWithValue("code", "max_tool_calls exceeded");
    assertThat(backend.timeouts).hasSize(1);
  }

  @Test
  void chat_answerBeyondOutputBudget_fails() {
    FakeModel backend = new FakeModel(r -> reply("y".repeat(2000)));
    GuardedModel model = model(backend, List.of("model.chat"), Budget.of(60, 5, 1024, 1));

    assertThatThrownBy(() -> model.chat(PING))
        .hasFieldOrPropertyWithValue("code", "max_output_bytes exceeded");
  }

  @Test
  void chat_backendFailure_isRecordedWithItsCode() {
    FakeModel backend =
        new FakeModel(
            r -> {
              throw new ModelCallException(Kind.CONTEXT_LENGTH, 400, "too long", null);
            });
    GuardedModel model = model(backend, List.of("model.chat"), Budget.of(60, 5, 65536, 1));

    assertThatThrownBy(() -> model.chat(PING))
        .hasFieldOrPropertyWithValue("code", "model_context_length");
    assertThat(evidence.single("model_request_summary"))
        .containsEntry("outcome", "model_context_length")
        .containsEntry("http_status", 400)
        .containsEntry("error", "too long");
  }

  @Test
  void chat_timeoutBoundByWallTime_isAWallTimeFailure() {
    FakeModel backend =
        new FakeModel(
            r -> {
              throw new ModelCallException(Kind.TIMEOUT, "timed out");
            });
    GuardedModel model = model(backend, List.of("model.chat"), Budget.of(30, 5, 65536, 1));
    clock.advance(Duration.ofSeconds(10));

    assertThatThrownBy(() -> model.chat(PING))
        .hasFieldOrPropertyWithValue("code", "max_wall_time_sec exceeded");
    assertThat(backend.timeouts).containsExactly(Duration.ofSeconds(20));
  }
}
