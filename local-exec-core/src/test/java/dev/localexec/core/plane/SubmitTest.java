package dev.localexec.core.plane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Job;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalExecPlane#submit}: the future of a job completes with its final ledger event's result
 * when any worker of the queue finishes it, here a worker of another plane on the same root, as a
 * worker in another process would be.
 */
class SubmitTest {
  @TempDir Path root;

  /** Echoes {@code word}; fails the job for the word {@code explode}. */
  private static final class Echo implements TaskPlugin {
    @Override
    public String id() {
      return "echo_task";
    }

    @Override
    public String payloadSchema() {
      return "{\"type\":\"object\",\"required\":[\"word\"],"
          + "\"properties\":{\"word\":{\"type\":\"string\"}}}";
    }

    @Override
    public TaskResult run(TaskContext context) {
      Object word = context.job().payload().get("word");
      if ("explode".equals(word)) {
        throw new IllegalStateException("asked to explode");
      }
      return TaskResult.of(Map.of("echo", String.valueOf(word)));
    }
  }

  private LocalExecPlane plane(String workerId) {
    return LocalExecPlane.builder(root)
        .environment(Map.of())
        .launcher(new DirectLauncher())
        .register(new Echo())
        .workerOptions(WorkerOptions.defaults().withWorkerId(workerId))
        .build();
  }

  private static Job echo(String word) {
    return Job.builder("echo_task").payload(Map.of("word", word)).build();
  }

  @Test
  void futuresOfJobsSubmittedFromFourThreads_completeWhenAnotherPlanesWorkerFinishesThem()
      throws Exception {
    Map<String, JobHandle> handles = new ConcurrentHashMap<>();
    try (LocalExecPlane submitter = plane("submitter");
        LocalExecPlane other = plane("w-other")) {
      ExecutorService threads = Executors.newFixedThreadPool(4);
      List<Future<?>> submits = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        submits.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 5; i++) {
                    String word = "w" + thread + "-" + i;
                    handles.put(word, submitter.submit(echo(word)));
                  }
                }));
      }
      for (Future<?> f : submits) {
        f.get(30, TimeUnit.SECONDS);
      }
      threads.shutdown();

      assertThat(other.worker().drain(Duration.ofMillis(10))).isEqualTo("drained");

      assertThat(handles).hasSize(20);
      for (Map.Entry<String, JobHandle> e : handles.entrySet()) {
        JobResult r = e.getValue().result().get(30, TimeUnit.SECONDS);
        assertThat(r.jobId()).isEqualTo(e.getValue().id());
        assertThat(r.state()).isEqualTo(JobState.COMPLETE);
        assertThat(r.workerId()).isEqualTo("w-other");
        assertThat(r.result()).isEqualTo(Map.of("echo", e.getKey()));
      }
    }
  }

  @Test
  void theFutureOfAFailedJob_completesWithItsError() throws Exception {
    try (LocalExecPlane plane = plane("w1")) {
      JobHandle h = plane.submit(echo("explode"));
      plane.runOnce();

      JobResult r = h.result().get(30, TimeUnit.SECONDS);

      assertThat(r.state()).isEqualTo(JobState.FAILED);
      assertThat(r.error()).isEqualTo("task_error:IllegalStateException");
      assertThat(r.result()).isNull();
    }
  }

  @Test
  void closingThePlane_failsThePendingFutures_andEndsItsThread() throws Exception {
    JobHandle pending;
    try (LocalExecPlane plane = plane("w1")) {
      pending = plane.submit(echo("never run"));
      assertThat(threadsNamed("local-exec-submitted-jobs")).isOne();
    }
    assertThatThrownBy(() -> pending.result().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the plane is closed");
    assertThat(threadsNamed("local-exec-submitted-jobs")).isZero();
  }

  private static long threadsNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name) && t.isAlive())
        .count();
  }
}
