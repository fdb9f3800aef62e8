package dev.localexec.vllm;

import static dev.localexec.vllm.ReplayServer.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.tasks.doccompact.DocCompactorTask;
import dev.localexec.vllm.ReplayServer.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Must-show 3 at the plane's level: with the API key in the environment, jobs that ask the model
 * through a real {@link LocalExecPlane} (answers, a 401, a context-length 400 and a 500 that echo
 * the key, a server that is down) leave no file under the root and no log line holding the key.
 */
class PlaneSecretLeakTest {
  static final String CHAT = "/v1/chat/completions";
  static final String VAR = "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY";
  static final String KEY = "sk-plane-4d1f0c9e7b2a58d3e6f1a0b9c8d7e6f5";

  @TempDir Path root;
  final ReplayServer server = new ReplayServer();
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger("dev.localexec");
  final Map<String, String> env = Map.of(VAR, KEY);
  int jobs;

  @BeforeEach
  void setUp() throws IOException {
    logs.start();
    logger.addAppender(logs);
    logger.setLevel(Level.DEBUG);
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(root.resolve("docs/a.md"), "# Alpha\n\nRun `make alpha` twice.\n");
    Files.writeString(root.resolve("docs/b.md"), "# Beta\n\nThe beta port is 8001.\n");
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(logs);
    logger.setLevel(null);
    server.close();
  }

  VllmModelBackend backend(int port) {
    VllmConfig config =
        VllmConfig.parse(
            """
            serve:
              port: %d
              api_key_env: %s
            """
                .formatted(port, VAR),
            "plane-secret-test.yaml");
    VllmClient client =
        VllmClient.builder(config.openaiCompat().baseUrl())
            .model(config.openaiCompat().model())
            .apiKey(config.apiKey(env).orElseThrow(), config.serve().apiKeyEnv())
            .retries(2, Duration.ofMillis(10), Duration.ofMillis(10))
            .build();
    return new VllmModelBackend(client, config.generation());
  }

  RunOutcome runJob(VllmModelBackend backend) {
    LocalExecPlane plane =
        LocalExecPlane.builder(root)
            .register(new DocCompactorTask())
            .sandbox(SandboxMode.NONE)
            .model(backend)
            .build();
    String id = "job-secretleak" + String.format("%04d", ++jobs);
    plane.enqueue(
        plane.parseJob(
            "{\"job_id\":\""
                + id
                + "\",\"job_type\":\"doc_compactor_task\","
                + "\"created_at_utc\":\"2026-11-24T08:00:00Z\",\"payload\":{\"inputs\":"
                + "[\"docs/a.md\",\"docs/b.md\"],\"max_input_bytes\":10000,"
                + "\"max_output_bytes\":4096,\"title\":\"Docs\",\"mode\":\"model\"},"
                + "\"budgets\":{\"max_wall_time_sec\":60,\"max_tool_calls\":5,"
                + "\"max_output_bytes\":65536,\"max_concurrency_slots\":1},"
                + "\"tool_policy\":{\"allow_network\":false,\"allow_subprocess\":false,"
                + "\"allowed_tools\":[\"model.chat\"]}}"));
    return plane.runOnce();
  }

  static String errorEcho(int code, String type, String param) {
    return "{\"error\":{\"message\":\"context length trouble with Authorization: Bearer "
        + KEY
        + "\",\"type\":\""
        + type
        + "\",\"param\":"
        + param
        + ",\"code\":"
        + code
        + "}}";
  }

  @Test
  void jobsAskingTheModel_leaveTheKeyInNoFileAndNoLog() throws IOException {
    VllmModelBackend up = backend(server.port());

    server.on(CHAT, Reply.json(200, fixture("current", "chat-ok.json")));
    RunOutcome ok = runJob(up);
    assertThat(ok.status()).as(ok.error()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(server.last(CHAT).header("Authorization")).isEqualTo("Bearer " + KEY);

    server.on(CHAT, Reply.json(400, errorEcho(400, "BadRequestError", "\"input_tokens\"")));
    RunOutcome context = runJob(up);
    assertThat(context.status()).as(context.error()).isEqualTo(RunOutcome.Status.COMPLETE);

    server.on(CHAT, Reply.json(500, errorEcho(500, "InternalServerError", "null")));
    RunOutcome serverError = runJob(up);
    assertThat(serverError.result()).containsEntry("fallback_reason", "model_server_error");

    server.on(CHAT, Reply.json(401, fixture("current", "err-401.json")));
    RunOutcome unauthorized = runJob(up);
    assertThat(unauthorized.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(unauthorized.error()).isEqualTo("model_unauthorized");

    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      dead = s.getLocalPort();
    }
    RunOutcome down = runJob(backend(dead));
    assertThat(down.result()).containsEntry("fallback_reason", "model_unavailable");

    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    StringBuilder everything = new StringBuilder();
    for (Path f : files) {
      everything.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
    }
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : logs.list) {
      lines.add(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        lines.add(t.getMessage());
      }
    }

    assertThat(files).anyMatch(f -> f.toString().endsWith("jobs.jsonl"));
    assertThat(everything.toString())
        .contains("model_request_summary")
        .contains("model_unauthorized")
        .contains("[redacted]") // the echoed key reached the evidence only as this
        .doesNotContain(KEY);
    assertThat(lines).isNotEmpty();
    assertThat(String.join("\n", lines)).doesNotContain(KEY);
    assertThat(URI.create(up.apiBase()).getUserInfo()).isNull();
  }
}
