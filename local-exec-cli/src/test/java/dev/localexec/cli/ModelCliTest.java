package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line with a model: {@code vllm serve-command|health}, the coordinator end to end, and
 * a model-assisted job, against a local server in vLLM's shapes. The API key is set in the
 * environment and must appear in no file and no output.
 */
class ModelCliTest {
  static final String KEY = "sk-local-exec-test-7f3a9c1e5b2d4068";

  static final String VALID_JOB =
      "{\"job_id\":\"job-coordinated01\",\"job_type\":\"repo_index_task\","
          + "\"created_at_utc\":\"2026-11-24T09:00:00Z\",\"payload\":{\"include_globs\":"
          + "[\"docs/*.md\"],\"exclude_globs\":[],\"max_files\":50,\"max_file_bytes\":32768,"
          + "\"keywords\":[\"port\"]},\"budgets\":{\"max_wall_time_sec\":60,"
          + "\"max_tool_calls\":0,\"max_output_bytes\":65536,\"max_concurrency_slots\":1},"
          + "\"tool_policy\":{\"allow_network\":false,\"allow_subprocess\":false,"
          + "\"allowed_tools\":[]}}";

  @TempDir Path root;
  private ChatReplayServer server;
  private Cli cli;

  @BeforeEach
  void start() throws IOException {
    server = new ChatReplayServer(KEY);
    Files.createDirectories(root.resolve("config/vllm"));
    Files.writeString(
        root.resolve("config/vllm/dali_local_exec.yaml"),
        String.join(
            "\n",
            "serve:",
            "  host: 127.0.0.1",
            "  port: " + server.port(),
            "  api_key_env: OPENCLAW_LOCAL_EXEC_VLLM_API_KEY",
            "  served_model_name: local-exec-coordinator",
            "  gpu_memory_utilization: 0.85",
            "  max_model_len: 8192",
            "  max_num_seqs: 8",
            "openai_compat:",
            "  base_url: " + server.baseUrl(),
            "  model: local-exec-coordinator",
            "generation:",
            "  temperature: 0.0",
            "  top_p: 1.0",
            "  max_tokens: 1024",
            "  parallel_tool_calls: false",
            ""));
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(root.resolve("docs/a.md"), "# Alpha\n\nRun `make alpha` twice.\n");
    Files.writeString(root.resolve("docs/b.md"), "# Beta\n\nThe beta port is 8001.\n");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", KEY);
    cli = new Cli(root, env);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Every file under the root that holds the key. */
  private List<Path> filesWithTheKey() throws IOException {
    return FilesContaining.under(root, KEY);
  }

  @Test
  void serveCommand_passesTheKeyByEnvironment() {
    Cli.Result r = cli.run("vllm", "serve-command");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("vllm serve")
        .contains("--port " + server.port())
        .contains("--served-model-name local-exec-coordinator")
        .contains("VLLM_API_KEY=\"$OPENCLAW_LOCAL_EXEC_VLLM_API_KEY\"")
        .doesNotContain(KEY);
  }

  @Test
  void health_reportsTheServedModel() {
    Cli.Result r = cli.run("vllm", "health");

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("local-exec-coordinator").contains("8192").doesNotContain(KEY);
  }

  @Test
  void coordinator_enqueuesAValidJob() throws IOException {
    server.answer(VALID_JOB);

    Cli.Result r = cli.run("coordinator", "index", "the", "docs", "for", "port");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.json(0)).containsEntry("status", "proposed").containsEntry("valid", true);
    assertThat(r.json(1))
        .containsEntry("status", "enqueued")
        .containsEntry("job_id", "job-coordinated01");
    Cli.Result status = cli.run("status", "job-coordinated01");
    assertThat(status.json(0)).containsEntry("state", "queued");
    ChatReplayServer.Request sent = server.requests().get(0);
    assertThat(sent.path()).isEqualTo("/v1/chat/completions");
    assertThat(sent.body())
        .contains("\"response_format\"")
        .contains("\"local_exec_job\"")
        .contains("\"model\":\"local-exec-coordinator\"");
    assertThat(sent.authorization()).isEqualTo("Bearer " + KEY);
    assertThat(r.out() + r.err()).doesNotContain(KEY);
    assertThat(filesWithTheKey()).isEmpty();
  }

