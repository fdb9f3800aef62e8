package dev.localexec.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The original tool's files, in the shared folder next to the project; tests skip without them. */
public final class Fixtures {
  private Fixtures() {}

  /**
   * The folder {@code shared/fixtures/original-run}, found relative to the module directory. Aborts
   * the calling test (skipped, not failed) when the folder is absent.
   */
  public static Path originalRun() {
    Path dir =
        Path.of(System.getProperty("user.dir"))
            .resolve("../../shared/fixtures/original-run")
            .normalize();
    assumeTrue(Files.isDirectory(dir), "fixtures not present: " + dir);
    return dir;
  }
}
