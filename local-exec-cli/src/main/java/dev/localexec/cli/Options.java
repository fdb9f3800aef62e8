package dev.localexec.cli;

import dev.localexec.api.ResourceLimits;
import dev.localexec.cli.service.PlaneService;
import dev.localexec.core.internal.limits.ResourcePolicy;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.worker.WorkerOptions;
import dev.localexec.mcporter.McpBackends;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The option groups the commands share, as picocli mixins. An option whose value is out of range or
 * not one of its words throws a {@link UsageException} while the command line is parsed, so a bad
 * value is a usage error before anything runs.
 */
final class Options {
  private Options() {}

  /** {@code -h}/{@code --help}, on every command. */
  static final class Help {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Print this help and do nothing else.")
    boolean help;
  }

  /** Where the plane is and how it runs jobs: global options, given before or after the command. */
  static final class Plane {
    @Option(
        names = "--repo-root",
        paramLabel = "DIR",
        description =
            "The repository the plane serves (default: the current folder). Files go to"
                + " workspace/local_exec/ under it.")
    String repoRoot;

    String workerId;

    @Option(
        names = "--worker-id",
        paramLabel = "ID",
        description = "The worker's id in the ledger and in evidence/worker_ID.jsonl.")
    void workerId(String id) {
      try {
        WorkerOptions.defaults().withWorkerId(id);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      workerId = id;
    }

    String sandbox;

    @Option(
        names = "--sandbox",
        paramLabel = "auto|bwrap|unshare|none",
        description =
            "auto (the default) runs subprocesses in bubblewrap, else unshare, else refuses them;"
                + " bwrap or unshare insist on one; none turns the sandbox off.")
    void sandbox(String mode) {
      try {
        SandboxMode.parse(mode);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--sandbox: " + e.getMessage());
      }
      sandbox = mode;
    }

    @Option(
        names = "--allow-shells",
        description = "Let jobs run a shell (sh, bash, ...) as a command's program.")
    boolean allowShells;

    @Option(
        names = "--plugins",
        paramLabel = "DIR",
        description =
            "Also load the task plug-ins of every *.jar in DIR, a folder of yours outside the repo"
                + " root.")
    String plugins;

    @Option(
        names = "--open-control",
        paramLabel = "P,Q",
        description =
            "Let jobs write these control paths of the repo (.git, config, ...), read-only in the"
                + " sandbox otherwise.")
    String openControl;

    @Option(
        names = "--allow-env",
        paramLabel = "NAME[,NAME...]",
        description =
            "Let jobs have these variables through env_allow (names or PREFIX_* patterns;"
                + " secrets only by exact name).")
    String allowEnv;

    @Option(
        names = "--secret-env",
        paramLabel = "NAME[,NAME...]",
        description = "Mark more variables secret: their values are redacted.")
    String secretEnv;

    @Option(
        names = QueueSelection.FLAG,
        paramLabel = "URL",
        description =
            "Queue jobs in PostgreSQL (jdbc:postgresql://HOST:PORT/DB) instead of the ledger file;"
                + " default: LOCAL_EXEC_QUEUE_URL.")
    String queueUrl;
  }

  /** The ceilings of the jobs' resource budgets and the sandbox's tmpfs size. */
  static final class Resources {
    long maxMemoryBytes;
    int maxProcesses;
    int maxCpuSec;
    long maxFileBytes;
    long tmpfsBytes = ResourcePolicy.STANDARD_TMPFS_BYTES;

    @Option(
        names = "--max-memory-bytes",
        paramLabel = "N",
        description = "The jobs' memory ceiling (default 4 GiB, at most half the RAM).")
    void maxMemoryBytes(String v) {
      maxMemoryBytes =
          longIn(
              "--max-memory-bytes",
              v,
              ResourceLimits.MIN_MEMORY_BYTES,
              ResourceLimits.MAX_MEMORY_BYTES);
    }

    @Option(
        names = "--max-processes",
        paramLabel = "N",
        description = "The jobs' ceiling of processes (default 1024).")
    void maxProcesses(String v) {
      maxProcesses = intIn("--max-processes", v, 1, ResourceLimits.MAX_PROCESSES);
    }

    @Option(
        names = "--max-cpu-sec",
        paramLabel = "N",
        description = "The jobs' ceiling of CPU seconds (default: no limit).")
    void maxCpuSec(String v) {
      maxCpuSec = intIn("--max-cpu-sec", v, 1, ResourceLimits.MAX_CPU_SEC);
    }

    @Option(
        names = "--max-file-bytes",
        paramLabel = "N",
        description = "The jobs' ceiling of a file's size (default 16 GiB).")
    void maxFileBytes(String v) {
      maxFileBytes =
          longIn(
              "--max-file-bytes", v, ResourceLimits.MIN_FILE_BYTES, ResourceLimits.MAX_FILE_BYTES);
    }

    @Option(
        names = "--tmpfs-bytes",
        paramLabel = "N",
        description = "The size of the sandbox's /tmp, /run and /dev/shm (default 256 MiB).")
    void tmpfsBytes(String v) {
      tmpfsBytes =
          longIn(
              "--tmpfs-bytes", v, ResourcePolicy.MIN_TMPFS_BYTES, ResourceLimits.MAX_MEMORY_BYTES);
    }

    /** The ceilings; 0 where an option is not given (the plane's default). */
    ResourceLimits ceilings() {
      return new ResourceLimits(maxMemoryBytes, maxProcesses, maxCpuSec, maxFileBytes);
    }
  }

