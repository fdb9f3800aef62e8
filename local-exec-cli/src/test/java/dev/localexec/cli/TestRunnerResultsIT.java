package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.worker.RunOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** test_runner_task reads the test results its commands leave: JUnit XML reports and TAP. */
class TestRunnerResultsIT {
  @TempDir Path root;

  private static final String POM =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <project xmlns="http://maven.apache.org/POM/4.0.0">
        <modelVersion>4.0.0</modelVersion>
        <groupId>demo</groupId>
        <artifactId>calc</artifactId>
        <version>1.0</version>
        <properties>
          <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          <maven.compiler.release>17</maven.compiler.release>
        </properties>
        <dependencyManagement>
          <dependencies>
            <dependency>
              <groupId>org.junit</groupId>
              <artifactId>junit-bom</artifactId>
              <version>5.14.4</version>
              <type>pom</type>
              <scope>import</scope>
            </dependency>
          </dependencies>
        </dependencyManagement>
        <dependencies>
          <dependency>
            <groupId>org.junit.jupiter</groupId>
            <artifactId>junit-jupiter</artifactId>
            <scope>test</scope>
          </dependency>
        </dependencies>
        <build>
          <plugins>
            <plugin>
              <groupId>org.apache.maven.plugins</groupId>
              <artifactId>maven-resources-plugin</artifactId>
              <version>3.5.0</version>
            </plugin>
            <plugin>
              <groupId>org.apache.maven.plugins</groupId>
              <artifactId>maven-compiler-plugin</artifactId>
              <version>3.14.0</version>
            </plugin>
            <plugin>
              <groupId>org.apache.maven.plugins</groupId>
              <artifactId>maven-surefire-plugin</artifactId>
              <version>3.6.1</version>
            </plugin>
          </plugins>
        </build>
      </project>
      """;

  private static final String CALC_TEST =
      """
      import static org.junit.jupiter.api.Assertions.assertEquals;

      import org.junit.jupiter.api.Test;

      class CalcTest {
        @Test
        void adds() {
          assertEquals(3, 1 + 2);
        }

