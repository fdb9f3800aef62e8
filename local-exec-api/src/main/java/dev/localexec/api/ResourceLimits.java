package dev.localexec.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optional resource budgets of a job: what its subprocesses may use of the host. Each is {@code
 * 0} when the job does not ask, and then the operator's default applies; a job may ask for less
 * than the operator's ceiling, never more. Enforced per job by cgroups where the host allows (v2,
 * or v1 {@code memory} and {@code pids}) and by rlimits otherwise; each job's {@code run_header}
 * says which were enforced and how.
 *
 * @param maxMemoryBytes memory of the job's process tree, {@value #MIN_MEMORY_BYTES}..{@value
 *     #MAX_MEMORY_BYTES}, or 0
 * @param maxProcesses processes (and threads) alive at once in the job's tree, 1..{@value
 *     #MAX_PROCESSES}, or 0
 * @param maxCpuSec CPU seconds of each process of the job, 1..{@value #MAX_CPU_SEC}, or 0
 * @param maxFileBytes the largest file a job's process may write, {@value #MIN_FILE_BYTES}..{@value
 *     #MAX_FILE_BYTES}, or 0
 */
public record ResourceLimits(
    long maxMemoryBytes, int maxProcesses, int maxCpuSec, long maxFileBytes) {

  /** The smallest {@code max_memory_bytes}: 16 MiB. */
  public static final long MIN_MEMORY_BYTES = 16L << 20;

  /** The largest {@code max_memory_bytes}: 1 TiB. */
  public static final long MAX_MEMORY_BYTES = 1L << 40;

  /** The largest {@code max_processes}. */
  public static final int MAX_PROCESSES = 65_536;

  /** The largest {@code max_cpu_sec}: one day. */
  public static final int MAX_CPU_SEC = 86_400;

  /** The smallest {@code max_file_bytes}: 1 KiB. */
  public static final long MIN_FILE_BYTES = 1024;

  /** The largest {@code max_file_bytes}: 1 TiB. */
  public static final long MAX_FILE_BYTES = 1L << 40;

  /** No resource budget asked for: the operator's defaults apply. */
  public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0, 0);

  /** Validates every field against the ranges of the job schema ({@code 0} = not asked). */
  public ResourceLimits {
    check("max_memory_bytes", maxMemoryBytes, MIN_MEMORY_BYTES, MAX_MEMORY_BYTES);
    check("max_processes", maxProcesses, 1, MAX_PROCESSES);
    check("max_cpu_sec", maxCpuSec, 1, MAX_CPU_SEC);
    check("max_file_bytes", maxFileBytes, MIN_FILE_BYTES, MAX_FILE_BYTES);
  }

  /** Whether no resource budget is asked for. */
  public boolean isEmpty() {
    return maxMemoryBytes == 0 && maxProcesses == 0 && maxCpuSec == 0 && maxFileBytes == 0;
  }

  /**
   * This, with every budget not asked for taken from {@code defaults}.
   *
   * @param defaults the operator's defaults
   */
  public ResourceLimits orElse(ResourceLimits defaults) {
    return new ResourceLimits(
        maxMemoryBytes != 0 ? maxMemoryBytes : defaults.maxMemoryBytes,
        maxProcesses != 0 ? maxProcesses : defaults.maxProcesses,
        maxCpuSec != 0 ? maxCpuSec : defaults.maxCpuSec,
        maxFileBytes != 0 ? maxFileBytes : defaults.maxFileBytes);
  }

  /**
   * The JSON keys of the budgets asked for, in schema order ({@code max_memory_bytes}, {@code
   * max_processes}, {@code max_cpu_sec}, {@code max_file_bytes}); the others are left out.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (maxMemoryBytes != 0) {
      m.put("max_memory_bytes", maxMemoryBytes);
    }
    if (maxProcesses != 0) {
      m.put("max_processes", maxProcesses);
    }
    if (maxCpuSec != 0) {
      m.put("max_cpu_sec", maxCpuSec);
    }
    if (maxFileBytes != 0) {
      m.put("max_file_bytes", maxFileBytes);
    }
    return m;
  }

  private static void check(String name, long value, long min, long max) {
    if (value != 0 && (value < min || value > max)) {
      throw new IllegalArgumentException(
          "budgets." + name + " must be in " + min + ".." + max + " (or absent), got " + value);
    }
  }
}
