package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.localexec.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The six attacks of a hostile job author, each run as a real {@code test_runner_task} job under
 * bubblewrap ({@code allow_network: false}) in a fresh repo root, through the CLI in separate JVMs
 * as an operator runs it. Each test asserts, from outside the sandbox (host files, {@code /proc},
 * the ledger), the defended outcome: the plane's folder is neither renamed nor replaced, no jar
 * from the root is loaded, no file outside the root changes, the kill switch still stops the job,
 * {@code .git/config} is unchanged, and a job whose output is huge ends exactly once.
 */
class HostileJobIT extends HostileRepoTest {
  // ---------------------------------------------------------------------------------------------
  // Attack 1: a plug-in jar planted where the plane loads plug-ins from, so that the operator's
  // next CLI call runs its code in the host JVM, outside bubblewrap.
  // ---------------------------------------------------------------------------------------------

  /**
   * A jar with a task plug-in whose static initializer writes {@code marker}; its class is compiled
   * against the task SPI on the class path.
   */
  private Path plantedJar(Path jar, Path marker) throws IOException {
    Path src = Files.createDirectories(outside.resolve("planted-src/planted"));
    Files.writeString(
        src.resolve("PlantedPlugin.java"),
        String.join(
            "\n",
            "package planted;",
            "public final class PlantedPlugin implements dev.localexec.api.spi.TaskPlugin {",
            "  static {",
            "    try {",
            "      java.nio.file.Files.writeString(java.nio.file.Path.of(\""
                + marker
                + "\"), \"ran in the host JVM\\n\");",
            "    } catch (java.io.IOException e) {",
            "      throw new java.io.UncheckedIOException(e);",
            "    }",
            "  }",
            "  public String id() { return \"planted_task\"; }",
            "  public String payloadSchema() { return \"{\\\"type\\\": \\\"object\\\"}\"; }",
            "  public dev.localexec.api.spi.TaskResult run(dev.localexec.api.spi.TaskContext c) {",
            "    throw new UnsupportedOperationException();",
            "  }",
            "}",
            ""));
    Path classes = Files.createDirectories(outside.resolve("planted-classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK compiler").isNotNull();
    int rc =
        javac.run(
            null,
            null,
            null,
            "-d",
            classes.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            src.resolve("PlantedPlugin.java").toString());
    assertThat(rc).as("the planted plug-in compiles").isZero();
    Files.createDirectories(jar.getParent());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("META-INF/services/dev.localexec.api.spi.TaskPlugin"));
      out.write("planted.PlantedPlugin\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      out.putNextEntry(new JarEntry("planted/PlantedPlugin.class"));
      out.write(Files.readAllBytes(classes.resolve("planted/PlantedPlugin.class")));
      out.closeEntry();
    }
    return jar;
  }

  /** The operator's next calls, {@code status} and {@code health}: no jar loaded, no trace. */
  private void assertNextCallsLoadNoJar(Path marker) throws Exception {
    for (String command : List.of("status", "health")) {
      HostileRepo.Run r = repo.cli(command);
      softly
          .assertThat(marker)
          .as("the planted jar's static initializer ran in the operator's `%s`: %s", command, r)
          .doesNotExist();
      softly.assertThat(r.traceLines()).as("stack trace lines of `%s`: %s", command, r).isEmpty();
    }
  }

  @Test
  void attack1_pluginJarPlantedAfterRenamingTheWorkspace_isNeitherPlantedNorLoaded()
      throws Exception {
    Path marker = outside.resolve("planted-jar-ran");
    // Repository content is hostile: the repo carries the jar, the job moves it into place.
    plantedJar(root.resolve("tools/x.jar"), marker);
    repo.enqueue(
        HostileRepo.job(
            "job-plantjar01",
            List.of(
                python(
                    "import os,shutil;os.rename('workspace','ws_old');"
                        + "os.makedirs('workspace/local_exec/plugins',exist_ok=True);"
                        + "shutil.copy('tools/x.jar','workspace/local_exec/plugins/x.jar')"))));

    Map<String, Object> outcome = repo.runOnce();

    assertNextCallsLoadNoJar(marker);
    softly
        .assertThat(HostileRepo.returncode(outcome, 0))
        .as("the rename of workspace failed inside the sandbox: %s", outcome)
        .isNotEqualTo(0);
    assertWorkspaceInPlace("ws_old");
  }