  @Test
  void coordinator_refusesAnInvalidJobWithTheSchemaError() {
    server.answer(VALID_JOB.replace("\"max_files\":50", "\"max_files\":\"fifty\""));

    Cli.Result r = cli.run("coordinator", "index", "the", "docs");

    assertThat(r.code()).isEqualTo(3);
    assertThat(r.json(0)).containsEntry("status", "proposed").containsEntry("valid", false);
    assertThat(r.err()).startsWith("local-exec: ").contains("$.payload.max_files");
    assertThat(cli.run("status").lastJson()).containsEntry("jobs", 0);
  }

  @Test
  void aModelAssistedJob_usesTheModel_andTheKeyIsInNoFileOrOutput() throws IOException {
    server.answer("Alpha: run `make alpha` twice.");
    server.answer("Beta: the port is 8001.");
    Path job = root.resolve("job.json");
    Files.writeString(
        job,
        "{\"job_id\":\"job-modeldocs0001\",\"job_type\":\"doc_compactor_task\","
            + "\"created_at_utc\":\"2026-11-24T09:00:00Z\",\"payload\":{\"inputs\":"
            + "[\"docs/a.md\",\"docs/b.md\"],\"max_input_bytes\":10000,"
            + "\"max_output_bytes\":4096,\"title\":\"Docs\",\"mode\":\"model\"},"
            + "\"budgets\":{\"max_wall_time_sec\":60,\"max_tool_calls\":5,"
            + "\"max_output_bytes\":65536,\"max_concurrency_slots\":1},"
            + "\"tool_policy\":{\"allow_network\":false,\"allow_subprocess\":false,"
            + "\"allowed_tools\":[\"model.chat\"]}}");
    assertThat(cli.run("enqueue", "--job-file", job.toString()).code()).isZero();

    Cli.Result r = cli.run("--model", "vllm", "worker", "--once");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.json(0)).containsEntry("status", "complete");
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) r.json(0).get("result");
    assertThat(result).containsEntry("mode", "model").containsEntry("sections_by_model", 2);
    assertThat(Files.readString(root.resolve("workspace/local_exec/evidence/job-modeldocs0001.md")))
        .isEqualTo(
            "# Docs\n\n## docs/a.md\nAlpha: run `make alpha` twice.\n\n"
                + "## docs/b.md\nBeta: the port is 8001.\n\n");
    String evidence =
        Files.readString(root.resolve("workspace/local_exec/evidence/job-modeldocs0001.jsonl"));
    assertThat(evidence)
        .contains("\"model_mode\": \"vllm\"")
        .contains("\"api_base\": \"" + server.baseUrl() + "\"")
        .contains("\"model_request_summary\"");
    assertThat(server.requests())
        .filteredOn(q -> q.path().equals("/v1/chat/completions"))
        .hasSize(2)
        .allSatisfy(q -> assertThat(q.authorization()).isEqualTo("Bearer " + KEY));
    assertThat(r.out() + r.err()).doesNotContain(KEY);
    assertThat(filesWithTheKey()).isEmpty();
  }

  @Test
  void aWrongKey_failsTheJobOnce_withoutRetrying() throws IOException {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", "sk-wrong-key-000000000000");
    Cli wrong = new Cli(root, env);
    Path job = root.resolve("job.json");
    Files.writeString(
        job,
        "{\"job_id\":\"job-modeldocs0002\",\"job_type\":\"doc_compactor_task\","
            + "\"created_at_utc\":\"2026-11-24T09:00:00Z\",\"payload\":{\"inputs\":"
            + "[\"docs/a.md\"],\"max_input_bytes\":10000,"
            + "\"max_output_bytes\":4096,\"mode\":\"model\"},"
            + "\"budgets\":{\"max_wall_time_sec\":60,\"max_tool_calls\":5,"
            + "\"max_output_bytes\":65536,\"max_concurrency_slots\":1},"
            + "\"tool_policy\":{\"allow_network\":false,\"allow_subprocess\":false,"
            + "\"allowed_tools\":[\"model.chat\"]}}");
    wrong.run("enqueue", "--job-file", job.toString());

    Cli.Result r = wrong.run("--model", "vllm", "worker", "--once");

    assertThat(r.json(0))
        .containsEntry("status", "failed")
        .containsEntry("error", "model_unauthorized");
    assertThat(server.requests())
        .filteredOn(q -> q.path().equals("/v1/chat/completions"))
        .hasSize(1);
  }
}
