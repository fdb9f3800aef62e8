package dev.localexec.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.worker.RunOutcome;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a plane on the PostgreSQL queue closes its connections and ends its threads (the pool's
 * and the shared kill switch's poller).
 */
@ExtendWith(PostgresServer.class)
class PostgresPlaneCloseIT {

  /** A task that completes at once. */
  private static final TaskPlugin NOOP =
      new TaskPlugin() {
        @Override
        public String id() {
          return "noop_task";
        }

        @Override
        public String payloadSchema() {
          return "{\"type\":\"object\"}";
        }

        @Override
        public TaskResult run(TaskContext ctx) {
          return TaskResult.of(Map.of("done", true));
        }
      };

  @TempDir Path root;

  private PostgresQueueConfig config;

  @AfterEach
  void dropSchema() {
    if (config != null) {
      PostgresServer.drop(config);
    }
  }

  /** The server processes of connections named as the queue names its own. */
  private static Set<Integer> queueBackends() throws Exception {
    Set<Integer> pids = new HashSet<>();
    try (Connection c = DriverManager.getConnection(PostgresServer.url());
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'local-exec'"
                    + " AND pid <> pg_backend_pid()")) {
      while (rs.next()) {
        pids.add(rs.getInt(1));
      }
    }
    return pids;
  }

  private static Set<Thread> threads() {
    return new HashSet<>(Thread.getAllStackTraces().keySet());
  }

  @Test
  void close_leavesNoConnectionAndNoThreadOfThePlane() throws Exception {
    config = PostgresServer.freshSchema();
    Set<Integer> before = queueBackends();
    Set<Thread> threadsBefore = threads();
    LocalExecPlane plane =
        LocalExecPlane.builder(root)
            .launcher(new DirectLauncher())
            .environment(Map.of())
            .register(NOOP)
            .queue(PostgresJobQueue.factory(config))
            .build();
    plane.enqueue(
        new Job(
            "job-pgclose001",
            "noop_task",
            "2026-11-24T04:00:00Z",
            Map.of(),
            Budget.of(60, 0, 65_536, 1),
            ToolPolicy.denyAll(),
            null));
    assertThat(plane.killSwitchOn()).isFalse();
    assertThat(plane.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);
    Set<Integer> planes = queueBackends();
    planes.removeAll(before);
    assertThat(planes).as("the plane's connections while it is open").isNotEmpty();

    plane.close();

    Set<Integer> left = new HashSet<>(queueBackends());
    // A server process may take a moment to end after its client said goodbye.
    for (int i = 0; i < 100 && left.stream().anyMatch(planes::contains); i++) {
      Thread.sleep(50);
      left = queueBackends();
    }
    left.retainAll(planes);
    assertThat(left).as("the plane's connections after close").isEmpty();
    List<String> threadsLeft =
        threads().stream()
            .filter(Thread::isAlive)
            .filter(t -> !threadsBefore.contains(t))
            .map(Thread::getName)
            .filter(n -> n.startsWith("local-exec"))
            .toList();
    assertThat(threadsLeft).as("the plane's threads after close").isEmpty();
  }
}