  @Test
  void attack1_repoThatCarriesAPluginJar_isNotLoadedByTheOperatorsCalls() throws Exception {
    Path marker = outside.resolve("carried-jar-ran");
    // No escape needed: a repository cloned from anywhere already holds the jar.
    plantedJar(root.resolve("workspace/local_exec/plugins/x.jar"), marker);

    assertNextCallsLoadNoJar(marker);
  }

  // ---------------------------------------------------------------------------------------------
  // Attack 2: a forged ledger that verifies: the job copies the ledger into a new workspace and
  // appends an `enqueue` of a job with allow_network true, chained with plain SHA-256.
  // ---------------------------------------------------------------------------------------------

  /** The forger, shipped in the hostile repo: rename, copy, append one chained forged enqueue. */
  private static final String FORGE_PY =
      String.join(
          "\n",
          "import datetime, hashlib, json, os, shutil, sys",
          "forged_id, url = sys.argv[1], sys.argv[2]",
          "os.rename('workspace', 'ws_old')",
          "shutil.copytree('ws_old', 'workspace', symlinks=True, dirs_exist_ok=True)",
          "ledger = 'workspace/local_exec/state/jobs.jsonl'",
          "lines = [json.loads(l) for l in open(ledger, encoding='utf-8') if l.strip()]",
          "template = next(l for l in lines if l.get('event') == 'enqueue')",
          "head = [l for l in lines if 'hash' in l][-1]",
          "job = json.loads(json.dumps(template['job']))",
          "job['job_id'] = forged_id",
          "job['tool_policy']['allow_network'] = True",
          "job['payload']['commands'] = [['python3', '-c',",
          "    'import urllib.request as u; u.urlopen(%r, timeout=10).read()' % url]]",
          "now = datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%S.%fZ')",
          "event = {'ts_utc': now, 'event': 'enqueue',",
          "         'validator_mode': template['validator_mode'], 'job': job,",
          "         'seq': head['seq'] + 1}",
          "canonical = json.dumps(event, sort_keys=True, separators=(',', ':'))",
          "event['hash'] = hashlib.sha256(",
          "    (head['hash'] + '\\n' + canonical).encode('utf-8')).hexdigest()",
          "with open(ledger, 'a', encoding='utf-8') as f:",
          "    f.write(json.dumps(event) + '\\n')",
          "");

