package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginJarsTest {
  @TempDir Path dir;

  @Test
  void loader_withoutAFolder_isTheParent() {
    ClassLoader parent = PluginJarsTest.class.getClassLoader();

    assertThat(PluginJars.loader(dir.resolve("missing"), parent)).isSameAs(parent);
    assertThat(PluginJars.loader(dir, parent)).isSameAs(parent);
  }

  @Test
  void jars_areTheJarFilesSortedByName() throws IOException {
    Files.writeString(dir.resolve("b.jar"), "");
    Files.writeString(dir.resolve("a.jar"), "");
    Files.writeString(dir.resolve("notes.txt"), "");
    Files.createDirectories(dir.resolve("folder.jar"));

    assertThat(PluginJars.jars(dir))
        .containsExactly(
            dir.resolve("a.jar").toAbsolutePath().normalize(),
            dir.resolve("b.jar").toAbsolutePath().normalize());
  }

  @Test
  void loader_withJars_isAChildOfTheParentOverThem() throws IOException {
    Files.writeString(dir.resolve("a.jar"), "");
    ClassLoader parent = PluginJarsTest.class.getClassLoader();

    ClassLoader loader = PluginJars.loader(dir, parent);

    assertThat(loader).isInstanceOf(URLClassLoader.class);
    assertThat(loader.getParent()).isSameAs(parent);
    assertThat(((URLClassLoader) loader).getURLs())
        .containsExactly(dir.resolve("a.jar").toAbsolutePath().normalize().toUri().toURL());
  }
}