        @Test
        void fails() {
          assertEquals(3, 2 + 2);
        }
      }
      """;

  @Test
  @SuppressWarnings("unchecked")
  void mavenProjectWithOneFailingTest_reportsTheCountsAndTheFailure() throws IOException {
    // The project's own Maven wrapper: the same Maven and plugin versions as this build, so the
    // local repository holds everything the offline build below needs.
    Path mvnw = Path.of(System.getProperty("user.dir")).getParent().resolve("mvnw");
    assumeTrue(Files.isExecutable(mvnw), "the Maven wrapper is not at " + mvnw);
    Path repo = Path.of(System.getProperty("user.home"), ".m2", "repository");
    assumeTrue(
        Files.isDirectory(repo.resolve("org/junit/jupiter/junit-jupiter/5.14.4")),
        "the local Maven repository " + repo + " lacks junit-jupiter 5.14.4 (run offline)");
    Files.writeString(root.resolve("pom.xml"), POM);
    Files.createDirectories(root.resolve("src/test/java"));
    Files.writeString(root.resolve("src/test/java/CalcTest.java"), CALC_TEST);

    // No sandbox here: Maven needs the user's local repository (~/.m2), which the bubblewrap
    // sandbox does not expose (it hides the home folder), and the build runs offline anyway.
    // HOME and JAVA_HOME are not in the default allowlist: the operator allows them here.
    LocalExecPlane plane =
        LocalExecPlane.builder(root)
            .discoverPlugins()
            .sandbox(SandboxMode.NONE)
            .allowEnv(List.of("HOME", "JAVA_HOME"))
            // mvnw is a #!/bin/sh script, which the shell rule counts as a shell.
            .allowShells(true)
            .build();
    Map<String, Object> payload =
        Map.of(
            "commands",
            List.of(
                List.of(mvnw.toString(), "-o", "-q", "-B", "test", "-Dmaven.repo.local=" + repo)),
            "timeout_sec",
            300,
            "env_allow",
            List.of("HOME", "JAVA_HOME"),
            "reports",
            List.of("target/surefire-reports/*.xml"));
    RunOutcome o = run(plane, "job-mavencalc01", payload);

    assertThat(o.status()).as(String.valueOf(o.error())).isEqualTo(RunOutcome.Status.COMPLETE);
    Map<String, Object> first = ((List<Map<String, Object>>) o.result().get("results")).get(0);
    assertThat(first.get("returncode")).as(String.valueOf(first.get("stdout"))).isEqualTo(1);
    Map<String, Object> tests = (Map<String, Object>) o.result().get("tests");
    assertThat(tests)
        .containsEntry("tests", 2L)
        .containsEntry("passed", 1L)
        .containsEntry("failed", 1L)
        .containsEntry("errored", 0L)
        .containsEntry("skipped", 0L);
    List<Map<String, Object>> failures = (List<Map<String, Object>>) tests.get("failures");
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0)).containsEntry("name", "CalcTest.fails");
    assertThat((String) failures.get(0).get("message")).contains("expected: <3> but was: <4>");
    assertThat(o.result().get("reports_read"))
        .isEqualTo(List.of("target/surefire-reports/TEST-CalcTest.xml"));
    assertThat(Files.readString(root.resolve(o.summary())))
        .contains("| **total** |  | 2 | 1 | 1 | 0 | 0 |")
        .contains("- `CalcTest.fails`: expected: <3> but was: <4>");
  }

  @Test
  @SuppressWarnings("unchecked")
  void tapStream_isCountedFromTheCommandsOutput() throws IOException {
    LocalExecPlane plane = LocalExecPlane.builder(root).discoverPlugins().build();
    // printf expands the \n escapes of its format: no shell is involved.
    String tap =
        "TAP version 13\\n1..4\\nok 1 - adds\\nok 2 - divides # SKIP no floats\\n"
            + "not ok 3 - subtracts\\n  ---\\n  message: \"expected: <3> but was: <4>\"\\n"
            + "  ...\\nok 4 - multiplies\\n";
    Map<String, Object> payload =
        Map.of("commands", List.of(List.of("printf", tap)), "timeout_sec", 30);
    RunOutcome o = run(plane, "job-tapstream01", payload);

    assertThat(o.status()).as(String.valueOf(o.error())).isEqualTo(RunOutcome.Status.COMPLETE);
    Map<String, Object> expected =
        Map.of(
            "tests",
            4L,
            "passed",
            2L,
            "failed",
            1L,
            "errored",
            0L,
            "skipped",
            1L,
            "failures",
            List.of(Map.of("name", "subtracts", "message", "expected: <3> but was: <4>")));
    Map<String, Object> first = ((List<Map<String, Object>>) o.result().get("results")).get(0);
    assertThat(first.get("tests")).isEqualTo(expected);
    assertThat(o.result().get("tests")).isEqualTo(expected);
    assertThat(o.result().get("reports_read")).isEqualTo(List.of());
    assertThat(Files.readString(root.resolve(o.summary())))
        .contains("| cmd_1 | 0 | 4 | 2 | 1 | 0 | 1 |")
        .endsWith("## Failures\n\n- `subtracts`: expected: <3> but was: <4>\n");
  }

  private static RunOutcome run(LocalExecPlane plane, String jobId, Map<String, Object> payload) {
    String doc =
        Json.line(
            Map.of(
                "job_id",
                jobId,
                "job_type",
                "test_runner_task",
                "created_at_utc",
                "2026-11-24T00:00:00Z",
                "payload",
                payload,
                "budgets",
                Map.of(
                    "max_wall_time_sec", 600,
                    "max_tool_calls", 10,
                    "max_output_bytes", 1_048_576,
                    "max_concurrency_slots", 1),
                "tool_policy",
                Map.of(
                    "allow_network", false,
                    "allow_subprocess", true,
                    "allowed_tools", List.of())));
    plane.enqueue(plane.parseJob(doc));
    return plane.runOnce();
  }
}
