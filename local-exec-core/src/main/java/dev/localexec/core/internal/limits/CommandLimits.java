package dev.localexec.core.internal.limits;

import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.TaskFailedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The resource limits of one command: the host-side wrapper its launcher puts in front of the
 * command line, the checks while it runs and after it ends, and the removal of its cgroup. Not for
 * more than one command; thread-safe.
 *
 * <p>The wrapper is the plane's own: {@code /bin/sh -c} with {@link #JOIN} moves itself into the
 * command's groups and execs the rest, so the command is in the group before it runs anything;
 * {@code prlimit} sets the rlimits and execs the launcher's command (e.g. {@code bwrap}), whose
 * processes inherit both.
 */
public final class CommandLimits implements AutoCloseable {

  /**
   * The joining script: writes its pid into each file before {@code --}, exits 125 if one cannot be
   * written, then execs what follows.
   */
  public static final String JOIN =
      "for f; do [ \"$f\" = -- ] && break; echo $$ > \"$f\" || exit 125; shift; done; shift;"
          + " exec \"$@\"";

  /** The exit status of a process killed by SIGXFSZ (128 + 25). */
  public static final int SIGXFSZ_EXIT = 153;

  /** The exit status of a process killed by SIGXCPU (128 + 24). */
  public static final int SIGXCPU_EXIT = 152;

  /** The exit status of the wrapper when it could not join a group. */
  public static final int JOIN_FAILED_EXIT = 125;

  private static final CommandLimits NONE = new CommandLimits(null, null, List.of());

  private final JobResources job;
  private final Cgroups.Group group;
  private final List<String> wrapper;
  private boolean closed;

  CommandLimits(JobResources job, Cgroups.Group group, List<String> wrapper) {
    this.job = job;
    this.group = group;
    this.wrapper = List.copyOf(wrapper);
  }

  /** No limits, no wrapper. */
  public static CommandLimits none() {
    return NONE;
  }

  /** The argv put in front of the launcher's command line; empty when nothing is to be set. */
  public List<String> wrapper() {
    return wrapper;
  }

  /** The command's cgroup folders (empty without a cgroup). */
  public List<Path> groupDirs() {
    return group == null ? List.of() : group.dirs();
  }

  static List<String> wrapper(Cgroups.Group group, String prlimit, List<String> rlimits) {
    List<String> w = new ArrayList<>();
    if (group != null) {
      w.addAll(List.of("/bin/sh", "-c", JOIN, "local-exec-join"));
      group.joinFiles().forEach(f -> w.add(f.toString()));
      w.add("--");
    }
    if (prlimit != null && !rlimits.isEmpty()) {
      w.add(prlimit);
      w.addAll(rlimits);
      w.add("--");
    }
    return w;
  }

  /**
   * A limit the running command's tree passed, as its cgroup tells: an OOM kill ({@code
   * max_memory_bytes exceeded}), a refused fork ({@code max_processes exceeded}), or the job's CPU
   * time used up ({@code max_cpu_sec exceeded}); {@code null} when none. Cheap: a few small reads.
   */
  public BudgetExceededException poll() {
    if (group == null) {
      return null;
    }
    if (group.limitsMemory() && group.oomKills() > 0) {
      long limit = job.limits().maxMemoryBytes();
      return new BudgetExceededException(
          "max_memory_bytes", limit, Math.max(limit, group.memoryPeak()));
    }
    if (group.limitsProcesses() && group.processLimitHits() > 0) {
      long limit = job.limits().maxProcesses();
      return new BudgetExceededException(
          "max_processes", limit, Math.max(limit, group.processPeak()));
    }
    if (group.countsCpu()) {
      return job.cpuExceeded(group.cpuNanos());
    }
    return null;
  }

  /**
   * The failure of a command that exited with {@code exitCode}: what {@link #poll()} finds, else
   * {@code max_file_bytes exceeded} for an exit by SIGXFSZ under a file-size limit, {@code
   * max_cpu_sec exceeded} for an exit by SIGXCPU under a CPU limit, and {@code
   * resource_limits_unavailable} when the wrapper could not join the cgroup (nothing ran); {@code
   * null} for a normal exit.
   */
  public LocalExecException afterExit(int exitCode) {
    BudgetExceededException polled = poll();
    if (polled != null) {
      return polled;
    }
    if (job == null) {
      return null;
    }
    if (exitCode == SIGXFSZ_EXIT && job.uses("max_file_bytes", ResourceControl.RLIMIT)) {
      long limit = job.limits().maxFileBytes();
      return new BudgetExceededException("max_file_bytes", limit, limit);
    }
    if (exitCode == SIGXCPU_EXIT && job.uses("max_cpu_sec", ResourceControl.RLIMIT)) {
      long limit = job.limits().maxCpuSec();
      long used = group != null && group.countsCpu() ? JobResources.seconds(group.cpuNanos()) : 0;
      return new BudgetExceededException("max_cpu_sec", limit, Math.max(limit, used));
    }
    if (exitCode == JOIN_FAILED_EXIT && group != null && !group.everJoined()) {
      return new TaskFailedException(
          "resource_limits_unavailable",
          "the command could not be put in its cgroup "
              + group.dirs()
              + ", so it was not run; check that the worker may write the cgroup folders");
    }
    return null;
  }

  /**
   * Ends the command's limits: counts its CPU time to the job, kills whatever is still in its
   * cgroup and removes the cgroup. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed || group == null) {
      closed = true;
      return;
    }
    closed = true;
    if (group.countsCpu()) {
      job.addCpu(group.cpuNanos());
    }
    group.killAll();
    group.remove();
  }
}
