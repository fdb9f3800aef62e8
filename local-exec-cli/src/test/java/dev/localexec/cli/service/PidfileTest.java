package dev.localexec.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pidfile's format: the pid alone on the first line, then {@code key=value} lines. */
class PidfileTest {
  @TempDir Path dir;

  @Test
  void render_putsThePidAloneOnTheFirstLine() {
    Pidfile p = new Pidfile(4242, Instant.parse("2026-11-24T06:13:59.960Z"), 10, "/srv/repo");

    assertThat(p.render())
        .isEqualTo(
            "4242\nstarted_at=2026-11-24T06:13:59.960Z\nstop_grace_sec=10\nrepo_root=/srv/repo\n");
    assertThat(Pidfile.parse(p.render(), 99)).contains(p);
  }

  @Test
  void theOriginalsBarePid_parsesWithDefaults() {
    assertThat(Pidfile.parse("1234\n", 10)).contains(new Pidfile(1234, null, 10, null));
    assertThat(Pidfile.parse("  77  ", 5)).contains(new Pidfile(77, null, 5, null));
  }

  @Test
  void somethingThatIsNotAPid_parsesToEmpty() {
    assertThat(Pidfile.parse("", 10)).isEmpty();
    assertThat(Pidfile.parse("abc\n", 10)).isEmpty();
    assertThat(Pidfile.parse("0\n", 10)).isEmpty();
    assertThat(Pidfile.parse("-5\n", 10)).isEmpty();
  }

  @Test
  void unreadableValuesKeepTheDefaultsAndUnknownKeysAreIgnored() {
    assertThat(Pidfile.parse("9\nstarted_at=yesterday\nstop_grace_sec=x\nfuture=1\n", 10))
        .contains(new Pidfile(9, null, 10, null));
  }

  @Test
  void write_replacesTheFileAndReadGivesItBack() throws Exception {
    Path f = dir.resolve("worker.pid");
    Files.writeString(f, "old\n");
    Pidfile p = new Pidfile(5, Instant.parse("2026-01-01T00:00:00Z"), 0, "/r");

    p.write(f);

    assertThat(Pidfile.read(f, 10)).contains(p);
    assertThat(Pidfile.read(dir.resolve("absent.pid"), 10)).isEqualTo(Optional.empty());
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(f);
    }
  }
}
