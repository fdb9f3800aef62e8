package dev.localexec.core.internal.limits;

import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.ResourceLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The resource limits of one job, in force for each of its commands ({@link #open()}), and the CPU
 * time its finished commands used. Made by {@link ResourceControl#forJob}. Thread-safe.
 */
public final class JobResources {

  private static final JobResources NONE =
      new JobResources(ResourceLimits.NONE, Map.of(), 0, Cgroups.none("no resource limits"), null);

  private final ResourceLimits limits;
  private final Map<String, List<String>> mechanisms;
  private final long tmpfsBytes;
  private final Cgroups cgroups;
  private final String prlimit;
  private final AtomicLong cpuNanosUsed = new AtomicLong();

  JobResources(
      ResourceLimits limits,
      Map<String, List<String>> mechanisms,
      long tmpfsBytes,
      Cgroups cgroups,
      String prlimit) {
    this.limits = limits;
    this.mechanisms = Map.copyOf(mechanisms);
    this.tmpfsBytes = tmpfsBytes;
    this.cgroups = cgroups;
    this.prlimit = prlimit;
  }

  /** No limits: commands run as they are. */
  public static JobResources none() {
    return NONE;
  }

  /** The job's effective limits ({@code 0} = no limit). */
  public ResourceLimits limits() {
    return limits;
  }

  /** The size of each of the sandbox's tmpfs folders, or 0 to leave them to the kernel. */
  public long tmpfsBytes() {
    return tmpfsBytes;
  }

  /** CPU nanoseconds the job's finished commands used, as their cgroups counted it. */
  public long cpuNanosUsed() {
    return cpuNanosUsed.get();
  }

  /**
   * Refuses a new command once the job's commands together used {@code max_cpu_sec}.
   *
   * @throws BudgetExceededException {@code max_cpu_sec exceeded}
   */
  public void checkCpuLeft() {
    BudgetExceededException e = cpuExceeded(0);
    if (e != null) {
      throw e;
    }
  }

  /** {@code max_cpu_sec exceeded} when the used time plus {@code runningNanos} reached it. */
  BudgetExceededException cpuExceeded(long runningNanos) {
    int limit = limits.maxCpuSec();
    if (limit == 0 || !mechanisms.getOrDefault("max_cpu_sec", List.of()).contains(cgroupLabel())) {
      return null;
    }
    long nanos = cpuNanosUsed.get() + runningNanos;
    if (nanos < limit * 1_000_000_000L) {
      return null;
    }
    return new BudgetExceededException("max_cpu_sec", limit, seconds(nanos));
  }

  void addCpu(long nanos) {
    cpuNanosUsed.addAndGet(Math.max(0, nanos));
  }

  /** Whether {@code budget} is enforced by {@code mechanism} for this job. */
  boolean uses(String budget, String mechanism) {
    return mechanisms.getOrDefault(budget, List.of()).contains(mechanism);
  }

  String cgroupLabel() {
    return cgroups.version().label();
  }

  /**
   * The limits of one command: its cgroup made (when a limit uses one) and the wrapper that joins
   * it and sets the rlimits. Close it when the command ended.
   *
   * @throws IOException if the cgroup cannot be made
   */
  public CommandLimits open() throws IOException {
    String cg = cgroupLabel();
    boolean memory = uses("max_memory_bytes", cg);
    boolean processes = uses("max_processes", cg);
    Cgroups.Group group = null;
    if (memory || processes || uses("max_cpu_sec", cg)) {
      group =
          cgroups.create(
              memory ? limits.maxMemoryBytes() : 0, processes ? limits.maxProcesses() : 0);
    }
    List<String> rlimits = new ArrayList<>();
    if (prlimit != null) {
      if (uses("max_file_bytes", ResourceControl.RLIMIT)) {
        rlimits.add("--fsize=" + limits.maxFileBytes());
      }
      if (uses("max_cpu_sec", ResourceControl.RLIMIT)) {
        long left = limits.maxCpuSec() - cpuNanosUsed.get() / 1_000_000_000L;
        long soft = Math.max(1, left);
        rlimits.add("--cpu=" + soft + ":" + (soft + 1));
      }
      if (uses("max_memory_bytes", ResourceControl.RLIMIT)) {
        rlimits.add("--as=" + limits.maxMemoryBytes());
      }
    }
    return new CommandLimits(this, group, CommandLimits.wrapper(group, prlimit, rlimits));
  }

  static long seconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }
}
