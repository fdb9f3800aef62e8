package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broken {@code config/mcporter.json} (the original's, without {@code mcpServers}) fails only the
 * jobs that call a tool, with the file's problem; other jobs run as before.
 */
class BrokenToolConfigTest {
  @TempDir Path root;

  private static String job(String id, String type, String payload, String allowed) {
    return "{\"job_id\":\""
        + id
        + "\",\"job_type\":\""
        + type
        + "\",\"created_at_utc\":\"2026-11-24T09:00:00Z\",\"payload\":"
        + payload
        + ",\"budgets\":{\"max_wall_time_sec\":60,\"max_tool_calls\":5,"
        + "\"max_output_bytes\":65536,\"max_concurrency_slots\":1},"
        + "\"tool_policy\":{\"allow_network\":false,\"allow_subprocess\":false,"
        + "\"allowed_tools\":"
        + allowed
        + "}}";
  }

  @Test
  void onlyJobsThatCallATool_failWithTheConfigurationsProblem() throws IOException {
    Files.createDirectories(root.resolve("config"));
    Files.writeString(
        root.resolve("config/mcporter.json"),
        "{\"enabled_tools\":[\"everything.echo\"],\"timeout_sec\":30,"
            + "\"max_response_bytes\":131072}");
    Files.writeString(root.resolve("notes.md"), "# Notes\n\nSome text.\n");
    Files.writeString(
        root.resolve("docs.json"),
        job(
            "job-docsbroken01",
            "doc_compactor_task",
            "{\"inputs\":[\"notes.md\"],\"max_input_bytes\":4096,\"max_output_bytes\":4096}",
            "[]"));
    Files.writeString(
        root.resolve("tool.json"),
        job(
            "job-toolbroken01",
            "mcp_call_task",
            "{\"calls\":[{\"tool\":\"everything.echo\",\"arguments\":{\"message\":\"hi\"}}]}",
            "[\"everything.echo\"]"));
    Cli cli = new Cli(root);
    assertThat(cli.run("enqueue", "--job-file", root.resolve("docs.json").toString()).code())
        .isZero();
    assertThat(cli.run("enqueue", "--job-file", root.resolve("tool.json").toString()).code())
        .isZero();

    Cli.Result docs = cli.run("worker", "--once");
    Cli.Result tool = cli.run("worker", "--once");

    assertThat(docs.json(0)).containsEntry("status", "complete");
    assertThat(tool.json(0))
        .containsEntry("status", "failed")
        .containsEntry("error", "tool_config_invalid:everything.echo");
    assertThat(
            Files.readString(root.resolve("workspace/local_exec/evidence/job-toolbroken01.jsonl")))
        .contains("$.mcpServers: missing");
  }
}
