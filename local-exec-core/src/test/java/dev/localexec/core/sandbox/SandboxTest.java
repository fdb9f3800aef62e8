package dev.localexec.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.PolicyViolationException;
import dev.localexec.core.exec.LaunchSpec;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.sandbox.UnavailableLauncher;
import dev.localexec.core.internal.sandbox.UnshareLauncher;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

class SandboxTest {

  @Test
  void toMap_hasTheThreeKeysInOrder() {
    Map<String, Object> m = Sandbox.unshare().toMap();

    assertThat(m.keySet()).containsExactly("mechanism", "enforces", "not_enforced");
    assertThat(m.get("mechanism")).isEqualTo("unshare");
    assertThat(m.get("enforces"))
        .asInstanceOf(InstanceOfAssertFactories.LIST)
        .containsExactly(
            "network_namespace",
            "pid_namespace_tree_kill",
            "argv_only",
            "cleared_environment",
            "cwd_inside_root");
    assertThat(m.get("not_enforced"))
        .asInstanceOf(InstanceOfAssertFactories.LIST)
        .startsWith("filesystem_isolation", "root_only_files_hidden");
  }

  @Test
  void of_knowsTheLaunchersByName() {
    assertThat(Sandbox.of(new DirectLauncher())).isEqualTo(Sandbox.none());
    assertThat(Sandbox.of(new UnshareLauncher())).isEqualTo(Sandbox.unshare());
    assertThat(Sandbox.of(new UnavailableLauncher("x"))).isEqualTo(Sandbox.unavailable());
    assertThat(Sandbox.bwrap().enforces())
        .contains(
            "network_namespace",
            "pid_namespace_tree_kill",
            "read_only_system",
            "private_tmp",
            "writable_repo_root_only",
            "plane_folder_read_only",
            "control_files_read_only",
            "no_capabilities",
            "cleared_environment",
            "argv_only");
    assertThat(Sandbox.none().notEnforced())
        .contains("network_namespace", "pid_namespace_tree_kill", "filesystem_isolation");
  }

  @Test
  void of_anotherLauncher_claimsOnlyWhatTheRunnerEnforces() {
    ProcessLauncher custom =
        new ProcessLauncher() {
          @Override
          public String name() {
            return "firejail";
          }

          @Override
          public Process start(LaunchSpec spec) {
            throw new UnsupportedOperationException();
          }
        };

    assertThat(Sandbox.of(custom))
        .isEqualTo(
            new Sandbox(
                "firejail",
                List.of("argv_only", "cleared_environment", "cwd_inside_root"),
                List.of("unknown_mechanism")));
  }

  @Test
  void forNetwork_movesNetworkNamespaceToNotEnforced() {
    Sandbox s = Sandbox.bwrap().forNetwork(true);

    assertThat(s.enforces()).doesNotContain("network_namespace").contains("no_capabilities");
    assertThat(s.notEnforced()).startsWith("network_namespace", "unprivileged_uid");
    assertThat(Sandbox.bwrap().forNetwork(false)).isSameAs(Sandbox.bwrap());
    assertThat(Sandbox.none().forNetwork(true)).isSameAs(Sandbox.none());
  }

  @Test
  void unavailableLauncher_refusesWithSandboxUnavailable() {
    UnavailableLauncher l = new UnavailableLauncher("no bwrap; install bubblewrap");

    PolicyViolationException e =
        catchThrowableOfType(PolicyViolationException.class, l::checkAvailable);
    PolicyViolationException onStart =
        catchThrowableOfType(
            PolicyViolationException.class,
            () -> l.start(new LaunchSpec(List.of("true"), Path.of("/"), Map.of(), false)));

    assertThat(e.code()).isEqualTo("sandbox_unavailable");
    assertThat(e.getMessage()).isEqualTo("subprocess refused: no bwrap; install bubblewrap");
    assertThat(onStart.code()).isEqualTo("sandbox_unavailable");
  }

  @Test
  void sandboxMode_parse() {
    assertThat(SandboxMode.parse("auto")).isEqualTo(SandboxMode.AUTO);
    assertThat(SandboxMode.parse("BWRAP")).isEqualTo(SandboxMode.BWRAP);
    assertThat(SandboxMode.parse(" none ")).isEqualTo(SandboxMode.NONE);
    IllegalArgumentException e =
        catchThrowableOfType(IllegalArgumentException.class, () -> SandboxMode.parse("docker"));
    assertThat(e.getMessage())
        .isEqualTo("unknown sandbox mode 'docker'; use one of auto, bwrap, unshare, none");
  }
}
