package dev.localexec.core.internal.plugin;

import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;

/**
 * A well-formed plug-in listed in the test class path's {@code META-INF/services} file, so that
 * discovery has something to find.
 */
public final class DiscoveredProbePlugin implements TaskPlugin {
  /** The job type this plug-in registers. */
  public static final String ID = "discovered_probe_task";

  /** Creates the plug-in (ServiceLoader needs a public no-argument constructor). */
  public DiscoveredProbePlugin() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String payloadSchema() {
    return "{\"type\":\"object\"}";
  }

  @Override
  public TaskResult run(TaskContext context) {
    throw new UnsupportedOperationException("discovery probe only");
  }
}
