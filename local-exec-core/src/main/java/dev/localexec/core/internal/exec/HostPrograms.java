package dev.localexec.core.internal.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The shells, shell-running programs, runners and dynamic loaders installed on this host, by real
 * path, size and SHA-256, so that a copy or a link of one is known for what it is whatever its
 * name. The host's list is read once, when first needed: the shells file ({@code /etc/shells}),
 * each name this policy knows looked up in the system's program folders, and the loaders in the
 * library folders. A digest is computed only for host files whose size equals that of a file being
 * checked, and kept. Thread-safe.
 */
final class HostPrograms {

  /** The name a dynamic loader is known by. */
  static final String LOADER = "ld.so";

  /** The most of a shells file that is read. */
  private static final int MAX_SHELLS_FILE = 64 * 1024;

  private static final List<String> PROGRAM_DIRS =
      List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin");
  private static final List<String> LIBRARY_DIRS =
      List.of(
          "/lib",
          "/lib64",
          "/lib32",
          "/libx32",
          "/usr/lib",
          "/usr/lib64",
          "/usr/lib32",
          "/usr/libx32");

  /** The host's own list, from {@code /etc/shells}. */
  static final HostPrograms HOST = new HostPrograms(Path.of("/etc/shells"));

  private final Path shellsFile;
  private volatile Table table;
  private final Map<Path, byte[]> digests = new ConcurrentHashMap<>();

  HostPrograms(Path shellsFile) {
    this.shellsFile = shellsFile;
  }

  /** What is known of the host: names by real path, real paths by size, the shells file's names. */
  private record Table(
      Map<Path, Set<String>> namesByPath, Map<Long, List<Path>> pathsBySize, Set<String> shells) {}

  /** The normalized basenames of the shells file's entries ({@code tmux} if it lists it). */
  Set<String> shellNames() {
    return table().shells();
  }

  /** The names a host file is known by when {@code real} is that file (its real path). */
  Set<String> namesOf(Path real) {
    return table().namesByPath().getOrDefault(real, Set.of());
  }

  /**
   * The host files with the same content as {@code real} (of {@code size} bytes), each with the
   * names it is known by; empty when no host file has that size.
   */
  Map<Path, Set<String>> sameContent(Path real, long size) throws IOException {
    Table t = table();
    List<Path> candidates = t.pathsBySize().get(size);
    if (candidates == null) {
      return Map.of();
    }
    byte[] digest = sha256(real, size);
    Map<Path, Set<String>> same = new HashMap<>();
    for (Path known : candidates) {
      if (known.equals(real)) {
        continue;
      }
      byte[] d = digests.get(known);
      if (d == null) {
        try {
          d = sha256(known, size);
        } catch (IOException e) {
          continue;
        }
        digests.put(known, d);
      }
      if (d != null && MessageDigest.isEqual(d, digest)) {
        same.put(known, t.namesByPath().get(known));
      }
    }
    return same;
  }

  private Table table() {
    Table t = table;
    if (t == null) {
      synchronized (this) {
        t = table;
        if (t == null) {
          t = load();
          table = t;
        }
      }
    }
    return t;
  }

  private Table load() {
    Map<Path, Set<String>> names = new HashMap<>();
    Set<String> shells = new LinkedHashSet<>();
    for (String entry : shellsFileEntries()) {
      String name = ShellNames.normalize(ShellNames.basename(entry));
      if (name.isEmpty() || ShellNames.NOT_SHELLS.contains(name)) {
        continue;
      }
      shells.add(name);
      add(names, entry, name);
    }
    Set<String> known = new LinkedHashSet<>();
    known.addAll(ShellNames.SHELLS);
    known.addAll(ShellNames.MULTI_CALL);
    known.addAll(ShellNames.SHELL_STRING_RUNNERS);
    known.addAll(RunnerGrammar.PARSED.keySet());
    known.addAll(RunnerGrammar.UNPARSED);
    known.add(ShellFinder.FIND);
    known.addAll(shells);
    for (String dir : PROGRAM_DIRS) {
      for (String name : known) {
        add(names, dir + "/" + name, name);
      }
    }
    for (Path loader : loaders()) {
      add(names, loader.toString(), LOADER);
    }
    Map<Long, List<Path>> bySize = new HashMap<>();
    for (Path p : names.keySet()) {
      try {
        bySize.computeIfAbsent(Files.size(p), k -> new ArrayList<>()).add(p);
      } catch (IOException e) {
        // gone since it was found: nothing to compare with
      }
    }
    Map<Path, Set<String>> frozen = new HashMap<>();
    names.forEach((p, n) -> frozen.put(p, Set.copyOf(n)));
    Map<Long, List<Path>> sizes = new HashMap<>();
    bySize.forEach((s, l) -> sizes.put(s, List.copyOf(l)));
    return new Table(Map.copyOf(frozen), Map.copyOf(sizes), Set.copyOf(shells));
  }

  private List<String> shellsFileEntries() {
    byte[] bytes;
    if (!Files.isRegularFile(shellsFile)) {
      return List.of();
    }
    try (InputStream in = Files.newInputStream(shellsFile)) {
      bytes = in.readNBytes(MAX_SHELLS_FILE);
    } catch (IOException | InvalidPathException e) {
      return List.of();
    }
    List<String> entries = new ArrayList<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      String l = line.strip();
      if (l.startsWith("/")) {
        entries.add(l);
      }
    }
    return entries;
  }

  /** Adds the regular file at {@code path} (after links) under {@code name}, if it exists. */
  private static void add(Map<Path, Set<String>> names, String path, String name) {
    try {
      Path real = Path.of(path).toRealPath();
      if (Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
        Set<String> n = names.computeIfAbsent(real, k -> new LinkedHashSet<>());
        n.add(name);
        n.add(ShellNames.normalize(ShellNames.basename(real.toString())));
      }
    } catch (IOException | InvalidPathException e) {
      // not installed here
    }
  }

  /** The dynamic loaders in the library folders and their {@code *-linux-*} subfolders. */
  private static List<Path> loaders() {
    List<Path> dirs = new ArrayList<>();
    for (String d : LIBRARY_DIRS) {
      Path dir = Path.of(d);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      dirs.add(dir);
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.getFileName().toString().contains("-linux"))
            .filter(Files::isDirectory)
            .forEach(dirs::add);
      } catch (IOException e) {
        // unreadable: skip
      }
    }
    List<Path> found = new ArrayList<>();
    for (Path dir : dirs) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "ld*")) {
        for (Path p : s) {
          if (ShellNames.isLoader(p.toString())) {
            found.add(p);
          }
        }
      } catch (IOException e) {
        // unreadable: skip
      }
    }
    return found;
  }

  /**
   * The SHA-256 of a regular file of {@code size} bytes; reads at most {@code size} bytes, so a
   * file that grew since is not read past the size it was compared at.
   */
  static byte[] sha256(Path file, long size) throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) {
      throw new IOException(file + " is not a regular file");
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
    byte[] buf = new byte[64 * 1024];
    long left = size;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          break;
        }
        md.update(buf, 0, n);
        left -= n;
      }
    }
    return md.digest();
  }

  @Override
  public String toString() {
    return "HostPrograms[" + shellsFile + "]";
  }
}
