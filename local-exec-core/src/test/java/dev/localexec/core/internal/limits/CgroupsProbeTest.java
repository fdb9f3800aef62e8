package dev.localexec.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe's reading of {@code /proc/self/cgroup} and {@code /proc/self/mountinfo}. */
class CgroupsProbeTest {

  @TempDir Path tmp;

  @Test
  void hybridHost_usesTheV1HierarchiesBelowTheProcessesOwnGroups() throws IOException {
    Path pids = Files.createDirectories(tmp.resolve("pids"));
    Path cpuacct = Files.createDirectories(tmp.resolve("cpuacct/jobs/w1"));
    Path unified = Files.createDirectories(tmp.resolve("unified"));
    Path self =
        Files.writeString(tmp.resolve("cgroup"), "8:pids:/\n2:cpuacct:/jobs/w1\n1:cpu:/\n0::/\n");
    Path mountinfo =
        Files.writeString(
            tmp.resolve("mountinfo"),
            "30 25 0:26 / "
                + pids
                + " rw,relatime shared:9 - cgroup cgroup rw,pids\n"
                + "31 25 0:27 / "
                + tmp.resolve("cpuacct")
                + " rw,relatime - cgroup cgroup rw,cpuacct\n"
                + "32 25 0:28 / "
                + unified
                + " rw,relatime - cgroup2 cgroup2 rw\n"
                + "20 1 8:1 / / rw,relatime - ext4 /dev/vda rw\n");

    Cgroups c = Cgroups.probe(self, mountinfo);

    assertThat(c.version()).isEqualTo(Cgroups.Version.V1);
    assertThat(c.pids()).isTrue();
    assertThat(c.memory()).isFalse();
    assertThat(c.cpu()).isTrue();
    assertThat(c.parentDirs()).containsExactly(pids, cpuacct);
    assertThat(c.toMap().get("version")).isEqualTo("cgroup_v1");
  }

  @Test
  void aMountWithARoot_isFollowedFromThatRoot() throws IOException {
    Path mount = Files.createDirectories(tmp.resolve("pids"));
    Path own = Files.createDirectories(mount.resolve("w1"));
    Path self = Files.writeString(tmp.resolve("cgroup"), "3:pids:/docker/abc/w1\n");
    Path mountinfo =
        Files.writeString(
            tmp.resolve("mountinfo"),
            "30 25 0:26 /docker/abc " + mount + " rw - cgroup cgroup rw,pids\n");

    assertThat(Cgroups.probe(self, mountinfo).parentDirs()).containsExactly(own);
  }

  @Test
  void noCgroupMount_isNone_withTheFix() throws IOException {
    Path self = Files.writeString(tmp.resolve("cgroup"), "0::/\n");
    Path mountinfo =
        Files.writeString(tmp.resolve("mountinfo"), "20 1 8:1 / / rw - ext4 /dev/vda rw\n");

    Cgroups c = Cgroups.probe(self, mountinfo);

    assertThat(c.version()).isEqualTo(Cgroups.Version.NONE);
    assertThat(c.detail())
        .isEqualTo(
            "no writable cgroup with the memory or pids controller; run the worker as root, or"
                + " in a delegated cgroup v2 subtree (systemd Delegate=yes)");
  }
}
