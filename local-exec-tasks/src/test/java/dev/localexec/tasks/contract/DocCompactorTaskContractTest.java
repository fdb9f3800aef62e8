package dev.localexec.tasks.contract;

import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.tasks.doccompact.DocCompactorTask;
import dev.localexec.testkit.TaskPluginContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class DocCompactorTaskContractTest extends TaskPluginContractTest {

  @Override
  protected TaskPlugin plugin() {
    return new DocCompactorTask();
  }

  @Override
  protected void prepareRoot(Path root) throws IOException {
    Files.createDirectories(root.resolve("docs"));
    for (int i = 0; i < 3; i++) {
      Files.writeString(
          root.resolve("docs/part" + i + ".md"),
          ("# Part " + i + "\n\n" + "Some prose about the plane and its guardrails. ").repeat(20)
              + "\n");
    }
  }

  @Override
  protected Map<String, Object> validPayload() {
    return Map.of(
        "inputs",
        List.of("docs/part0.md", "docs/part1.md", "docs/part2.md"),
        "max_input_bytes",
        100_000,
        "max_output_bytes",
        65_536,
        "title",
        "Contract Docs");
  }

  @Override
  protected Map<String, Object> invalidPayload() {
    return Map.of("inputs", List.of(), "max_input_bytes", 1, "max_output_bytes", 1);
  }

  /**
   * None: the compactor fits its document into the output budget that is left (cutting it and
   * marking it) instead of failing, so a tiny budget is not an error for this task.
   */
  @Override
  protected String tinyBudgetError() {
    return null;
  }
}
