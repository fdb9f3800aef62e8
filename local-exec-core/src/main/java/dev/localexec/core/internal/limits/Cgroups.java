package dev.localexec.core.internal.limits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cgroups this process may create child groups in, one per command, to limit and account for a
 * command's whole process tree: the {@code memory}, {@code pids} and CPU accounting controllers of
 * cgroup v2 (one group) or of cgroup v1 (one group in each hierarchy). A child is made below the
 * group this process is in ({@code /proc/self/cgroup}), in the hierarchy mounted where {@code
 * /proc/self/mountinfo} says.
 *
 * <p>v2 is used when its {@code memory} or {@code pids} controller is enabled for children of this
 * process's group (or this process is in the hierarchy's root group, where the plane enables them),
 * and v1 does not offer more; v1 otherwise (hybrid hosts have both: v1 holds the controllers and v2
 * none). A controller counts only when a trial child group could be created and removed. Leftover
 * groups of a dead plane process are removed at the probe. Thread-safe.
 */
public final class Cgroups {

  /** Which cgroup version a plane uses. */
  public enum Version {
    /** cgroup v1 hierarchies. */
    V1("cgroup_v1"),
    /** The cgroup v2 hierarchy. */
    V2("cgroup_v2"),
    /** No usable cgroup. */
    NONE("none");

    private final String label;

    Version(String label) {
      this.label = label;
    }

    /** The name in {@code run_header} and {@code health}: {@code cgroup_v1}, ... */
    public String label() {
      return label;
    }
  }

  /** Child groups are named {@code local-exec-<pid>-<n>}. */
  static final String PREFIX = "local-exec-";

  private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
  private static final Pattern OURS = Pattern.compile("local-exec-(\\d+)-\\d+");
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static volatile Cgroups host;

  private final Version version;
  private final Path memory;
  private final Path pids;
  private final Path cpu;
  private final String detail;

  private Cgroups(Version version, Path memory, Path pids, Path cpu, String detail) {
    this.version = version;
    this.memory = memory;
    this.pids = pids;
    this.cpu = cpu;
    this.detail = detail;
  }

  /** What this host allows, probed once per JVM. */
  public static Cgroups host() {
    Cgroups h = host;
    if (h == null) {
      synchronized (Cgroups.class) {
        h = host;
        if (h == null) {
          h = probe(Path.of("/proc/self/cgroup"), Path.of("/proc/self/mountinfo"));
          log.info("cgroups: {} ({})", h.version.label(), h.detail);
          host = h;
        }
      }
    }
    return h;
  }

  /** No cgroup: limits fall back to rlimits. */
  public static Cgroups none(String detail) {
    return new Cgroups(Version.NONE, null, null, null, detail);
  }

  /**
   * cgroup v1 with children made below these folders (each may be {@code null}: that controller is
   * not used), e.g. a test's folder standing in for the hierarchies.
   */
  static Cgroups v1(Path memory, Path pids, Path cpu) {
    return new Cgroups(Version.V1, memory, pids, cpu, "given");
  }

  /** cgroup v2 with children made below {@code parent}; each controller used if flagged. */
  static Cgroups v2(Path parent, boolean memory, boolean pids) {
    return new Cgroups(Version.V2, memory ? parent : null, pids ? parent : null, parent, "given");
  }

  /** The version in use. */
  public Version version() {
    return version;
  }

  /** Whether a command's memory can be limited (and its OOM kills counted). */
  public boolean memory() {
    return memory != null;
  }

  /** Whether a command's process count can be limited. */
  public boolean pids() {
    return pids != null;
  }

  /** Whether a command's whole tree's CPU time can be counted. */
  public boolean cpu() {
    return cpu != null;
  }

  /** The folders child groups are made in (one per hierarchy in v1), without repeats. */
  public List<Path> parentDirs() {
    Set<Path> dirs = new LinkedHashSet<>();
    for (Path p : java.util.Arrays.asList(memory, pids, cpu)) {
      if (p != null) {
        dirs.add(p);
      }
    }
    return List.copyOf(dirs);
  }

  /** What the probe found, for people. */
  public String detail() {
    return detail;
  }

  /**
   * {@code {"version": "cgroup_v1", "memory": true, "pids": true, "cpu_accounting": true, "detail":
   * ...}}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", version.label());
    m.put("memory", memory());
    m.put("pids", pids());
    m.put("cpu_accounting", cpu());
    m.put("detail", detail);
    return m;
  }

  // ---------------------------------------------------------------- probing

  /** A cgroup mount: its root inside the hierarchy, where it is mounted, its super options. */
  private record Mount(String root, Path point, String type, Set<String> options) {}

