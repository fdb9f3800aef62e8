package dev.localexec.core.internal.limits;

import dev.localexec.api.ResourceLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a plane enforces the resource budgets of its jobs: the operator's {@link ResourcePolicy}, the
 * host's {@link Cgroups} and util-linux {@code prlimit} for rlimits. Per budget:
 *
 * <ul>
 *   <li>{@code max_memory_bytes}: the tree's memory in a cgroup ({@code memory.max} with no swap,
 *       or v1 {@code memory.limit_in_bytes} and {@code memory.memsw.limit_in_bytes}); without a
 *       memory cgroup, {@code RLIMIT_AS} per process, but only when the job asked for the limit
 *       itself (an address-space limit stops a JVM from starting, so the operator's default is not
 *       applied that way);
 *   <li>{@code max_processes}: the tree's processes in a {@code pids} cgroup; never {@code
 *       RLIMIT_NPROC}, which does nothing for a root worker and counts all of a user's processes
 *       (the worker's threads too) otherwise;
 *   <li>{@code max_cpu_sec}: {@code RLIMIT_CPU} per process (SIGXCPU, then SIGKILL a second later)
 *       and, with a CPU accounting cgroup, the CPU time of all the job's commands together;
 *   <li>{@code max_file_bytes}: {@code RLIMIT_FSIZE} per process (a larger write is cut at the
 *       limit and the writer gets SIGXFSZ). It applies to files only, not to the output pipes.
 * </ul>
 *
 * A launcher that cannot wrap its command (see {@code ProcessLauncher.appliesResourceLimits})
 * enforces none of them. Immutable, thread-safe.
 */
public final class ResourceControl {

  /** The mechanism names of {@code run_header}'s {@code enforced_by}. */
  public static final String RLIMIT = "rlimit";

  /** A limit with a value and no mechanism. */
  public static final String NOT_ENFORCED = "not_enforced";

  private final ResourcePolicy policy;
  private final Cgroups cgroups;
  private final String prlimit;

  private ResourceControl(ResourcePolicy policy, Cgroups cgroups, String prlimit) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.cgroups = Objects.requireNonNull(cgroups, "cgroups");
    this.prlimit = prlimit;
  }

  /**
   * The control of {@code policy} on this host: its cgroups, and {@code prlimit} found in the
   * folders of {@code searchPath}.
   */
  public static ResourceControl probe(ResourcePolicy policy, String searchPath) {
    return new ResourceControl(policy, Cgroups.host(), find("prlimit", searchPath));
  }

  /**
   * A control with these parts (tests).
   *
   * @param prlimit the {@code prlimit} program, or {@code null} for no rlimits
   */
  public static ResourceControl of(ResourcePolicy policy, Cgroups cgroups, String prlimit) {
    return new ResourceControl(policy, cgroups, prlimit);
  }

  /**
   * No enforcement: no defaults, no ceilings, nothing applied; {@code run_header} reports the
   * budgets a job asks for as {@code not_enforced}.
   */
  public static ResourceControl disabled() {
    return new ResourceControl(
        new ResourcePolicy(
            ResourceLimits.NONE, ResourceLimits.NONE, ResourcePolicy.STANDARD_TMPFS_BYTES),
        Cgroups.none("resource control is not configured for this worker"),
        null);
  }

  /** The operator's defaults and ceilings. */
  public ResourcePolicy policy() {
    return policy;
  }

  /** The host's cgroups. */
  public Cgroups cgroups() {
    return cgroups;
  }

  /** Whether rlimits can be set ({@code prlimit} is installed). */
  public boolean rlimits() {
    return prlimit != null;
  }

  /**
   * The resources of a job that asked for {@code asked}.
   *
   * @param applies whether the plane's launcher runs the wrapper that applies the limits
   * @param tmpfs whether the launcher mounts the sandbox's tmpfs folders (and bounds them)
   * @throws dev.localexec.api.PolicyViolationException {@code resource_above_ceiling:<budget>}
   */
  public JobResources forJob(ResourceLimits asked, boolean applies, boolean tmpfs) {
    ResourceLimits limits = policy.effective(asked);
    return new JobResources(
        limits,
        mechanisms(limits, asked, applies),
        applies && tmpfs ? policy.tmpfsBytesFor(limits) : 0,
        applies ? cgroups : Cgroups.none("the launcher does not apply limits"),
        applies ? prlimit : null);
  }

  /**
   * What {@code run_header} says under {@code resource_limits} for a job that asked for {@code
   * asked}: per budget {@code {"value": N or null, "source": "job"|"default", "enforced_by":
   * [...]}} ({@code cgroup_v1}, {@code cgroup_v2}, {@code rlimit}; {@code not_enforced} for a value
   * no mechanism enforces; empty for no limit; {@code refused_above_ceiling} for a value above the
   * ceiling, the job then fails), then {@code tmpfs_bytes} (null without bubblewrap).
   */
  public Map<String, Object> describe(ResourceLimits asked, boolean applies, boolean tmpfs) {
    String above = policy.aboveCeiling(asked);
    ResourceLimits limits =
        above == null ? policy.effective(asked) : asked.orElse(policy.defaults());
    Map<String, List<String>> by = mechanisms(limits, asked, applies);
    long[] v = ResourcePolicy.values(limits);
    long[] a = ResourcePolicy.values(asked);
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < v.length; i++) {
      String name = ResourcePolicy.NAMES.get(i);
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("value", v[i] == 0 ? null : v[i]);
      e.put("source", a[i] != 0 ? "job" : "default");
      e.put("enforced_by", name.equals(above) ? List.of("refused_above_ceiling") : by.get(name));
      m.put(name, e);
    }
    m.put("tmpfs_bytes", applies && tmpfs ? policy.tmpfsBytesFor(limits) : null);
    return m;
  }

  /**
   * Whether a job asking {@code asked} is held: its memory and process limits are set and enforced,
   * and so is every other budget with a value. (A job asking above a ceiling is held: it runs
   * nothing.)
   */
  public boolean enforcesAll(ResourceLimits asked, boolean applies) {
    if (policy.aboveCeiling(asked) != null) {
      return true;
    }
    Map<String, List<String>> by = mechanisms(policy.effective(asked), asked, applies);
    return !by.get("max_memory_bytes").isEmpty()
        && !by.get("max_processes").isEmpty()
        && by.values().stream().noneMatch(l -> l.contains(NOT_ENFORCED));
  }

  /**
   * What {@code health} says under {@code resource_limits}: the host's cgroups, whether rlimits can
   * be set, the policy, and {@link #describe} for a job asking for nothing.
   */
  public Map<String, Object> health(boolean applies, boolean tmpfs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cgroup", cgroups.toMap());
    m.put("rlimits", rlimits());
    m.putAll(policy.toMap());
    m.put("job_defaults", describe(ResourceLimits.NONE, applies, tmpfs));
    return m;
  }

  private Map<String, List<String>> mechanisms(
      ResourceLimits limits, ResourceLimits asked, boolean applies) {
    String cg = cgroups.version().label();
    Map<String, List<String>> by = new LinkedHashMap<>();
    List<String> memory = new ArrayList<>();
    if (cgroups.memory()) {
      memory.add(cg);
    } else if (prlimit != null && asked.maxMemoryBytes() != 0) {
      memory.add(RLIMIT);
    }
    List<String> processes = new ArrayList<>();
    if (cgroups.pids()) {
      processes.add(cg);
    }
    List<String> cpu = new ArrayList<>();
    if (cgroups.cpu()) {
      cpu.add(cg);
    }
    if (prlimit != null) {
      cpu.add(RLIMIT);
    }
    List<String> file = prlimit != null ? List.of(RLIMIT) : List.of();
    long[] v = ResourcePolicy.values(limits);
    List<List<String>> all = List.of(memory, processes, cpu, file);
    for (int i = 0; i < v.length; i++) {
      List<String> l = all.get(i);
      if (v[i] == 0) {
        l = List.of();
      } else if (!applies || l.isEmpty()) {
        l = List.of(NOT_ENFORCED);
      }
      by.put(ResourcePolicy.NAMES.get(i), List.copyOf(l));
    }
    return by;
  }

  private static String find(String program, String searchPath) {
    for (String dir : searchPath.split(":", -1)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, program);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }
}
