package dev.localexec.tasks.contract;

import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.tasks.testrunner.TestRunnerTask;
import dev.localexec.testkit.TaskPluginContractTest;
import java.util.List;
import java.util.Map;

class TestRunnerTaskContractTest extends TaskPluginContractTest {

  @Override
  protected TaskPlugin plugin() {
    return new TestRunnerTask();
  }

  @Override
  protected ToolPolicy toolPolicy() {
    return new ToolPolicy(false, true, List.of());
  }

  @Override
  protected Map<String, Object> validPayload() {
    return Map.of("commands", List.of(List.of("true")), "timeout_sec", 30);
  }

  @Override
  protected Map<String, Object> invalidPayload() {
    return Map.of("commands", List.of(List.of()), "timeout_sec", 0);
  }

  @Override
  protected String tinyBudgetError() {
    return "max_tool_calls exceeded";
  }
}
