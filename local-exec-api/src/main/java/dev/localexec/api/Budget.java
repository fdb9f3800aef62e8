package dev.localexec.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The four budgets every job must declare, and the optional resource budgets. All are enforced by
 * the worker.
 *
 * @param maxWallTimeSec wall time from claim to end, 1..7200 seconds
 * @param maxToolCalls guarded capability calls (subprocess, MCP tool, model call), 0..500
 * @param maxOutputBytes bytes a job may keep (captured output, tool responses, index rows),
 *     1024..104857600
 * @param maxConcurrencySlots worker slots the job holds, 1..8
 * @param resources the optional {@code max_memory_bytes}, {@code max_processes}, {@code
 *     max_cpu_sec} and {@code max_file_bytes}; {@link ResourceLimits#NONE} when none is asked for
 */
public record Budget(
    int maxWallTimeSec,
    int maxToolCalls,
    long maxOutputBytes,
    int maxConcurrencySlots,
    ResourceLimits resources) {

  /** Largest allowed {@code max_wall_time_sec}. */
  public static final int MAX_WALL_TIME_SEC = 7200;

  /** Largest allowed {@code max_tool_calls}. */
  public static final int MAX_TOOL_CALLS = 500;

  /** Smallest allowed {@code max_output_bytes}. */
  public static final long MIN_OUTPUT_BYTES = 1024;

  /** Largest allowed {@code max_output_bytes}. */
  public static final long MAX_OUTPUT_BYTES = 104_857_600;

  /** Largest allowed {@code max_concurrency_slots}. */
  public static final int MAX_CONCURRENCY_SLOTS = 8;

  /** Validates every field against the ranges of the job schema. */
  public Budget {
    resources = resources == null ? ResourceLimits.NONE : resources;
    check("max_wall_time_sec", maxWallTimeSec, 1, MAX_WALL_TIME_SEC);
    check("max_tool_calls", maxToolCalls, 0, MAX_TOOL_CALLS);
    check("max_output_bytes", maxOutputBytes, MIN_OUTPUT_BYTES, MAX_OUTPUT_BYTES);
    check("max_concurrency_slots", maxConcurrencySlots, 1, MAX_CONCURRENCY_SLOTS);
  }

  /** A budget without resource budgets (the operator's defaults apply). */
  public Budget(
      int maxWallTimeSec, int maxToolCalls, long maxOutputBytes, int maxConcurrencySlots) {
    this(maxWallTimeSec, maxToolCalls, maxOutputBytes, maxConcurrencySlots, ResourceLimits.NONE);
  }

  /** Creates a budget; see the record components for the ranges. */
  public static Budget of(
      int maxWallTimeSec, int maxToolCalls, long maxOutputBytes, int maxConcurrencySlots) {
    return new Budget(maxWallTimeSec, maxToolCalls, maxOutputBytes, maxConcurrencySlots);
  }

  /** This budget with {@code limits} as its resource budgets. */
  public Budget withResources(ResourceLimits limits) {
    return new Budget(maxWallTimeSec, maxToolCalls, maxOutputBytes, maxConcurrencySlots, limits);
  }

  /** The JSON object of this budget, keys in the ledger's order. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("max_wall_time_sec", maxWallTimeSec);
    m.put("max_tool_calls", maxToolCalls);
    m.put("max_output_bytes", maxOutputBytes);
    m.put("max_concurrency_slots", maxConcurrencySlots);
    m.putAll(resources.toMap());
    return m;
  }

  private static void check(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "budgets." + name + " must be in " + min + ".." + max + ", got " + value);
    }
  }
}
