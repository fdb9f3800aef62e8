package dev.localexec.core.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Finds host processes by a marker in their command line or environment, by scanning {@code
 * /proc/<pid>/cmdline} and {@code /proc/<pid>/environ}. It sees processes in every PID namespace
 * below the test's (with their host PIDs), also those re-parented away from the test JVM, which
 * {@link ProcessHandle#descendants()} misses. Zombies do not count.
 */
final class ProcessMarkers {

  private ProcessMarkers() {}

  /** A fresh marker: letters and digits only, so it can go in an argv or an environment value. */
  static String newMarker() {
    return "lxm" + UUID.randomUUID().toString().replace("-", "");
  }

  /** A number for {@code sleep} that no other process uses: 300 followed by nine random digits. */
  static String uniqueSleepSeconds() {
    long n = Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 1_000_000_000L);
    return "300" + String.format("%09d", n);
  }

  /** The running processes whose command line or environment holds {@code marker}. */
  static List<ProcessHandle> find(String marker) {
    byte[] needle = marker.getBytes(StandardCharsets.ISO_8859_1);
    List<ProcessHandle> found = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path dir : procs) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid = Long.parseLong(name);
        if (pid == ProcessHandle.current().pid()) {
          continue;
        }
        if (holds(dir.resolve("cmdline"), needle) || holds(dir.resolve("environ"), needle)) {
          ProcessHandle.of(pid).filter(ProcessMarkers::running).ifPresent(found::add);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return found;
  }

  /** Descriptions ({@code pid cmdline}) of the running processes holding {@code marker}. */
  static List<String> describe(String marker) {
    return find(marker).stream()
        .map(h -> h.pid() + " " + h.info().commandLine().orElse("?"))
        .toList();
  }

  /** Kills (SIGKILL, by PID) every process holding {@code marker}, so a failed test leaves none. */
  static void killAll(String marker) {
    find(marker).forEach(ProcessHandle::destroyForcibly);
  }

  private static boolean holds(Path file, byte[] needle) {
    byte[] data;
    try {
      data = Files.readAllBytes(file);
    } catch (IOException | RuntimeException e) {
      return false;
    }
    outer:
    for (int i = 0; i + needle.length <= data.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static boolean running(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    try {
      String stat =
          Files.readString(
              Path.of("/proc", Long.toString(h.pid()), "stat"), StandardCharsets.ISO_8859_1);
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return h.isAlive();
    }
  }

  /** Starts a {@link Watch} on {@code marker}. */
  static Watch watch(String marker) {
    return new Watch(marker);
  }

  /**
   * Polls {@code /proc} for a marker every 20 ms while open and keeps every PID seen, so a test can
   * show the processes it later finds gone did exist.
   */
  static final class Watch implements AutoCloseable {
    private final Set<Long> seen = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean done = new AtomicBoolean();
    private final Thread thread;

    private Watch(String marker) {
      thread =
          new Thread(
              () -> {
                while (!done.get()) {
                  find(marker).forEach(h -> seen.add(h.pid()));
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "marker-watch");
      thread.setDaemon(true);
      thread.start();
    }

    /** How many distinct processes held the marker while the watch was open. */
    int seen() {
      return seen.size();
    }

    @Override
    public void close() {
      done.set(true);
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
