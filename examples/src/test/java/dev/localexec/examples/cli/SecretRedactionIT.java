package dev.localexec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vLLM API key in the CLI's environment, passed to a job's commands and echoed by them, never
 * reaches a file the plane writes nor the CLI's own output. The CLI runs as a separate JVM.
 */
class SecretRedactionIT {
  private static final String KEY = "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY";

  @TempDir Path root;
  @TempDir Path outside;

  private final String secret = randomSecret();

  private static String randomSecret() {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    SecureRandom random = new SecureRandom();
    StringBuilder sb = new StringBuilder(24);
    for (int i = 0; i < 24; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private record Run(int code, String out, String err) {}

  private Run cli(String name, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LocalExecCli.class.getName());
    command.add("--repo-root");
    command.add(root.toString());
    command.addAll(List.of(args));
    Path out = outside.resolve(name + ".out");
    Path err = outside.resolve(name + ".err");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(outside.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().put(KEY, secret);
    Process p = pb.start();
    try {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", name).isTrue();
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theApiKey_isRedactedFromEveryFileAndFromTheCliOutput() throws Exception {
    Path jobFile =
        Fixtures.write(
            outside,
            "job.json",
            Fixtures.job(
                "job-secretenv01",
                "test_runner_task",
                "{\"commands\": [[\"env\"], [\"echo\", \""
                    + secret
                    + "\"]], \"timeout_sec\": 30, \"env_allow\": [\""
                    + KEY
                    + "\"]}",
                Fixtures.BUDGETS,
                Fixtures.POLICY_SUBPROCESS));

    Run enqueue = cli("enqueue", "enqueue", "--job-file", jobFile.toString());
    Run worker = cli("worker", "worker", "--once");
    Run verify = cli("verify", "verify");

    assertThat(enqueue.code()).as(enqueue.err()).isZero();
    assertThat(worker.code()).as(worker.err()).isZero();
    Map<String, Object> outcome = (Map<String, Object>) Json.parse(worker.out().strip());
    assertThat(outcome).containsEntry("status", "complete");
    List<Map<String, Object>> results =
        (List<Map<String, Object>>) ((Map<String, Object>) outcome.get("result")).get("results");
    assertThat(results).extracting(m -> m.get("returncode")).containsExactly(0, 0);
    assertThat((String) results.get(0).get("stdout")).contains(KEY + "=[REDACTED]\n");
    assertThat(results.get(1).get("stdout")).isEqualTo("[REDACTED]\n");
    assertThat(verify.code()).as(verify.out()).isZero();

    List<Path> files;
    try (Stream<Path> walk = Files.walk(root.resolve("workspace"))) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    List<String> names = new ArrayList<>();
    List<String> leaking = new ArrayList<>();
    List<String> redacted = new ArrayList<>();
    for (Path f : files) {
      String name = root.relativize(f).toString().replace('\\', '/');
      String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
      names.add(name);
      if (text.contains(secret)) {
        leaking.add(name);
      }
      if (text.contains("[REDACTED]")) {
        redacted.add(name);
      }
    }
    assertThat(names)
        .contains(
            "workspace/local_exec/state/jobs.jsonl",
            "workspace/local_exec/evidence/job-secretenv01.jsonl",
            "workspace/local_exec/evidence/job-secretenv01.md");
    assertThat(leaking).isEmpty();
    assertThat(redacted)
        .contains(
            "workspace/local_exec/state/jobs.jsonl",
            "workspace/local_exec/evidence/job-secretenv01.jsonl");
    for (Run r : List.of(enqueue, worker, verify)) {
      assertThat(r.out()).doesNotContain(secret);
      assertThat(r.err()).doesNotContain(secret);
    }
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList())
        .isEmpty();
  }
}
