package dev.localexec.cli.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.spi.ChatReply;
import dev.localexec.api.spi.ChatRequest;
import dev.localexec.api.spi.ModelBackend;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.sandbox.SandboxMode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoordinatorTest {
  @TempDir Path root;

  static final String VALID =
      "{\"job_id\":\"job-coordinated01\",\"job_type\":\"repo_index_task\","
          + "\"created_at_utc\":\"2026-11-24T09:00:00Z\",\"payload\":{\"include_globs\":"
          + "[\"**/*.md\"],\"exclude_globs\":[],\"max_files\":50,\"max_file_bytes\":32768,"
          + "\"keywords\":[\"budget\"]},\"budgets\":{\"max_wall_time_sec\":60,"
          + "\"max_tool_calls\":0,\"max_output_bytes\":65536,\"max_concurrency_slots\":1},"
          + "\"tool_policy\":{\"allow_network\":false,\"allow_subprocess\":false,"
          + "\"allowed_tools\":[]}}";

  /** Answers with fixed texts, in order; remembers requests. */
  static final class Scripted implements ModelBackend {
    final List<String> answers;
    final List<ChatRequest> requests = new ArrayList<>();

    Scripted(String... answers) {
      this.answers = new ArrayList<>(List.of(answers));
    }

    @Override
    public String name() {
      return "scripted";
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
      return new ChatReply(
          "local-exec-coordinator",
          answers.remove(0),
          "",
          "stop",
          900,
          120,
          List.of(),
          Duration.ofMillis(40));
    }

    @Override
    public void close() {}
  }

  private LocalExecPlane plane() {
    return LocalExecPlane.builder(root).discoverPlugins().sandbox(SandboxMode.NONE).build();
  }

  private Coordinator coordinator(LocalExecPlane plane, ModelBackend model) {
    return new Coordinator(
        plane,
        model,
        Coordinator.Limits.readOnly(),
        Duration.ofSeconds(60),
        Clock.fixed(Instant.parse("2026-11-24T09:00:00Z"), ZoneOffset.UTC));
  }

  @Test
  void aValidAnswer_isEnqueued() {
    LocalExecPlane plane = plane();
    Scripted model = new Scripted(VALID);
    Coordinator c = coordinator(plane, model);

    Coordinator.Proposal p = c.propose("index the markdown files for 'budget'");
    c.enqueue(p);

    assertThat(p.valid()).isTrue();
    assertThat(p.job().jobId()).isEqualTo("job-coordinated01");
    assertThat(plane.status("job-coordinated01").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    ChatRequest sent = model.requests.get(0);
    assertThat(sent.responseSchemaName()).isEqualTo("local_exec_job");
    assertThat(sent.responseSchemaJson()).isEqualTo(plane.schemaFiles().get("job.schema.json"));
    assertThat(sent.maxTokens()).isEqualTo(1024);
    assertThat(sent.messages().get(1).content())
        .contains("Now (use it for created_at_utc): 2026-11-24T09:00:00Z")
        .contains("### repo_index_task");
  }

  @Test
  void anInvalidAnswer_isRefusedWithTheSchemaError_andNothingIsQueued() {
    LocalExecPlane plane = plane();
    String bad = VALID.replace("\"max_files\":50", "\"max_files\":\"fifty\"");
    Coordinator c = coordinator(plane, new Scripted(bad));

    Coordinator.Proposal p = c.propose("index the markdown files");

    assertThat(p.valid()).isFalse();
    assertThat(p.errors()).anySatisfy(e -> assertThat(e).startsWith("$.payload.max_files"));
    assertThatThrownBy(() -> c.enqueue(p))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("refusing to enqueue an invalid proposal: $.payload.max_files");
    assertThat(plane.status()).isEmpty();
  }

  @Test
  void notJson_isRefused() {
    LocalExecPlane plane = plane();
    Coordinator c = coordinator(plane, new Scripted("Sure! Here is your job: {"));

    Coordinator.Proposal p = c.propose("anything");

    assertThat(p.valid()).isFalse();
    assertThat(p.errors()).isNotEmpty();
    assertThat(plane.status()).isEmpty();
  }

  @Test
  void aJobAskingForMoreThanTheLimits_isRefused() {
    LocalExecPlane plane = plane();
    String wants =
        VALID
            .replace("\"allow_subprocess\":false", "\"allow_subprocess\":true")
            .replace("\"allowed_tools\":[]", "\"allowed_tools\":[\"everything.get-env\"]");
    Coordinator c = coordinator(plane, new Scripted(wants));

    Coordinator.Proposal p = c.propose("index");

    assertThat(p.valid()).isFalse();
    assertThat(p.errors())
        .containsExactly(
            "$.tool_policy.allow_subprocess: true is beyond the coordinator's limits; pass"
                + " --allow-subprocess to accept such jobs",
            "$.tool_policy.allowed_tools: [everything.get-env] beyond the coordinator's limits"
                + " []; pass --allow-tools NAME,... to accept such jobs");
    assertThat(plane.status()).isEmpty();
  }

  @Test
  void withLimitsThatAllowIt_theSameJobIsValid() {
    LocalExecPlane plane = plane();
    String wants =
        VALID.replace("\"allowed_tools\":[]", "\"allowed_tools\":[\"everything.get-env\"]");
    Coordinator c =
        new Coordinator(
            plane,
            new Scripted(wants),
            new Coordinator.Limits(false, false, Set.of("everything.get-env")),
            Duration.ofSeconds(60),
            Clock.systemUTC());

    assertThat(c.propose("index").valid()).isTrue();
  }
}
