package dev.localexec.core.internal.worker;

import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.Job;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.internal.budget.ClockBudgetTracker;
import dev.localexec.core.internal.evidence.JobEvidence;
import dev.localexec.core.internal.evidence.Summaries;
import dev.localexec.core.internal.exec.ArgvPolicy;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.killswitch.KillSwitch;
import dev.localexec.core.internal.limits.JobResources;
import dev.localexec.core.internal.limits.ResourceControl;
import dev.localexec.core.internal.model.GuardedModel;
import dev.localexec.core.internal.paths.PlaneFiles;
import dev.localexec.core.internal.paths.RepoRootPaths;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.internal.tools.GuardedTools;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.PlaneLayout;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.queue.StaleClaimException;
import dev.localexec.core.sandbox.Sandbox;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.core.worker.WorkerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed job to its end: opens its evidence ({@code claimed}, {@code run_header}), makes
 * its {@link ClaimScope} and {@link JobContext}, runs the plug-in, turns what it throws into the
 * job's failure and its evidence, then writes the summary and the final event (evidence line first,
 * then the ledger's). A result that cannot be recorded fails the job; an attempt the ledger fenced
 * off puts back the summary it replaced. The lease is the caller's: it is told when the task has
 * ended, before the summary is written. Thread-safe; one runner serves all the slots of a worker.
 */
