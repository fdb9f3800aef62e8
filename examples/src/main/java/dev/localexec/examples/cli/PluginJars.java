package dev.localexec.examples.cli;

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
 */
final class PluginJars {
  /** The plug-in folder under the repo root when {@code --plugins} is not given. */
  static final String DEFAULT_DIR = "workspace/local_exec/plugins";

  private PluginJars() {}

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
   * {@code parent} when {@code dir} holds no jar, else a loader over its jars with {@code parent}
   * as parent. The loader lives as long as the process (plug-in classes stay loaded).
   */
  static ClassLoader loader(Path dir, ClassLoader parent) {
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