  static Cgroups probe(Path selfCgroup, Path mountinfo) {
    List<String> self;
    List<Mount> mounts;
    try {
      self = Files.readAllLines(selfCgroup);
      mounts = mounts(Files.readAllLines(mountinfo));
    } catch (IOException e) {
      return none("cannot read " + selfCgroup + " or " + mountinfo + ": " + e.getMessage());
    }
    Map<String, Path> v1 = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    for (String controller : List.of("memory", "pids", "cpuacct")) {
      Path dir = v1Dir(self, mounts, controller);
      if (dir == null) {
        continue;
      }
      String problem = trial(dir, controller.equals("memory") ? "memory.limit_in_bytes" : null);
      if (problem == null) {
        v1.put(controller, dir);
        sweep(dir);
      } else {
        notes.add("v1 " + controller + ": " + problem);
      }
    }
    Path v2 = v2Dir(self, mounts);
    boolean v2Memory = false;
    boolean v2Pids = false;
    if (v2 != null) {
      Set<String> enabled = v2Enabled(v2, notes);
      if (!enabled.isEmpty() || Files.isRegularFile(v2.resolve("cgroup.procs"))) {
        String problem = trial(v2, null);
        if (problem == null) {
          v2Memory = enabled.contains("memory");
          v2Pids = enabled.contains("pids");
          sweep(v2);
        } else {
          notes.add("v2: " + problem);
        }
      }
    }
    int v1Count = (v1.containsKey("memory") ? 1 : 0) + (v1.containsKey("pids") ? 1 : 0);
    int v2Count = (v2Memory ? 1 : 0) + (v2Pids ? 1 : 0);
    String extra = notes.isEmpty() ? "" : "; " + String.join("; ", notes);
    if (v2Count > 0 && v2Count >= v1Count) {
      return new Cgroups(
          Version.V2,
          v2Memory ? v2 : null,
          v2Pids ? v2 : null,
          v2,
          "cgroup v2 at " + v2 + " (memory " + v2Memory + ", pids " + v2Pids + ")" + extra);
    }
    if (!v1.isEmpty()) {
      return new Cgroups(
          Version.V1,
          v1.get("memory"),
          v1.get("pids"),
          v1.get("cpuacct"),
          "cgroup v1 " + v1.keySet() + " below " + v1.values() + extra);
    }
    return none(
        "no writable cgroup with the memory or pids controller"
            + extra
            + "; run the worker as root, or in a delegated cgroup v2 subtree (systemd"
            + " Delegate=yes)");
  }