final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  private final WorkerOptions options;
  private final JobQueue queue;
  private final TaskRegistry registry;
  private final KillSwitch killSwitch;
  private final StopSignal stop;
  private final PlaneLayout layout;
  private final ProcessLauncher launcher;
  private final Clock clock;
  private final RepoRootPaths paths;
  private final Map<String, String> environment;
  private final Redactor redactor;
  private final Capabilities capabilities;
  private final ResourceControl resources;

  JobRunner(
      WorkerOptions options,
      JobQueue queue,
      TaskRegistry registry,
      KillSwitch killSwitch,
      StopSignal stop,
      PlaneLayout layout,
      ProcessLauncher launcher,
      Clock clock,
      Map<String, String> environment,
      Redactor redactor,
      Capabilities capabilities,
      ResourceControl resources) {
    this.options = options;
    this.queue = queue;
    this.registry = registry;
    this.killSwitch = killSwitch;
    this.stop = stop;
    this.layout = layout;
    this.launcher = launcher;
    this.clock = clock;
    this.paths = RepoRootPaths.of(layout.root());
    this.environment = environment;
    this.redactor = redactor;
    this.capabilities = capabilities;
    this.resources = resources;
  }

  /** A claimed job whose evidence is open. */
  record Claimed(Claim claim, JobEvidence evidence) {}

  /** Opens the job's evidence and records {@code claimed} and {@code run_header}. */
  Claimed open(Claim claim) {
    Job job = claim.job();
    JobEvidence evidence = new JobEvidence(layout.evidenceDir(), job.jobId(), clock, redactor);
    Map<String, Object> claimed = new LinkedHashMap<>();
    claimed.put("worker_id", options.workerId());
    claimed.put("attempt", claim.attempt());
    evidence.record("claimed", claimed);
    evidence.record("run_header", runHeader(job));
    return new Claimed(claim, evidence);
  }

  /**
   * Runs the job to its end and records it.
   *
   * @param run the job, {@linkplain #open opened}
   * @param taskEnded called once the task has ended, before anything more is written (the caller
   *     stops renewing the lease)
   * @return the outcome: complete or failed
   * @throws LocalExecException if a failure cannot be recorded in the ledger (retryable)
   */
  RunOutcome run(Claimed run, Runnable taskEnded) {
    Claim claim = run.claim();
    Job job = claim.job();
    JobEvidence evidence = run.evidence();
    ClaimScope scope = null;
    RunOutcome.Status status;
    Map<String, Object> result = null;
    String error = null;
    boolean interrupted = false;
    String summary;
    try {
      scope = scope(run);
      JobContext ctx = context(scope);
      ctx.checkKillSwitch("before_run");
      TaskPlugin plugin = registry.require(job.jobType());
      TaskResult r = plugin.run(ctx);
      result = redactor.redactObject(r.result());
      summary =
          r.summaryMarkdown() != null ? r.summaryMarkdown() : Summaries.completed(job, result);
      status = RunOutcome.Status.COMPLETE;
    } catch (LocalExecException e) {
      error = e.code();
      if (e instanceof BudgetExceededException be) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("budget", be.budget());
        p.put("limit", be.limit());
        p.put("used", be.used());
        evidence.record("budget_exceeded", p);
      } else if (e instanceof KillSwitchException ks) {
        if (scope != null && scope.stoppedByWorker()) {
          interrupted = true;
          error = "worker_stopped:" + ks.where();
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("where", ks.where());
          p.put("grace_ms", scope.stopGraceMillis());
          evidence.record("worker_stopped", p);
        } else {
          evidence.record("kill_switch", Map.of("where", ks.where()));
        }
      }
      summary = Summaries.failed(job, error, e.getMessage());
      status = RunOutcome.Status.FAILED;
      LOG.info("job {} failed: {}", job.jobId(), redactor.redact(e.getMessage()));
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      error = "task_error:" + e.getClass().getSimpleName();
      summary = Summaries.failed(job, error, e.getMessage());
      status = RunOutcome.Status.FAILED;
      LOG.warn("job {} threw {}", job.jobId(), redactor.redact(e.toString()));
      if (LOG.isDebugEnabled()) {
        LOG.debug("job {}: {}", job.jobId(), redactor.redact(trace(e)));
      }
    } finally {
      taskEnded.run();
    }

    // The summary is chained: its hash in the evidence before the final line (verify checks it).
    String summaryText = redactor.redact(summary);
    recordSummary(evidence, job, summaryText);
    // The summary file before the final event, so that a worker that dies after the final event
    // leaves it; what was there (an earlier attempt's) is kept to be put back if this attempt
    // turns out to be fenced off.
    Path summaryFile = Summaries.path(layout.evidenceDir(), job.jobId());
    byte[] previousSummary = readSummary(summaryFile);
    String recordedSummary = summaryText;
    String summaryPath = writeSummary(job, summaryText);
    boolean stale = false;
    try {
      // The evidence line first: the ledger's final event records the evidence head after it.
      if (status == RunOutcome.Status.COMPLETE) {
        Optional<ChainHead> head = evidence.recordChained("complete", result);
        queue.complete(claim, result, head.orElse(null));
      } else {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("error", error);
        Optional<ChainHead> head = evidence.recordChained("failed", p);
        queue.fail(claim, error, head.orElse(null));
      }
    } catch (StaleClaimException e) {
      // The attempt the ledger fenced off: verify accepts its late lines by this line.
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("worker_id", claim.workerId());
      p.put("attempt", claim.attempt());
      p.put("message", e.getMessage());
      evidence.record("stale_claim", p);
      LOG.warn("{}", redactor.redact(e.getMessage()));
      stale = true;
    } catch (LocalExecException e) {
      if (status == RunOutcome.Status.COMPLETE) {
        summaryText = failUnrecordable(claim, evidence, redactor.redact(e.getMessage()));
        status = RunOutcome.Status.FAILED;
        error = "result_unrecordable";
        result = null;
      } else {
        throw e;
      }
    } catch (RuntimeException e) {
      if (status != RunOutcome.Status.COMPLETE) {
        throw e;
      }
      summaryText = failUnrecordable(claim, evidence, redactor.redact(e.toString()));
      status = RunOutcome.Status.FAILED;
      error = "result_unrecordable";
      result = null;
    }
    if (stale) {
      // A fenced-off attempt leaves the summary of the attempt the ledger recorded.
      restoreSummary(summaryFile, previousSummary);
      summaryPath = null;
    } else if (!summaryText.equals(recordedSummary)) {
      summaryPath = writeSummary(job, summaryText);
    }
    return new RunOutcome(
        status,
        job.jobId(),
        options.workerId(),
        result,
        error,
        interrupted,
        layout.display(evidence.path()),
        summaryPath);
  }

  /** The job's scope: its budget starts now; a resource budget above a ceiling throws. */
  private ClaimScope scope(Claimed run) {
    Job job = run.claim().job();
    ClockBudgetTracker budget = ClockBudgetTracker.start(job.budgets(), clock);
    JobResources jobResources =
        resources.forJob(
            job.budgets().resources(), launcher.appliesResourceLimits(), launcher.boundsTmpfs());
    return new ClaimScope(
        run.claim(), run.evidence(), budget, jobResources, clock, killSwitch, stop);
  }

  /** The task's context: the argv runner, tools and model, each guarded by the scope. */
  private JobContext context(ClaimScope scope) {
    Job job = scope.job();
    LocalArgvRunner argv =
        LocalArgvRunner.builder()
            .paths(paths)
            .policy(job.toolPolicy())
            .budget(scope.budget())
            .evidence(scope.evidence())
            .argvPolicy(
                options.allowShells()
                    ? ArgvPolicy.defaults().allowingShells()
                    : ArgvPolicy.defaults())
            .launcher(launcher)
            .resources(scope.resources())
            .hostEnvironment(environment)
            .envPolicy(options.envPolicy())
            .killSwitch(scope::cancelled)
            .clock(clock)
            .build();
    return new JobContext(
        scope,
        paths,
        argv,
        layout,
        redactor,
        new GuardedTools(
            capabilities.tools(),
            job.toolPolicy(),
            scope.budget(),
            scope.evidence(),
            scope::cancelled,
            clock),
        new GuardedModel(
            capabilities.model(),
            capabilities.modelTimeout(),
            job.toolPolicy(),
            scope.budget(),
            scope.evidence(),
            scope::cancelled,
            clock));
  }

  /** A throwable with its causes and frames, for the debug log. */
  private static String trace(Throwable e) {
    StringBuilder trace = new StringBuilder(e.toString());
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t != e) {
        trace.append("\ncaused by ").append(t);
      }
      for (StackTraceElement frame : t.getStackTrace()) {
        trace.append("\n\tat ").append(frame);
      }
    }
    return trace.toString();
  }

  /** Writes the job's summary file; its display path, or null when it could not be written. */
  private String writeSummary(Job job, String summaryText) {
    try {
      return layout.display(Summaries.write(layout.evidenceDir(), job.jobId(), summaryText));
    } catch (IOException e) {
      LOG.error("cannot write the summary of job {}: {}", job.jobId(), e.toString());
      return null;
    }
  }

  /** The bytes of a summary file (never read through a symlink), or null when there is none. */
  private static byte[] readSummary(Path file) {
    try {
      return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.readAllBytes(file) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Puts back the summary file as it was before this attempt wrote it ({@code null}: none). */
  private static void restoreSummary(Path file, byte[] previous) {
    try {
      if (previous == null) {
        Files.deleteIfExists(file);
      } else {
        PlaneFiles.writeAtomically(file, previous, false);
      }
    } catch (IOException e) {
      LOG.error("cannot put back the summary {}: {}", file, e.toString());
    }
  }

  private void recordSummary(JobEvidence evidence, Job job, String summaryText) {
    evidence.record(
        "summary",
        Summaries.evidencePayload(
            layout.display(Summaries.path(layout.evidenceDir(), job.jobId())),
            Summaries.bytes(summaryText)));
  }

  /**
   * Fails a job whose result could not be recorded, so that it does not stay running and run again
   * at every lease expiry; returns the failed summary (already chained into the evidence).
   */
  private String failUnrecordable(Claim claim, JobEvidence evidence, String why) {
    Job job = claim.job();
    String error = "result_unrecordable";
    LOG.error("job {}: its result could not be recorded ({}); failing it", job.jobId(), why);
    String summaryText = redactor.redact(Summaries.failed(job, error, why));
    recordSummary(evidence, job, summaryText);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("error", error);
    p.put("detail", why);
    Optional<ChainHead> head = evidence.recordChained("failed", p);
    queue.fail(claim, error + ": " + why, head.orElse(null));
    return summaryText;
  }

  private Map<String, Object> runHeader(Job job) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("worker_id", options.workerId());
    h.put("worker_version", Version.get());
    h.put("repo_root_resolved", layout.root().toString());
    h.put("validator_mode", JobValidator.MODE);
    if (capabilities.model() != null) {
      h.put("model_mode", capabilities.model().name());
      h.put("api_base", capabilities.model().apiBase());
      h.put("model_name", capabilities.model().modelName());
    } else {
      h.put("model_mode", "off");
      h.put("api_base", "");
      h.put("model_name", "local-exec-coordinator");
    }
    h.put("tool_policy_hash", Json.hash16(job.toolPolicy().toMap()));
    h.put("budgets_hash", Json.hash16(job.budgets().toMap()));
    h.put("tools", capabilities.tools() == null ? "none" : capabilities.tools().name());
    boolean applies = launcher.appliesResourceLimits();
    h.put(
        "sandbox",
        Sandbox.of(launcher)
            .forNetwork(job.toolPolicy().allowNetwork())
            .withResourceLimits(resources.enforcesAll(job.budgets().resources(), applies))
            .toMap());
    h.put(
        "resource_limits",
        resources.describe(job.budgets().resources(), applies, launcher.boundsTmpfs()));
    return h;
  }
}
