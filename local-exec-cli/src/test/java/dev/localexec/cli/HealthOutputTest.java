package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.json.Json;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code health} and {@code plane health} print JSON lines only on stdout: the one-line summary
 * (and for {@code plane health} the service's status line) go to stderr.
 */
class HealthOutputTest {
  @TempDir Path root;

  @Test
  void health_printsOneJsonLineOnStdout_andItsSummaryOnStderr() {
    Cli cli = new Cli(root);
    assertThat(cli.run("--sandbox", "none", "enqueue", "--demo").code()).isZero();

    Cli.Result r = cli.run("--sandbox", "none", "health");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.lines())
        .hasSize(1)
        .allSatisfy(l -> assertThat(Json.parse(l)).isInstanceOf(Map.class));
    assertThat(r.json(0)).containsEntry("ok", true);
    assertThat(r.err())
        .startsWith(
            "health: ok kill_switch=off sandbox=none queued=1 running=0 complete=0 failed=0 events=")
        .contains(" last=enqueue@")
        .endsWith("\n");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void planeHealth_printsOneJsonLineOnStdout_andTheSummaryAndStatusOnStderr() {
    Cli.Result r = new Cli(root).run("--sandbox", "none", "plane", "health", "--mode", "pidfile");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.lines())
        .hasSize(1)
        .allSatisfy(l -> assertThat(Json.parse(l)).isInstanceOf(Map.class));
    assertThat(r.json(0).get("worker")).isInstanceOf(Map.class);
    assertThat(r.err().lines().toList())
        .hasSize(2)
        .satisfies(l -> assertThat(l.get(0)).startsWith("health: ok "))
        .satisfies(l -> assertThat(l.get(1)).isEqualTo("fallback worker inactive"));
  }
}