  private static List<Mount> mounts(List<String> lines) {
    List<Mount> m = new ArrayList<>();
    for (String line : lines) {
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] left = line.substring(0, dash).split(" ");
      String[] right = line.substring(dash + 3).split(" ");
      if (left.length < 5 || right.length < 3) {
        continue;
      }
      String type = right[0];
      if (!type.equals("cgroup") && !type.equals("cgroup2")) {
        continue;
      }
      m.add(new Mount(left[3], Path.of(left[4]), type, Set.of(right[2].split(","))));
    }
    return m;
  }

  private static Path v1Dir(List<String> self, List<Mount> mounts, String controller) {
    for (String line : self) {
      String[] f = line.split(":", 3);
      if (f.length < 3 || !List.of(f[1].split(",")).contains(controller)) {
        continue;
      }
      for (Mount m : mounts) {
        if (m.type().equals("cgroup") && m.options().contains(controller)) {
          return below(m, f[2]);
        }
      }
    }
    return null;
  }

  private static Path v2Dir(List<String> self, List<Mount> mounts) {
    for (String line : self) {
      if (line.startsWith("0::")) {
        for (Mount m : mounts) {
          if (m.type().equals("cgroup2")) {
            return below(m, line.substring(3));
          }
        }
      }
    }
    return null;
  }

  /** The folder of {@code path} (as /proc/self/cgroup names it) in mount {@code m}. */
  private static Path below(Mount m, String path) {
    String rel = path;
    if (!m.root().equals("/") && rel.startsWith(m.root())) {
      rel = rel.substring(m.root().length());
    }
    rel = rel.replaceAll("^/+", "");
    return rel.isEmpty() ? m.point() : m.point().resolve(rel);
  }

  /**
   * The v2 controllers {@code memory} and {@code pids} enabled for children of {@code dir}. In the
   * hierarchy's root group (it has no {@code cgroup.type}), which may hold processes and still
   * enable controllers, they are enabled when available; elsewhere they must be already.
   */
  private static Set<String> v2Enabled(Path dir, List<String> notes) {
    Set<String> enabled = new LinkedHashSet<>(words(dir.resolve("cgroup.subtree_control")));
    Set<String> available = new LinkedHashSet<>(words(dir.resolve("cgroup.controllers")));
    boolean root = !Files.exists(dir.resolve("cgroup.type"));
    for (String c : List.of("memory", "pids")) {
      if (enabled.contains(c) || !available.contains(c)) {
        continue;
      }
      if (!root) {
        notes.add(
            "v2 "
                + c
                + " is not enabled for children of "
                + dir
                + " (a group with processes cannot enable it; delegate a subtree)");
        continue;
      }
      try {
        Files.writeString(dir.resolve("cgroup.subtree_control"), "+" + c);
        enabled.add(c);
      } catch (IOException e) {
        notes.add("v2 " + c + " could not be enabled in " + dir + ": " + e.getMessage());
      }
    }
    enabled.retainAll(Set.of("memory", "pids"));
    return enabled;
  }

  private static List<String> words(Path file) {
    try {
      String s = Files.readString(file).strip();
      return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Creates and removes a trial child; null when that worked, else the problem. */
  private static String trial(Path dir, String requiredFile) {
    Path probe = dir.resolve(PREFIX + "probe-" + ProcessHandle.current().pid());
    try {
      Files.createDirectory(probe);
    } catch (IOException e) {
      return "cannot create a group in " + dir + ": " + e;
    }
    try {
      if (requiredFile != null && !Files.exists(probe.resolve(requiredFile))) {
        return "a group in " + dir + " has no " + requiredFile;
      }
      return null;
    } finally {
      try {
        Files.delete(probe);
      } catch (IOException e) {
        log.warn("cannot remove the trial group {}: {}", probe, e.toString());
      }
    }
  }

  /** Removes the groups of plane processes that are gone (after killing what is left in them). */
  private static void sweep(Path dir) {
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, PREFIX + "*")) {
      for (Path child : children) {
        Matcher m = OURS.matcher(child.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        long pid = Long.parseLong(m.group(1));
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        Group g = new Group(Version.V1, List.of(child), null, null, null);
        g.killAll();
        if (g.remove()) {
          log.info("removed the leftover group {}", child);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("cannot sweep {}: {}", dir, e.toString());
    }
  }

  // ---------------------------------------------------------------- groups

  /**
   * Creates a command's group with these limits (a controller is left out when its limit is 0,
   * except CPU accounting, which is always in when available).
   *
   * @throws IOException if a group cannot be made or a limit cannot be written; what was made is
   *     removed again
   */
  Group create(long memoryBytes, int processes) throws IOException {
    String name = PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    if (version == Version.V2) {
      Path dir = cpu.resolve(name);
      Files.createDirectory(dir);
      Group g =
          new Group(
              Version.V2,
              List.of(dir),
              memory != null && memoryBytes > 0 ? dir : null,
              pids != null && processes > 0 ? dir : null,
              dir);
      try {
        if (g.memory != null) {
          write(dir.resolve("memory.max"), memoryBytes);
          if (Files.exists(dir.resolve("memory.swap.max"))) {
            write(dir.resolve("memory.swap.max"), 0);
          }
        }
        if (g.pids != null) {
          write(dir.resolve("pids.max"), processes);
        }
      } catch (IOException e) {
        g.remove();
        throw e;
      }
      return g;
    }
    List<Path> made = new ArrayList<>();
    Path mem = null;
    Path pid = null;
    Path acct = null;
    try {
      if (memory != null && memoryBytes > 0) {
        mem = mkdir(memory.resolve(name), made);
        write(mem.resolve("memory.limit_in_bytes"), memoryBytes);
        Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
        if (Files.exists(memsw)) {
          write(memsw, memoryBytes);
        }
      }
      if (pids != null && processes > 0) {
        pid = mkdir(pids.resolve(name), made);
        write(pid.resolve("pids.max"), processes);
      }
      if (cpu != null) {
        acct = mkdir(cpu.resolve(name), made);
      }
    } catch (IOException e) {
      new Group(Version.V1, made, null, null, null).remove();
      throw e;
    }
    return new Group(Version.V1, made, mem, pid, acct);
  }

  private static Path mkdir(Path dir, List<Path> made) throws IOException {
    Files.createDirectory(dir);
    made.add(dir);
    return dir;
  }

  private static void write(Path file, long value) throws IOException {
    Files.writeString(file, Long.toString(value), StandardCharsets.US_ASCII);
  }

  /**
   * One command's groups: one folder in v2, one per hierarchy in v1. Reads are best effort (0 when
   * a file cannot be read).
   */
  static final class Group {
    private final Version version;
    private final List<Path> dirs;
    private final Path memory;
    private final Path pids;
    private final Path cpu;

    Group(Version version, List<Path> dirs, Path memory, Path pids, Path cpu) {
      this.version = version;
      this.dirs = List.copyOf(dirs);
      this.memory = memory;
      this.pids = pids;
      this.cpu = cpu;
    }

    /** The group folders. */
    List<Path> dirs() {
      return dirs;
    }

    /** The {@code cgroup.procs} files a process writes its pid into to join. */
    List<Path> joinFiles() {
      return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    /** Whether the memory limit is set in this group. */
    boolean limitsMemory() {
      return memory != null;
    }

    /** Whether the process limit is set in this group. */
    boolean limitsProcesses() {
      return pids != null;
    }

    /** Whether the tree's CPU time is counted. */
    boolean countsCpu() {
      return cpu != null;
    }

    /** How many processes the kernel killed for want of memory. */
    long oomKills() {
      if (memory == null) {
        return 0;
      }
      Path f = memory.resolve(version == Version.V2 ? "memory.events" : "memory.oom_control");
      return key(f, "oom_kill");
    }

    /** The most memory used, or 0 when unknown. */
    long memoryPeak() {
      if (memory == null) {
        return 0;
      }
      return number(
          memory.resolve(version == Version.V2 ? "memory.peak" : "memory.max_usage_in_bytes"));
    }

    /** How many forks the process limit refused. */
    long processLimitHits() {
      return pids == null ? 0 : key(pids.resolve("pids.events"), "max");
    }

    /** The most processes at once, or 0 when unknown. */
    long processPeak() {
      return pids == null ? 0 : number(pids.resolve("pids.peak"));
    }

    /** CPU time of the whole tree so far, in nanoseconds. */
    long cpuNanos() {
      if (cpu == null) {
        return 0;
      }
      if (version == Version.V2) {
        return key(cpu.resolve("cpu.stat"), "usage_usec") * 1000;
      }
      return number(cpu.resolve("cpuacct.usage"));
    }

    /**
     * Whether a process ever ran in the group: false when the joining wrapper failed before it
     * started anything. True when this cannot be told.
     */
    boolean everJoined() {
      if (cpu != null) {
        return cpuNanos() > 0;
      }
      if (pids != null && Files.exists(pids.resolve("pids.peak"))) {
        return processPeak() > 0;
      }
      return true;
    }

    /** The pids in the group now. */
    List<Long> members() {
      Set<Long> pids = new LinkedHashSet<>();
      for (Path f : joinFiles()) {
        try {
          for (String line : Files.readAllLines(f)) {
            if (!line.isBlank()) {
              pids.add(Long.parseLong(line.strip()));
            }
          }
        } catch (IOException | RuntimeException e) {
          // gone or unreadable: nothing to kill there
        }
      }
      return List.copyOf(pids);
    }

    /**
     * SIGKILLs everything in the group ({@code cgroup.kill} in v2) until it is empty, up to 5 s.
     */
    void killAll() {
      if (version == Version.V2 && !dirs.isEmpty()) {
        Path kill = dirs.get(0).resolve("cgroup.kill");
        if (Files.exists(kill)) {
          try {
            Files.writeString(kill, "1");
          } catch (IOException e) {
            log.debug("cgroup.kill of {} failed: {}", dirs.get(0), e.toString());
          }
        }
      }
      boolean interrupted = Thread.interrupted();
      try {
        for (int round = 0; round < 500; round++) {
          List<Long> left = members();
          if (left.isEmpty()) {
            return;
          }
          for (long pid : left) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
          }
          interrupted |= pause();
        }
        log.warn("processes still in {} after 5 s of SIGKILL: {}", dirs, members());
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** Removes the group folders, retrying while the kernel still holds them; true when gone. */
    boolean remove() {
      boolean interrupted = Thread.interrupted();
      boolean all = true;
      for (Path d : dirs) {
        boolean gone = false;
        for (int i = 0; i < 100 && !gone; i++) {
          try {
            Files.delete(d);
            gone = true;
          } catch (NoSuchFileException e) {
            gone = true;
          } catch (DirectoryNotEmptyException e) {
            break;
          } catch (IOException e) {
            interrupted |= pause();
          }
        }
        if (!gone) {
          log.warn("cannot remove the group {}", d);
          all = false;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return all;
    }

    /** Sleeps 10 ms; returns whether it was interrupted (the flag is left clear). */
    private static boolean pause() {
      try {
        Thread.sleep(10);
        return false;
      } catch (InterruptedException e) {
        return true;
      }
    }

    private static long number(Path f) {
      try {
        return Long.parseLong(Files.readString(f).strip());
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }

    /** The value after {@code key} on its line of a {@code key value} file. */
    private static long key(Path f, String key) {
      try {
        for (String line : Files.readAllLines(f)) {
          String[] parts = line.strip().split("\\s+");
          if (parts.length == 2 && parts[0].equals(key)) {
            return Long.parseLong(parts[1]);
          }
        }
      } catch (IOException | RuntimeException e) {
        return 0;
      }
      return 0;
    }
  }
}
