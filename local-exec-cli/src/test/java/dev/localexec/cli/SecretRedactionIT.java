package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.localexec.core.json.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four secrets in the CLI's environment (each CLI call a separate JVM, every job under bubblewrap):
 * a job gets none of them through {@code env_allow} unless the operator allows each by its exact
 * name; one allowed reaches the command; all four allowed and printed (plain, base64, hex,
 * URL-encoded) reach no file under the root nor the CLI's output; a job document holding one is
 * refused at enqueue; and with {@code DESKTOP_SESSION=ubuntu} in the environment {@code grep -c
 * ubuntu /etc/os-release} runs and is recorded as written.
 */
class SecretRedactionIT {
  @RegisterExtension final CliProcesses processes = new CliProcesses();

  private static final String AWS = "AWS_SECRET_ACCESS_KEY";
  private static final String GITHUB = "GITHUB_TOKEN";
  private static final String PG = "LOCAL_EXEC_PG_PASSWORD";
  private static final String VLLM = "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY";
  private static final List<String> NAMES = List.of(AWS, GITHUB, PG, VLLM);

  /** Prints, for each name given, its value plain, in base64 (both alphabets), hex and URL. */
  private static final String PRINT_FORMS =
      "import base64 as B, os, sys, urllib.parse as U\n"
          + "for n in sys.argv[1:]:\n"
          + "  v = os.environ[n]\n"
          + "  b = v.encode()\n"
          + "  print(v, B.b64encode(b).decode(), B.urlsafe_b64encode(b).decode().rstrip('='),"
          + " b.hex(), b.hex().upper(), U.quote(v, safe=''), sep='\\n')\n";

  private static final String SHA256 =
      "import hashlib, os, sys\n"
          + "print(hashlib.sha256(os.environ[sys.argv[1]].encode()).hexdigest())\n";

  @TempDir Path root;
  @TempDir Path outside;

  private final Map<String, String> secrets = new LinkedHashMap<>();
  private final List<Run> runs = new ArrayList<>();

