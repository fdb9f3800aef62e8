package dev.localexec.tasks.contract;

import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.tasks.repoindex.RepoIndexTask;
import dev.localexec.testkit.TaskPluginContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class RepoIndexTaskContractTest extends TaskPluginContractTest {

  @Override
  protected TaskPlugin plugin() {
    return new RepoIndexTask();
  }

  @Override
  protected void prepareRoot(Path root) throws IOException {
    Files.createDirectories(root.resolve("src"));
    for (int i = 0; i < 40; i++) {
      Files.writeString(
          root.resolve("src/notes" + i + ".md"),
          "# Notes " + i + "\n\nThe audit policy of the router, line " + i + ".\n");
    }
  }

  @Override
  protected Map<String, Object> validPayload() {
    return Map.of(
        "include_globs",
        List.of("src/*.md"),
        "max_files",
        100,
        "max_file_bytes",
        4096,
        "keywords",
        List.of("audit", "policy", "router"));
  }

  @Override
  protected Map<String, Object> invalidPayload() {
    return Map.of("include_globs", List.of(), "max_files", 0, "max_file_bytes", 1);
  }

  @Override
  protected String tinyBudgetError() {
    return "max_output_bytes exceeded";
  }
}
