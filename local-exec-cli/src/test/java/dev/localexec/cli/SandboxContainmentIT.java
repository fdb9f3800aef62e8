package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a job's commands may not touch in its own repo root, run as real jobs under bubblewrap
 * through the CLI in separate JVMs: the plane's state and evidence, the plane's folder and its
 * parent, and the repository's git control files. Each write fails inside the sandbox (the command
 * exits non-zero) and nothing changes on the host.
 */
class SandboxContainmentIT extends HostileRepoTest {
  /** Runs one job of {@code python3 -c} scripts under bubblewrap; its worker outcome. */
  private Map<String, Object> runScripts(String id, String... scripts) throws Exception {
    List<List<String>> commands = java.util.Arrays.stream(scripts).map(s -> python(s)).toList();
    repo.enqueue(HostileRepo.job(id, commands));
    return repo.runOnce();
  }

  /** Every command of the outcome exited non-zero: its write failed inside the sandbox. */
  private void assertEachFailedInside(Map<String, Object> outcome) {
    for (Map<String, Object> r : HostileRepo.results(outcome)) {
      softly
          .assertThat(r.get("returncode"))
          .as("exit of %s inside the sandbox (stderr: %s)", r.get("argv"), r.get("stderr"))
          .isNotEqualTo(0);
    }
  }

  @Test
  void writesIntoThePlaneState_failInsideAndChangeNothing() throws Exception {
    Map<String, Object> outcome =
        runScripts(
            "job-writestate01",
            "open('workspace/local_exec/state/jobs.jsonl','a').write('{\"'+'PLANTED'+'_BY_JOB\": 1}\\n')",
            "open('workspace/local_exec/state/planted','w').write('x')",
            "open('workspace/local_exec/state/KILL_SWITCH','w').write('x')");

    // The text is put together at run time: the ledger holds the script itself.
    softly
        .assertThat(Files.readString(repo.ledger(), StandardCharsets.UTF_8))
        .doesNotContain("PLANTED_BY_JOB");
    softly.assertThat(root.resolve("workspace/local_exec/state/planted")).doesNotExist();
    softly.assertThat(root.resolve("workspace/local_exec/state/KILL_SWITCH")).doesNotExist();
    assertEachFailedInside(outcome);
  }

  @Test
  void writesIntoTheEvidence_failInsideAndChangeNothing() throws Exception {
    Map<String, Object> outcome =
        runScripts(
            "job-writeevid01",
            "open('workspace/local_exec/evidence/job-writeevid01.jsonl','a')"
                + ".write('{\"'+'PLANTED'+'_BY_JOB\": 1}\\n')",
            "open('workspace/local_exec/evidence/planted.jsonl','w').write('x')");

    // The text is put together at run time: the evidence holds the script itself.
    softly
        .assertThat(root.resolve("workspace/local_exec/evidence/job-writeevid01.jsonl"))
        .content(StandardCharsets.UTF_8)
        .doesNotContain("PLANTED_BY_JOB");
    softly.assertThat(root.resolve("workspace/local_exec/evidence/planted.jsonl")).doesNotExist();
    assertEachFailedInside(outcome);
  }

  @Test
  void renamingThePlaneFolder_failsInsideAndChangesNothing() throws Exception {
    Map<String, Object> outcome =
        runScripts(
            "job-renameplane01", "import os;os.rename('workspace/local_exec','workspace/le')");

    assertWorkspaceInPlace("workspace/le");
    assertEachFailedInside(outcome);
  }

  @Test
  void replacingTheWorkspaceWithASymlink_failsInsideAndChangesNothing() throws Exception {
    Map<String, Object> outcome =
        runScripts(
            "job-linkworkspace01",
            "import os;os.makedirs('decoy/local_exec/state');os.rename('workspace','ws_old');"
                + "os.symlink('decoy','workspace')");

    assertWorkspaceInPlace("ws_old");
    assertEachFailedInside(outcome);
  }

  @Test
  void writesIntoGitControlFiles_failInsideAndChangeNothing() throws Exception {
    assertThat(repo.host(List.of("git", "init", "-q", "."))).isZero();
    String config = Files.readString(root.resolve(".git/config"), StandardCharsets.UTF_8);
    String exclude = Files.readString(root.resolve(".git/info/exclude"), StandardCharsets.UTF_8);

    Map<String, Object> outcome =
        runScripts(
            "job-gitfiles01",
            "open('.git/hooks/x','w').write('#!/bin/sh\\nexit 0\\n')",
            "open('.git/hooks/pre-commit','w').write('#!/bin/sh\\nexit 0\\n')",
            "open('.git/config','a').write('[core]\\n\\thooksPath = /tmp\\n')",
            "open('.git/info/exclude','a').write('*\\n')");

    softly.assertThat(root.resolve(".git/hooks/x")).doesNotExist();
    softly.assertThat(root.resolve(".git/hooks/pre-commit")).doesNotExist();
    softly
        .assertThat(Files.readString(root.resolve(".git/config"), StandardCharsets.UTF_8))
        .as(".git/config after the job")
        .isEqualTo(config);
    softly
        .assertThat(Files.readString(root.resolve(".git/info/exclude"), StandardCharsets.UTF_8))
        .as(".git/info/exclude after the job")
        .isEqualTo(exclude);
    assertEachFailedInside(outcome);
  }
}