  @BeforeEach
  void secrets() {
    String alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    secrets.put(AWS, random(alnum + "/+", 40));
    secrets.put(GITHUB, "ghp_" + random(alnum, 36));
    secrets.put(PG, random(alnum + "!%&", 20));
    secrets.put(VLLM, "sk-" + random(alnum, 32));
    if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
      if ("1".equals(System.getenv("LOCAL_EXEC_REQUIRE_SANDBOX"))) {
        fail("bubblewrap is not installed but LOCAL_EXEC_REQUIRE_SANDBOX=1");
      }
      assumeTrue(false, "bubblewrap is not installed");
    }
  }

  private static String random(String alphabet, int length) {
    SecureRandom random = new SecureRandom();
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
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
    command.add("--sandbox");
    command.add("bwrap");
    command.addAll(List.of(args));
    Path out = outside.resolve(name + ".out");
    Path err = outside.resolve(name + ".err");
    CliProcesses.Finished p =
        processes
            .program(command)
            .in(outside)
            .stdout(out)
            .stderr(err)
            .env(secrets)
            .env("DESKTOP_SESSION", "ubuntu")
            .env("LOCAL_EXEC_QUEUE_URL", null)
            .run(java.time.Duration.ofSeconds(120));
    Run r = new Run(p.code(), p.out(), p.err());
    runs.add(r);
    return r;
  }

  private String jobFile(String id, List<List<String>> commands, List<String> envAllow) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("commands", commands);
    payload.put("timeout_sec", 30);
    payload.put("env_allow", envAllow);
    return Fixtures.write(
            outside,
            id + ".json",
            Fixtures.job(
                id,
                "test_runner_task",
                Json.line(payload),
                Fixtures.BUDGETS,
                Fixtures.POLICY_SUBPROCESS))
        .toString();
  }

  /** Enqueues and runs one job; returns the worker's outcome line. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> runJob(
      String id, List<List<String>> commands, List<String> envAllow, String... globalFlags)
      throws IOException, InterruptedException {
    Run enqueue = cli(id + "-enqueue", "enqueue", "--job-file", jobFile(id, commands, envAllow));
    assertThat(enqueue.code()).as(enqueue.err()).isZero();
    List<String> args = new ArrayList<>(List.of(globalFlags));
    args.addAll(List.of("worker", "--once"));
    Run worker = cli(id + "-worker", args.toArray(String[]::new));
    assertThat(worker.code()).as(worker.err()).isZero();
    Map<String, Object> outcome = (Map<String, Object>) Json.parse(worker.out().strip());
    assertThat(outcome).containsEntry("job_id", id);
    return outcome;
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> results(Map<String, Object> outcome) {
    return (List<Map<String, Object>>) ((Map<String, Object>) outcome.get("result")).get("results");
  }

  private List<Map<String, Object>> evidence(String jobId, String kind) {
    List<Map<String, Object>> found = new ArrayList<>();
    for (Map<String, Object> line :
        Fixtures.jsonl(root.resolve("workspace/local_exec/evidence/" + jobId + ".jsonl"))) {
      if (kind.equals(line.get("kind"))) {
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) line.get("payload");
        found.add(payload);
      }
    }
    return found;
  }

  @Test
  void jobsGetNoSecretUnlessAllowedByName_andNoFormOfOneIsRecorded() throws Exception {
    // Asked for, not allowed: the job fails before anything runs, naming the first.
    Map<String, Object> none = runJob("job-secretask01", List.of(List.of("env")), NAMES);
    assertThat(none)
        .containsEntry("status", "failed")
        .containsEntry("error", "env_not_allowed:" + AWS);
    assertThat(evidence("job-secretask01", "tool_result"))
        .containsExactly(Map.of("name", "subprocess.run_argv", "error", "env_not_allowed:" + AWS));
    assertThat(Files.readString(root.resolve("workspace/local_exec/evidence/job-secretask01.md")))
        .contains("env_not_allowed:" + AWS)
        .contains("--allow-env " + AWS);

    // Patterns never cover a secret's name.
    Map<String, Object> patterns =
        runJob(
            "job-secretask02",
            List.of(List.of("env")),
            List.of(GITHUB),
            "--allow-env",
            "AWS_*,GITHUB_*,LOCAL_EXEC_*,OPENCLAW_*");
    assertThat(patterns)
        .containsEntry("status", "failed")
        .containsEntry("error", "env_not_allowed:" + GITHUB);

    // One allowed exactly: the command sees its value, and only it.
    Map<String, Object> one =
        runJob(
            "job-secretone01",
            List.of(
                List.of("python3", "-c", SHA256, GITHUB),
                List.of("printenv", AWS),
                List.of("printenv", "DESKTOP_SESSION")),
            List.of(GITHUB),
            "--allow-env",
            GITHUB);
    assertThat(one).containsEntry("status", "complete");
    List<Map<String, Object>> oneResults = results(one);
    assertThat(oneResults).extracting(m -> m.get("returncode")).containsExactly(0, 1, 1);
    assertThat(oneResults.get(0).get("stdout")).isEqualTo(sha256(secrets.get(GITHUB)) + "\n");

    // All four allowed and printed in every form: none of it is recorded.
    Map<String, Object> all =
        runJob(
            "job-secretall01",
            List.of(concat(List.of("python3", "-c", PRINT_FORMS), NAMES), List.of("env")),
            NAMES,
            "--allow-env",
            String.join(",", NAMES));
    assertThat(all).containsEntry("status", "complete");
    List<Map<String, Object>> allResults = results(all);
    assertThat(allResults).extracting(m -> m.get("returncode")).containsExactly(0, 0);
    assertThat(allResults.get(0).get("stdout")).isEqualTo("[REDACTED]\n".repeat(24));
    assertThat((String) allResults.get(1).get("stdout"))
        .contains(AWS + "=[REDACTED]\n")
        .contains(GITHUB + "=[REDACTED]\n")
        .contains(PG + "=[REDACTED]\n")
        .contains(VLLM + "=[REDACTED]\n")
        .doesNotContain("DESKTOP_SESSION");

    // A job document holding a secret (here its base64) is refused at enqueue, nothing queued.
    String encoded = Base64.getEncoder().encodeToString(secrets.get(PG).getBytes());
    Run refused =
        cli(
            "refused-enqueue",
            "enqueue",
            "--job-file",
            jobFile("job-secretdoc01", List.of(List.of("echo", encoded)), List.of()));
    assertThat(refused.code()).isEqualTo(3);
    assertThat(refused.err())
        .isEqualTo(
            "local-exec: invalid job: $.payload.commands[0][1]: holds the value of a secret of"
                + " the plane's environment (or an encoding of it); secrets cannot be written into"
                + " job documents: list the variable in env_allow and have the operator allow it"
                + " (--allow-env NAME)\n");
    assertThat(Files.readString(Fixtures.ledger(root))).doesNotContain("job-secretdoc01");

    Run status = cli("status", "status");
    Run verify = cli("verify", "verify");
    assertThat(status.code()).as(status.err()).isZero();
    assertThat(verify.code()).as(verify.out()).isZero();

    List<String> forms = new ArrayList<>();
    for (String v : secrets.values()) {
      forms.addAll(forms(v));
    }
    List<String> leaking = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
        String name = root.relativize(f).toString();
        String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
        names.add(name);
        for (String form : forms) {
          if (text.contains(form)) {
            leaking.add(name);
          }
        }
      }
    }
    assertThat(names)
        .contains(
            "workspace/local_exec/state/jobs.jsonl",
            "workspace/local_exec/evidence/job-secretall01.jsonl",
            "workspace/local_exec/evidence/job-secretall01.md");
    assertThat(leaking).isEmpty();
    for (Run r : runs) {
      for (String form : forms) {
        assertThat(r.out()).doesNotContain(form);
        assertThat(r.err()).doesNotContain(form);
      }
    }
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList())
        .isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void aCommandRunsAsWritten_whenAnEnvironmentValueIsInIt() throws Exception {
    List<String> argv = List.of("grep", "-c", "ubuntu", "/etc/os-release");
    long count =
        Files.readAllLines(Path.of("/etc/os-release")).stream()
            .filter(l -> l.contains("ubuntu"))
            .count();

    Map<String, Object> outcome = runJob("job-grepubuntu01", List.of(argv), List.of());

    assertThat(outcome).containsEntry("status", "complete");
    Map<String, Object> r = results(outcome).get(0);
    assertThat(r.get("argv")).isEqualTo(argv);
    assertThat(r.get("returncode")).isEqualTo(count > 0 ? 0 : 1);
    assertThat(r.get("stdout")).isEqualTo(count + "\n");
    Map<String, Object> call = evidence("job-grepubuntu01", "tool_call").get(0);
    assertThat(((Map<String, Object>) call.get("validated_args")).get("argv")).isEqualTo(argv);
    assertThat(evidence("job-grepubuntu01", "tool_result").get(0))
        .containsEntry("exit_code", count > 0 ? 0 : 1);
    assertThat(Files.readString(Fixtures.ledger(root)))
        .contains("[\"grep\", \"-c\", \"ubuntu\", \"/etc/os-release\"]")
        .doesNotContain("[REDACTED]");
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** The value and the encodings the job prints, as the JDK writes them. */
  private static List<String> forms(String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    return List.of(
        value,
        Base64.getEncoder().encodeToString(b),
        Base64.getUrlEncoder().withoutPadding().encodeToString(b),
        HexFormat.of().formatHex(b),
        HexFormat.of().withUpperCase().formatHex(b),
        URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  private static String sha256(String value) throws NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
  }
}