  @Test
  void attack2_forgedLedgerEnqueue_neverRunsIsNotListedAndDoesNotVerify() throws Exception {
    String forged = "job-forged0001";
    AtomicInteger requests = new AtomicInteger();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/forged";
      Fixtures.write(root, "tools/forge.py", FORGE_PY);
      repo.enqueue(
          HostileRepo.job(
              "job-forger0001",
              List.of(List.of("python3", "tools/forge.py", forged, url)),
              false,
              65536,
              60));

      Map<String, Object> first = repo.runOnce();
      Map<String, Object> second = repo.runOnce();
      HostileRepo.Run status = repo.cli("status");
      HostileRepo.Run verify = repo.cli("verify");

      softly
          .assertThat(requests.get())
          .as("requests the forged job made to the loopback server; second run: %s", second)
          .isZero();
      softly.assertThat(second.get("job_id")).as("the second worker run").isNotEqualTo(forged);
      softly
          .assertThat(status.out())
          .as("status lists the forged job: %s", status)
          .doesNotContain(forged);
      boolean forgedInLedger =
          Files.exists(repo.ledger())
              && Files.readString(repo.ledger(), StandardCharsets.UTF_8)
                  .contains("\"job_id\": \"" + forged + "\"");
      softly
          .assertThat(forgedInLedger && verify.code() == 0)
          .as("verify passes a ledger that holds the forged enqueue: %s", verify)
          .isFalse();
      softly
          .assertThat(HostileRepo.returncode(first, 0))
          .as("the forger's rename failed inside the sandbox: %s", first)
          .isNotEqualTo(0);
      assertWorkspaceInPlace("ws_old");
    } finally {
      server.stop(0);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Attack 3: a host file outside the root overwritten: workspace replaced by a symlink to a
  // folder where evidence/<id>.md.tmp links to the victim, which the worker writes its summary to.
  // ---------------------------------------------------------------------------------------------

  @Test
  void attack3_summaryLinkedToAFileOutsideTheRoot_leavesThatFileUnchanged() throws Exception {
    String id = "job-hostfile01";
    Path victim = outside.resolve("victim.txt");
    String original = "the operator's file, not to be touched\n";
    Files.writeString(victim, original, StandardCharsets.UTF_8);
    repo.enqueue(
        HostileRepo.job(
            id,
            List.of(
                python(
                    "import os,shutil,sys;os.rename('workspace','ws_old');"
                        + "shutil.copytree('ws_old','evil',symlinks=True);"
                        + "os.symlink(sys.argv[1],'evil/local_exec/evidence/'+sys.argv[2]+'.md.tmp');"
                        + "os.symlink('evil','workspace')",
                    victim.toString(),
                    id))));

    Map<String, Object> outcome = repo.runOnce();

    softly
        .assertThat(Files.readString(victim, StandardCharsets.UTF_8))
        .as("the file outside the root after the worker wrote the summary")
        .isEqualTo(original);
    softly
        .assertThat(HostileRepo.returncode(outcome, 0))
        .as("the rename of workspace failed inside the sandbox")
        .isNotEqualTo(0);
    assertWorkspaceInPlace("ws_old");
    softly.assertThat(root.resolve("evil/local_exec/evidence/" + id + ".md.tmp")).doesNotExist();
  }

  // ---------------------------------------------------------------------------------------------
  // Attack 4: the kill switch defeated: state/KILL_SWITCH made a symlink to /proc/nonexistent/ks
  // while the job sleeps, so that `kill-switch on` cannot create it and `status` reads it as off.
  // ---------------------------------------------------------------------------------------------

  @Test
  void attack4_killSwitchLinkedAway_stillTurnsOnAndStopsTheJob() throws Exception {
    String id = "job-killswitch01";
    String marker = "LOCAL_EXEC_HOSTILE_" + UUID.randomUUID().toString().replace("-", "");
    repo.enqueue(
        HostileRepo.job(
            id,
            List.of(
                python(
                    "import os,shutil;os.rename('workspace','ws_old');"
                        + "shutil.copytree('ws_old','workspace',symlinks=True,dirs_exist_ok=True);"
                        + "k='workspace/local_exec/state/KILL_SWITCH';"
                        + "os.path.lexists(k) and os.remove(k);"
                        + "os.symlink('/proc/nonexistent/ks',k)"),
                List.of("env", marker + "=1", "sleep", "90")),
            false,
            65536,
            120));
    Process worker = repo.startWorkerLoop();
    long until = System.currentTimeMillis() + 60_000;
    while (Fixtures.processesWithEnvironment(marker) == 0 && System.currentTimeMillis() < until) {
      Thread.sleep(50);
    }
    assertThat(Fixtures.processesWithEnvironment(marker))
        .as("the job's sleep runs (after the first command)")
        .isPositive();

    HostileRepo.Run on = repo.cli("kill-switch", "on", "hostile job test");
    HostileRepo.Run ks = repo.cli("kill-switch", "status");
    boolean workerEnded = worker.waitFor(30, TimeUnit.SECONDS);
    long left = Fixtures.processesWithEnvironment(marker);
    HostileRepo.Run job = repo.cli("status", id);

    softly.assertThat(on.code()).as("kill-switch on: %s", on).isZero();
    softly
        .assertThat(ks.jsonOrEmpty())
        .as("kill-switch status after turning it on")
        .containsEntry("status", "kill_switch_on");
    softly
        .assertThat(left)
        .as("processes of the job left 30 s after the switch was turned on")
        .isZero();
    softly.assertThat(workerEnded).as("the worker loop ended on the kill switch").isTrue();
    softly.assertThat(job.code()).as("status %s: %s", id, job).isZero();
    softly.assertThat(job.jsonOrEmpty()).containsEntry("state", "failed");
    softly
        .assertThat(String.valueOf(job.jsonOrEmpty().get("error")))
        .as("the job's error")
        .startsWith("kill_switch:");
  }

  // ---------------------------------------------------------------------------------------------
  // Attack 5: code on the host through git: `git config core.fsmonitor <command>` inside the
  // sandbox, run by the operator's next `git status` outside it.
  // ---------------------------------------------------------------------------------------------

  @Test
  void attack5_gitConfigFsmonitor_isRefusedInsideAndGitConfigIsUnchanged() throws Exception {
    assertThat(repo.host(List.of("git", "init", "-q", "."))).isZero();
    Path config = root.resolve(".git/config");
    byte[] before = Files.readAllBytes(config);
    Path marker = outside.resolve("fsmonitor-ran");
    repo.enqueue(
        HostileRepo.job(
            "job-gitconfig01",
            List.of(List.of("git", "config", "core.fsmonitor", "touch " + marker + " #"))));

    Map<String, Object> outcome = repo.runOnce();
    // Harmless even when the attack works: the hook only touches a file in a test folder.
    repo.host(List.of("git", "status", "--porcelain"));

    softly
        .assertThat(new String(Files.readAllBytes(config), StandardCharsets.UTF_8))
        .as(".git/config after the job")
        .isEqualTo(new String(before, StandardCharsets.UTF_8));
    softly
        .assertThat(marker)
        .as("the operator's git status ran the job's fsmonitor")
        .doesNotExist();
    softly
        .assertThat(HostileRepo.returncode(outcome, 0))
        .as("git config failed inside the sandbox: %s", outcome)
        .isNotEqualTo(0);
  }

  // ---------------------------------------------------------------------------------------------
  // Attack 6: a job that re-runs forever: 100 MB of output (the schema's max_output_bytes, 100 MiB
  // today) cannot be recorded, and the job is claimed again at every lease expiry.
  // ---------------------------------------------------------------------------------------------

  /** The schema's ceiling for {@code budgets.max_output_bytes}. */
  @SuppressWarnings("unchecked")
  private static long maxOutputBytesCeiling() throws IOException {
    try (InputStream in =
        HostileJobIT.class.getResourceAsStream("/dev/localexec/core/schemas/job.schema.json")) {
      assertThat(in).as("the job schema on the class path").isNotNull();
      Map<String, Object> schema =
          (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      Map<String, Object> budgets =
          (Map<String, Object>) ((Map<String, Object>) schema.get("properties")).get("budgets");
      Map<String, Object> max =
          (Map<String, Object>)
              ((Map<String, Object>) budgets.get("properties")).get("max_output_bytes");
      return ((Number) max.get("maximum")).longValue();
    }
  }

  @Test
  void attack6_hundredMegabytesOfOutput_endsExactlyOnceAndStaysEnded() throws Exception {
    String id = "job-floodonce01";
    long budget = maxOutputBytesCeiling();
    repo.enqueue(
        HostileRepo.job(
            id,
            // Exactly the budget, kept whole: it fits the budget but not the record.
            List.of(python("import sys;sys.stdout.write('a'*" + budget + ")")),
            false,
            budget,
            600));
    Process worker = repo.startWorkerLoop("--lease-sec", "3");
    long deadline = System.currentTimeMillis() + 240_000;
    long endedAt = -1;
    List<String> events = repo.ledgerEvents(id);
    long peakRssKb = 0;
    while (System.currentTimeMillis() < deadline) {
      Thread.sleep(500);
      peakRssKb = Math.max(peakRssKb, rssKb(worker.pid()));
      events = repo.ledgerEvents(id);
      long claims = events.stream().filter("claim"::equals).count();
      boolean ended = events.contains("complete") || events.contains("fail");
      if (ended && endedAt < 0) {
        endedAt = System.currentTimeMillis();
      }
      // Past the end, wait three lease periods: a job that was not really ended is claimed again.
      if ((endedAt > 0 && System.currentTimeMillis() - endedAt > 10_000) || claims >= 3) {
        break;
      }
    }
    HostileRepo.Run on = repo.cli("kill-switch", "on", "flood test done");
    assertThat(on.code()).as("%s", on).isZero();
    boolean workerEnded = worker.waitFor(120, TimeUnit.SECONDS);
    events = repo.ledgerEvents(id);
    HostileRepo.Run status = repo.cli("status", id);

    String seen =
        "ledger events of the job without heartbeats "
            + events.stream().filter(e -> !e.equals("heartbeat")).toList()
            + "; worker peak RSS "
            + peakRssKb / 1024
            + " MiB";
    softly
        .assertThat(events.stream().filter("claim"::equals).count())
        .as("claims of the job: %s", seen)
        .isEqualTo(1);
    softly
        .assertThat(events.stream().filter(e -> e.equals("complete") || e.equals("fail")).count())
        .as("final events of the job: %s", seen)
        .isEqualTo(1);
    softly.assertThat(workerEnded).as("the worker loop ended on the kill switch").isTrue();
    softly.assertThat(status.code()).as("%s", status).isZero();
    softly
        .assertThat(String.valueOf(status.jsonOrEmpty().get("state")))
        .as("the job's state in `status`: %s", status)
        .isIn("complete", "failed");
  }

  /** The resident memory of a process in KiB, 0 when it cannot be read. */
  private static long rssKb(long pid) {
    for (String line : Fixtures.readQuietly(Path.of("/proc/" + pid + "/status")).split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }
}
