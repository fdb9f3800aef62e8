package dev.localexec.cli;

import dev.localexec.core.internal.paths.PlaneFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLI's plug-in folder: every {@code *.jar} in it is put on a class loader whose parent is the
 * CLI's, so {@link java.util.ServiceLoader} finds the jars' task plug-ins besides the shipped ones.
 * Loading a jar runs its code in the operator's process, outside any sandbox, so the folder is one
 * the operator names ({@code --plugins DIR}); there is no default, and nothing under the repo root
 * is ever loaded.
 */
final class PluginJars {

  private PluginJars() {}

  /**
   * Why {@code dir} may not be a plug-in folder, or {@code null} when it may: it must lie outside
   * the repo root (jobs write there), and it and every jar in it must be owned by the user the CLI
   * runs as and writable by nobody else.
   */
  static String checkOperatorFolder(Path dir, Path root) {
    try {
      Path real = dir.toRealPath();
      Path realRoot = root.toRealPath();
      if (real.startsWith(realRoot)) {
        return "the folder is inside the repo root "
            + realRoot
            + ", whose content jobs and the repository control; keep plug-in jars in a folder of"
            + " yours outside it";
      }
      List<Path> check = new ArrayList<>();
      check.add(real);
      check.addAll(jars(real));
      Object me = PlaneFiles.currentUid();
      if (me == null) {
        return "cannot check the folder: the user this process runs as is unknown here";
      }
      for (Path p : check) {
        Object owner = Files.getAttribute(p, "unix:uid");
        int mode = (Integer) Files.getAttribute(p, "unix:mode");
        if (!owner.equals(me)) {
          return p + " belongs to uid " + owner + ", not to uid " + me + " the CLI runs as";
        }
        if ((mode & 0022) != 0) {
          return p
              + " is writable by its group or others (mode "
              + Integer.toOctalString(mode & 0777)
              + "); chmod go-w it";
        }
      }
      return null;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "cannot check the folder: " + e.getMessage();
    }
  }

  /** The jars of {@code dir}, sorted by name; empty when the folder does not exist. */
  static List<Path> jars(Path dir) {
    List<Path> jars = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return jars;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jar")) {
      for (Path p : ds) {
        if (Files.isRegularFile(p)) {
          jars.add(p.toAbsolutePath().normalize());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the plug-in folder " + dir, e);
    }
    jars.sort(null);
    return jars;
  }

  /**
   * {@code parent} when {@code dir} is {@code null} or holds no jar, else a loader over its jars
   * with {@code parent} as parent. The loader lives as long as the process (plug-in classes stay
   * loaded).
   */
  static ClassLoader loader(Path dir, ClassLoader parent) {
    if (dir == null) {
      return parent;
    }
    List<Path> jars = jars(dir);
    if (jars.isEmpty()) {
      return parent;
    }
    URL[] urls = new URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = jars.get(i).toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("bad plug-in jar path " + jars.get(i), e);
      }
    }
    return new URLClassLoader("local-exec-plugins", urls, parent);
  }
}
