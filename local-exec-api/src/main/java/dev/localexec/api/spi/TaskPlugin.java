package dev.localexec.api.spi;

/**
 * Runs one job type. Register an instance with the plane explicitly, or list the class in {@code
 * META-INF/services/dev.localexec.api.spi.TaskPlugin} for {@link java.util.ServiceLoader} discovery
 * (a public no-argument constructor is then required).
 *
 * <p>The worker calls {@link #run} on one of its slot threads; one plug-in instance may run several
 * jobs at once, so keep no per-job state in fields. Everything a plug-in throws is caught by the
 * worker and recorded as the job's failure: throw a {@link dev.localexec.api.LocalExecException}
 * subclass to choose the recorded code.
 */
public interface TaskPlugin {

  /** The SPI version this interface describes. */
  int API_VERSION = 1;

  /** The job type this plug-in runs, e.g. {@code repo_index_task}; {@code ^[a-z][a-z0-9_]*$}. */
  String id();

  /** The SPI version the plug-in was written against; the plane refuses unknown versions. */
  default int apiVersion() {
    return API_VERSION;
  }

  /**
   * The JSON Schema (draft 2020-12) of this type's payload, as JSON text. It is validated at
   * enqueue and again at claim, and exported as {@code <id>.schema.json}.
   */
  String payloadSchema();

  /**
   * The argvs a job of this type will run, as its payload names them, so that a document whose
   * commands the plane would refuse (a shell as the program) is refused when it is validated or
   * enqueued, not only when it runs. Called with a payload that passed {@link #payloadSchema()}.
   * None by default.
   *
   * @param payload the job's payload
   * @return each argv the job will run, in order
   */
  default java.util.List<java.util.List<String>> argvs(java.util.Map<String, Object> payload) {
    return java.util.List.of();
  }

  /**
   * Runs a job. Blocks until the work is done; checks {@link TaskContext#checkKillSwitch} between
   * steps.
   *
   * @param context the job, its budgets, policy, evidence, paths and argv runner
   * @return the result recorded in the ledger's {@code complete} event, and the summary
   * @throws dev.localexec.api.LocalExecException to fail the job with a specific code
   */
  TaskResult run(TaskContext context);
}
