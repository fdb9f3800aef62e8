package dev.localexec.core.internal.plugin;

import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;

/**
 * A plug-in listed in the test class path's {@code META-INF/services} file whose constructor fails,
 * so that discovery must report and skip it.
 */
public final class ExplodingPlugin implements TaskPlugin {

  /** Always throws. */
  public ExplodingPlugin() {
    throw new IllegalStateException("ExplodingPlugin fails to construct on purpose");
  }

  @Override
  public String id() {
    return "exploding_task";
  }

  @Override
  public String payloadSchema() {
    return "{\"type\":\"object\"}";
  }

  @Override
  public TaskResult run(TaskContext context) {
    throw new UnsupportedOperationException("never constructed");
  }
}