  /** The MCP tool backend and the model jobs get. */
  static final class Backends {
    String mcpBackend = McpBackends.MCPORTER;

    @Option(
        names = "--mcp-backend",
        paramLabel = "mcporter|sdk|off",
        description =
            "How jobs reach the MCP tools of config/mcporter.json: mcporter (the default), sdk for"
                + " warm sessions, or off.")
    void mcpBackend(String kind) {
      mcpBackend = CliBackends.checkMcpKind(kind);
    }

    @Option(
        names = "--mcp-config",
        paramLabel = "FILE",
        description = "The MCP configuration (default config/mcporter.json under the repo root).")
    String mcpConfig;

    String model = "off";

    @Option(
        names = "--model",
        paramLabel = "off|vllm",
        description =
            "vllm lets jobs with model.chat in allowed_tools ask the server of"
                + " config/vllm/dali_local_exec.yaml; off (the default) does not.")
    void model(String mode) {
      if (!List.of("off", "vllm").contains(mode)) {
        throw new UsageException("--model must be off or vllm, got '" + mode + "'");
      }
      model = mode;
    }
  }

  /** The worker loop's options, of {@code worker} and of {@code plane start|install-units}. */
  static final class WorkerLoop {
    Integer slots;
    Integer idleSleepMs;
    Integer maxIdleSec;
    Integer leaseSec;
    int stopGraceSec = (int) WorkerOptions.DEFAULT_STOP_GRACE.toSeconds();

    @Option(
        names = "--slots",
        paramLabel = "N",
        description = "Run up to N jobs at once (default 1).")
    void slots(String v) {
      slots = intIn("--slots", v, 1, WorkerOptions.MAX_SLOTS);
    }

    @Option(
        names = "--idle-sleep-ms",
        paramLabel = "N",
        description = "How long the loop sleeps when no job is queued (default 1000).")
    void idleSleepMs(String v) {
      idleSleepMs = intIn("--idle-sleep-ms", v, 10, 600_000);
    }

    @Option(
        names = "--max-idle-sec",
        paramLabel = "N",
        description = "How often an idle worker writes idle_heartbeat, in seconds (default 30).")
    void maxIdleSec(String v) {
      maxIdleSec = intIn("--max-idle-sec", v, 1, 86_400);
    }

    @Option(
        names = "--lease-sec",
        paramLabel = "N",
        description =
            "How long a claim holds without a heartbeat (default 60; the heartbeat comes every"
                + " third of it).")
    void leaseSec(String v) {
      leaseSec = intIn("--lease-sec", v, 3, 3600);
    }

    @Option(
        names = "--stop-grace-sec",
        paramLabel = "N",
        description =
            "On SIGTERM: no new claims, running jobs get N seconds to finish (default 10).")
    void stopGraceSec(String v) {
      stopGraceSec =
          intIn("--stop-grace-sec", v, 0, (int) WorkerOptions.MAX_STOP_GRACE.toSeconds());
    }

    /**
     * The options given, as command-line words for a background worker, without {@code
     * --stop-grace-sec}.
     */
    List<String> givenWithoutGrace() {
      List<String> words = new ArrayList<>();
      add(words, "--slots", slots);
      add(words, "--idle-sleep-ms", idleSleepMs);
      add(words, "--max-idle-sec", maxIdleSec);
      add(words, "--lease-sec", leaseSec);
      return words;
    }

    private static void add(List<String> words, String flag, Integer value) {
      if (value != null) {
        words.add(flag);
        words.add(Integer.toString(value));
      }
    }
  }

  /** {@code --max-attempts N} of {@code worker}. */
  static final class Attempts {
    int maxAttempts = JobQueue.DEFAULT_MAX_ATTEMPTS;

    @Option(
        names = "--max-attempts",
        paramLabel = "N",
        description = "How often a job is claimed before it fails for good (default 3).")
    void maxAttempts(String v) {
      maxAttempts = intIn("--max-attempts", v, 1, WorkerOptions.MAX_ATTEMPTS);
    }
  }

  /** {@code --mode} of the {@code plane} commands. */
  static final class ServiceMode {
    PlaneService.Mode mode = PlaneService.Mode.AUTO;

    @Option(
        names = "--mode",
        paramLabel = "auto|systemd|pidfile",
        description =
            "systemd: a user unit; pidfile: a detached process in state/worker.pid; auto (the"
                + " default): systemd when `systemctl --user` works, else pidfile.")
    void mode(String v) {
      try {
        mode = PlaneService.Mode.parse(v);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--mode " + e.getMessage());
      }
    }
  }

  /** The comma-separated names of an option's value; none for {@code null}. */
  static List<String> names(String value) {
    if (value == null) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (String n : value.split(",", -1)) {
      names.add(n.strip());
    }
    return names;
  }

  /**
   * {@code value} as a whole number in {@code min..max}, else a usage error naming {@code flag}.
   */
  static long longIn(String flag, String value, long min, long max) {
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be an integer, got '" + value + "'");
    }
    if (n < min || n > max) {
      throw new UsageException(flag + " must be in " + min + ".." + max + ", got " + value);
    }
    return n;
  }

  /** {@code value} as an {@code int} in {@code min..max}, else a usage error. */
  static int intIn(String flag, String value, int min, int max) {
    return (int) longIn(flag, value, min, max);
  }
}
