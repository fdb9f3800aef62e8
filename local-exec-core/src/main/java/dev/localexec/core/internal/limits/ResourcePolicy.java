package dev.localexec.core.internal.limits;

import dev.localexec.api.PolicyViolationException;
import dev.localexec.api.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The operator's resource defaults and ceilings, and the size of the sandbox's tmpfs mounts. A job
 * that asks for nothing gets the defaults; a job may ask for less than a ceiling, or up to it, and
 * a job asking for more is refused with {@code resource_above_ceiling:<budget>}, never narrowed.
 * Immutable.
 *
 * <p>{@link #standard()} never makes a normal build fail: 4 GiB of memory (at most half the host's
 * RAM), 1,024 processes, files up to 16 GiB, no CPU limit, and 256 MiB for each of the sandbox's
 * {@code /tmp}, {@code /run} and {@code /dev/shm}. Its ceilings are its defaults. A {@code 0} in
 * {@link #defaults()} means no limit, which only {@code max_cpu_sec} has by default; a {@code 0} in
 * {@link #ceilings()} means no ceiling beyond the job schema's range.
 *
 * @param defaults what a job that does not ask gets, each at most its ceiling
 * @param ceilings the most a job may ask for
 * @param tmpfsBytes the size of each of bubblewrap's {@code /tmp}, {@code /run} and {@code
 *     /dev/shm}, at least 1 MiB; at most the job's memory limit when there is one
 */
public record ResourcePolicy(ResourceLimits defaults, ResourceLimits ceilings, long tmpfsBytes) {

  /** The standard memory default and ceiling before the host's RAM caps it: 4 GiB. */
  public static final long STANDARD_MEMORY_BYTES = 4L << 30;

  /** The standard process default and ceiling. */
  public static final int STANDARD_PROCESSES = 1024;

  /** The standard largest file: 16 GiB. */
  public static final long STANDARD_FILE_BYTES = 16L << 30;

  /** The standard size of each sandbox tmpfs: 256 MiB. */
  public static final long STANDARD_TMPFS_BYTES = 256L << 20;

  /** The smallest tmpfs size: 1 MiB. */
  public static final long MIN_TMPFS_BYTES = 1L << 20;

  /** The four budgets' names, in schema order. */
  public static final List<String> NAMES =
      List.of("max_memory_bytes", "max_processes", "max_cpu_sec", "max_file_bytes");

  /**
   * Validates: a default above its ceiling is refused; a default left at 0 under a set ceiling
   * takes the ceiling.
   *
   * @throws IllegalArgumentException naming the budget, the default and the ceiling
   */
  public ResourcePolicy {
    Objects.requireNonNull(defaults, "defaults");
    Objects.requireNonNull(ceilings, "ceilings");
    if (tmpfsBytes < MIN_TMPFS_BYTES) {
      throw new IllegalArgumentException(
          "tmpfs size must be at least " + MIN_TMPFS_BYTES + " bytes, got " + tmpfsBytes);
    }
    long[] d = values(defaults);
    long[] c = values(ceilings);
    for (int i = 0; i < d.length; i++) {
      if (d[i] == 0) {
        d[i] = c[i];
      } else if (c[i] != 0 && d[i] > c[i]) {
        throw new IllegalArgumentException(
            "the default "
                + NAMES.get(i)
                + " "
                + d[i]
                + " is above its ceiling "
                + c[i]
                + "; lower the default or raise the ceiling");
      }
    }
    defaults = limits(d);
  }

  /** The standard policy for this host (see the class comment). */
  public static ResourcePolicy standard() {
    return standard(hostMemoryBytes());
  }

  /**
   * The standard policy for a host with {@code hostMemoryBytes} of RAM (0 when unknown: no cap).
   */
  public static ResourcePolicy standard(long hostMemoryBytes) {
    long memory = STANDARD_MEMORY_BYTES;
    if (hostMemoryBytes > 0) {
      memory = Math.max(ResourceLimits.MIN_MEMORY_BYTES, Math.min(memory, hostMemoryBytes / 2));
    }
    ResourceLimits s = new ResourceLimits(memory, STANDARD_PROCESSES, 0, STANDARD_FILE_BYTES);
    return new ResourcePolicy(s, s, STANDARD_TMPFS_BYTES);
  }

  /**
   * This policy with other ceilings: each budget set in {@code newCeilings} (not 0) replaces the
   * ceiling and, unless {@link #withDefaults} sets it too, the default.
   */
  public ResourcePolicy withCeilings(ResourceLimits newCeilings) {
    long[] d = values(defaults);
    long[] c = values(ceilings);
    long[] n = values(Objects.requireNonNull(newCeilings, "newCeilings"));
    for (int i = 0; i < n.length; i++) {
      if (n[i] != 0) {
        c[i] = n[i];
        d[i] = n[i];
      }
    }
    return new ResourcePolicy(limits(d), limits(c), tmpfsBytes);
  }

  /** This policy with each budget set in {@code newDefaults} (not 0) as the default. */
  public ResourcePolicy withDefaults(ResourceLimits newDefaults) {
    long[] d = values(defaults);
    long[] n = values(Objects.requireNonNull(newDefaults, "newDefaults"));
    for (int i = 0; i < n.length; i++) {
      if (n[i] != 0) {
        d[i] = n[i];
      }
    }
    return new ResourcePolicy(limits(d), ceilings, tmpfsBytes);
  }

  /** This policy with another tmpfs size. */
  public ResourcePolicy withTmpfsBytes(long bytes) {
    return new ResourcePolicy(defaults, ceilings, bytes);
  }

  /**
   * The limits a job gets: what it asked for, else the default.
   *
   * @param asked the job's {@code budgets.max_*} ({@code 0} = not asked)
   * @throws PolicyViolationException {@code resource_above_ceiling:<budget>} for the first budget
   *     asked above its ceiling, with the value, the ceiling and how the operator raises it
   */
  public ResourceLimits effective(ResourceLimits asked) {
    String above = aboveCeiling(asked);
    if (above != null) {
      int i = NAMES.indexOf(above);
      long value = values(asked)[i];
      long ceiling = values(ceilings)[i];
      throw new PolicyViolationException(
          "resource_above_ceiling:" + above,
          "budgets."
              + above
              + " "
              + value
              + " is above the operator's ceiling "
              + ceiling
              + "; ask for at most "
              + ceiling
              + ", or have the operator raise the ceiling (--"
              + above.replace('_', '-')
              + " N on the command line, LocalExecPlane.Builder.resourceCeilings in code)");
    }
    return asked.orElse(defaults);
  }

  /** The first budget of {@code asked} above its ceiling, in schema order, or {@code null}. */
  public String aboveCeiling(ResourceLimits asked) {
    long[] a = values(Objects.requireNonNull(asked, "asked"));
    long[] c = values(ceilings);
    for (int i = 0; i < a.length; i++) {
      if (a[i] != 0 && c[i] != 0 && a[i] > c[i]) {
        return NAMES.get(i);
      }
    }
    return null;
  }

  /** The tmpfs size for a job with {@code limits}: at most its memory limit. */
  public long tmpfsBytesFor(ResourceLimits limits) {
    long memory = limits.maxMemoryBytes();
    return memory > 0 ? Math.min(tmpfsBytes, memory) : tmpfsBytes;
  }

  /** {@code {"defaults": {...}, "ceilings": {...}, "tmpfs_bytes": N}}; unset budgets left out. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("defaults", defaults.toMap());
    m.put("ceilings", ceilings.toMap());
    m.put("tmpfs_bytes", tmpfsBytes);
    return m;
  }

  /** The budgets of {@code l} in {@link #NAMES} order. */
  static long[] values(ResourceLimits l) {
    return new long[] {l.maxMemoryBytes(), l.maxProcesses(), l.maxCpuSec(), l.maxFileBytes()};
  }

  private static ResourceLimits limits(long[] v) {
    return new ResourceLimits(v[0], (int) v[1], (int) v[2], v[3]);
  }

  /** {@code MemTotal} of {@code /proc/meminfo} in bytes, or 0 when it cannot be read. */
  static long hostMemoryBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          String[] parts = line.substring(9).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }
}
