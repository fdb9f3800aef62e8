package dev.localexec.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrapper argv, the limits written and the classification of a command, with folders standing
 * in for the cgroup hierarchies (the kernel's counters are written by the test).
 */
class CommandLimitsTest {

  private static final long MIB = 1L << 20;
  private static final String PRLIMIT = "/usr/bin/prlimit";

  @TempDir Path tmp;
  private Path memory;
  private Path pids;
  private Path cpu;

  @BeforeEach
  void setUp() throws IOException {
    memory = Files.createDirectories(tmp.resolve("memory/parent"));
    pids = Files.createDirectories(tmp.resolve("pids"));
    cpu = Files.createDirectories(tmp.resolve("cpuacct"));
  }

  private ResourceControl control(Cgroups cgroups) {
    return ResourceControl.of(ResourcePolicy.standard(64L << 30), cgroups, PRLIMIT);
  }

  private CommandLimits openV1(ResourceLimits asked) throws IOException {
    return control(Cgroups.v1(memory, pids, cpu)).forJob(asked, true, true).open();
  }

  private static void write(Path dir, String file, String text) throws IOException {
    Files.writeString(dir.resolve(file), text);
  }

  private static Path dir(CommandLimits limits, int i) {
    return limits.groupDirs().get(i);
  }

  @Test
  void v1_makesAGroupInEachHierarchy_writesTheLimits_andJoinsThemBeforeTheRlimits()
      throws IOException {
    CommandLimits limits = openV1(new ResourceLimits(256 * MIB, 64, 2, 64 * MIB));

    List<Path> dirs = limits.groupDirs();
    assertThat(dirs).hasSize(3);
    assertThat(dirs.get(0).getParent()).isEqualTo(memory);
    assertThat(dirs.get(1).getParent()).isEqualTo(pids);
    assertThat(dirs.get(2).getParent()).isEqualTo(cpu);
    String name = dirs.get(0).getFileName().toString();
    assertThat(name).matches("local-exec-" + ProcessHandle.current().pid() + "-\\d+");
    assertThat(Files.readString(dirs.get(0).resolve("memory.limit_in_bytes")))
        .isEqualTo("268435456");
    assertThat(Files.readString(dirs.get(1).resolve("pids.max"))).isEqualTo("64");
    assertThat(limits.wrapper())
        .containsExactly(
            "/bin/sh",
            "-c",
            CommandLimits.JOIN,
            "local-exec-join",
            dirs.get(0).resolve("cgroup.procs").toString(),
            dirs.get(1).resolve("cgroup.procs").toString(),
            dirs.get(2).resolve("cgroup.procs").toString(),
            "--",
            PRLIMIT,
            "--fsize=67108864",
            "--cpu=2:3",
            "--");
    assertThat(CommandLimits.JOIN)
        .isEqualTo(
            "for f; do [ \"$f\" = -- ] && break; echo $$ > \"$f\" || exit 125; shift; done;"
                + " shift; exec \"$@\"");
  }

  @Test
  void withoutCgroups_onlyRlimits_andTheAddressSpaceOnlyWhenTheJobAskedForMemory()
      throws IOException {
    ResourceControl c = control(Cgroups.none("test"));

    CommandLimits asked = c.forJob(new ResourceLimits(256 * MIB, 64, 0, 0), true, true).open();
    CommandLimits defaults = c.forJob(ResourceLimits.NONE, true, true).open();

    assertThat(asked.groupDirs()).isEmpty();
    assertThat(asked.wrapper())
        .containsExactly(PRLIMIT, "--fsize=17179869184", "--as=268435456", "--");
    assertThat(defaults.wrapper()).containsExactly(PRLIMIT, "--fsize=17179869184", "--");
  }

  @Test
  void aLauncherThatDoesNotApplyLimits_getsNoWrapper() throws IOException {
    CommandLimits limits =
        control(Cgroups.v1(memory, pids, cpu))
            .forJob(new ResourceLimits(256 * MIB, 64, 2, 64 * MIB), false, false)
            .open();

    assertThat(limits.wrapper()).isEmpty();
    assertThat(limits.groupDirs()).isEmpty();
  }

  @Test
  void anOomKill_isMaxMemoryExceeded_withThePeak() throws IOException {
    CommandLimits limits = openV1(new ResourceLimits(256 * MIB, 0, 0, 0));
    assertThat(limits.poll()).isNull();
    write(dir(limits, 0), "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
    write(dir(limits, 0), "memory.max_usage_in_bytes", "268435456\n");

    BudgetExceededException e = limits.poll();

    assertThat(e.code()).isEqualTo("max_memory_bytes exceeded");
    assertThat(e.limit()).isEqualTo(256 * MIB);
    assertThat(e.used()).isEqualTo(256 * MIB);
    assertThat(limits.afterExit(137)).isInstanceOf(BudgetExceededException.class);
  }

  @Test
  void aRefusedFork_isMaxProcessesExceeded() throws IOException {
    CommandLimits limits = openV1(new ResourceLimits(0, 64, 0, 0));
    write(dir(limits, 1), "pids.events", "max 17\n");
    write(dir(limits, 1), "pids.peak", "64\n");

    BudgetExceededException e = limits.poll();

    assertThat(e.getMessage())
        .isEqualTo("max_processes exceeded: limit 64, used 64; raise the job's budget");
  }

  @Test
  void theTreesCpuTime_pastTheLimit_isMaxCpuExceeded() throws IOException {
    CommandLimits limits = openV1(new ResourceLimits(0, 0, 2, 0));
    Path acct = dir(limits, 2);
    write(acct, "cpuacct.usage", "1999999999\n");
    assertThat(limits.poll()).isNull();
    write(acct, "cpuacct.usage", "2000000001\n");

    BudgetExceededException e = limits.poll();

    assertThat(e.code()).isEqualTo("max_cpu_sec exceeded");
    assertThat(e.used()).isEqualTo(3);
  }

  @Test
  void exitStatuses_153And152_areTheFileAndCpuLimits_125WithoutARun_isUnavailable()
      throws IOException {
    CommandLimits limits = openV1(new ResourceLimits(0, 0, 5, 64 * MIB));

    LocalExecException file = limits.afterExit(153);
    LocalExecException cpuKill = limits.afterExit(152);
    LocalExecException notJoined = limits.afterExit(125);
    write(dir(limits, 2), "cpuacct.usage", "1200\n");

    assertThat(file.code()).isEqualTo("max_file_bytes exceeded");
    assertThat(((BudgetExceededException) file).limit()).isEqualTo(64 * MIB);
    assertThat(cpuKill.code()).isEqualTo("max_cpu_sec exceeded");
    assertThat(notJoined.code()).isEqualTo("resource_limits_unavailable");
    assertThat(limits.afterExit(125)).isNull();
    assertThat(limits.afterExit(0)).isNull();
    assertThat(limits.afterExit(1)).isNull();
  }

  @Test
  void theJobsCpuTime_addsUpOverItsCommands_andRefusesTheNextOnceUsed() throws IOException {
    JobResources job =
        control(Cgroups.v1(memory, pids, cpu)).forJob(new ResourceLimits(0, 0, 3, 0), true, true);
    CommandLimits first = job.open();
    write(dir(first, 2), "cpuacct.usage", "2500000000\n");
    first.close();

    CommandLimits second = job.open();

    assertThat(job.cpuNanosUsed()).isEqualTo(2_500_000_000L);
    assertThat(second.wrapper()).contains("--cpu=1:2");
    write(dir(second, 2), "cpuacct.usage", "600000000\n");
    assertThat(second.poll().code()).isEqualTo("max_cpu_sec exceeded");
    second.close();
    assertThat(
            org.assertj.core.api.Assertions.catchThrowableOfType(
                    BudgetExceededException.class, job::checkCpuLeft)
                .getMessage())
        .isEqualTo("max_cpu_sec exceeded: limit 3, used 4; raise the job's budget");
  }

  @Test
  void v2_usesOneGroup_withMemoryMaxNoSwapAndPidsMax() throws IOException {
    Path parent = Files.createDirectories(tmp.resolve("unified"));
    CommandLimits limits =
        control(Cgroups.v2(parent, true, true))
            .forJob(new ResourceLimits(256 * MIB, 64, 0, 0), true, true)
            .open();
    Path g = dir(limits, 0);

    assertThat(limits.groupDirs()).containsExactly(g);
    assertThat(Files.readString(g.resolve("memory.max"))).isEqualTo("268435456");
    assertThat(Files.readString(g.resolve("pids.max"))).isEqualTo("64");
    write(g, "memory.events", "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n");
    assertThat(limits.poll().code()).isEqualTo("max_memory_bytes exceeded");
  }

  @Test
  void describe_saysHowEachLimitIsEnforced() {
    ResourceControl v1 = control(Cgroups.v1(memory, pids, cpu));
    ResourceControl bare = control(Cgroups.none("test"));

    assertThat(v1.describe(new ResourceLimits(0, 64, 2, 0), true, true))
        .containsExactly(
            Map.entry(
                "max_memory_bytes",
                Map.of(
                    "value", 4L << 30, "source", "default", "enforced_by", List.of("cgroup_v1"))),
            Map.entry(
                "max_processes",
                Map.of("value", 64L, "source", "job", "enforced_by", List.of("cgroup_v1"))),
            Map.entry(
                "max_cpu_sec",
                Map.of(
                    "value", 2L, "source", "job", "enforced_by", List.of("cgroup_v1", "rlimit"))),
            Map.entry(
                "max_file_bytes",
                Map.of("value", 16L << 30, "source", "default", "enforced_by", List.of("rlimit"))),
            Map.entry("tmpfs_bytes", 256 * MIB));
    Map<String, Object> none = bare.describe(ResourceLimits.NONE, true, false);
    assertThat(none.get("max_memory_bytes"))
        .isEqualTo(
            Map.of("value", 4L << 30, "source", "default", "enforced_by", List.of("not_enforced")));
    assertThat(none.get("max_cpu_sec"))
        .isEqualTo(
            new java.util.HashMap<>(Map.of("source", "default", "enforced_by", List.of())) {
              {
                put("value", null);
              }
            });
    assertThat(none.get("tmpfs_bytes")).isNull();
    assertThat(v1.enforcesAll(ResourceLimits.NONE, true)).isTrue();
    assertThat(v1.enforcesAll(ResourceLimits.NONE, false)).isFalse();
    assertThat(bare.enforcesAll(ResourceLimits.NONE, true)).isFalse();
    assertThat(ResourceControl.disabled().enforcesAll(ResourceLimits.NONE, true)).isFalse();
  }
}
