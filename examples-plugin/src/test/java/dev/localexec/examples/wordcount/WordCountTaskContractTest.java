package dev.localexec.examples.wordcount;

import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.testkit.TaskPluginContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class WordCountTaskContractTest extends TaskPluginContractTest {

  @Override
  protected TaskPlugin plugin() {
    return new WordCountTask();
  }

  @Override
  protected void prepareRoot(Path root) throws IOException {
    Files.createDirectories(root.resolve("docs"));
    for (int i = 0; i < 8; i++) {
      Files.writeString(
          root.resolve("docs/file" + i + ".txt"),
          "alpha beta gamma delta epsilon alpha beta gamma alpha zeta" + i + " eta theta\n");
    }
  }

  @Override
  protected Map<String, Object> validPayload() {
    List<String> paths =
        List.of(
            "docs/file0.txt",
            "docs/file1.txt",
            "docs/file2.txt",
            "docs/file3.txt",
            "docs/file4.txt",
            "docs/file5.txt",
            "docs/file6.txt",
            "docs/file7.txt");
    return Map.of("paths", paths, "min_length", 2);
  }

  @Override
  protected Map<String, Object> invalidPayload() {
    return Map.of("paths", List.of(), "min_length", 65);
  }

  @Override
  protected String tinyBudgetError() {
    return "max_output_bytes exceeded";
  }
}
