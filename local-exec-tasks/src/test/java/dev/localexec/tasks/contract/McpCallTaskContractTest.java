package dev.localexec.tasks.contract;

import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.tasks.mcpcall.McpCallTask;
import dev.localexec.tasks.testing.FakeToolBackend;
import dev.localexec.testkit.TaskPluginContractTest;
import java.util.List;
import java.util.Map;
import java.util.Set;

class McpCallTaskContractTest extends TaskPluginContractTest {

  @Override
  protected TaskPlugin plugin() {
    return new McpCallTask();
  }

  @Override
  protected LocalExecPlane plane() {
    return LocalExecPlane.builder(root)
        .register(plugin())
        .sandbox(SandboxMode.NONE)
        .tools(new FakeToolBackend(Set.of("fake.echo")))
        .build();
  }

  @Override
  protected ToolPolicy toolPolicy() {
    return new ToolPolicy(false, false, List.of("fake.echo"));
  }

  @Override
  protected Map<String, Object> validPayload() {
    return Map.of(
        "calls",
        List.of(
            Map.of("tool", "fake.echo", "arguments", Map.of("message", "one")),
            Map.of("tool", "fake.echo")));
  }

  @Override
  protected Map<String, Object> invalidPayload() {
    return Map.of("calls", List.of(Map.of("tool", "no-dot", "extra", 1)));
  }

  @Override
  protected String tinyBudgetError() {
    return "max_tool_calls exceeded";
  }
}
