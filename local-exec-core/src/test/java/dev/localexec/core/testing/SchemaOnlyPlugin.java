package dev.localexec.core.testing;

import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;

/**
 * A task plug-in that only has an id and a payload schema, for tests of registration, validation
 * and the queue. Running it is an error.
 *
 * @param id the job type
 * @param payloadSchema the payload's JSON Schema text
 */
public record SchemaOnlyPlugin(String id, String payloadSchema) implements TaskPlugin {

  /** A plug-in whose payload may be any JSON object. */
  public static SchemaOnlyPlugin permissive(String id) {
    return new SchemaOnlyPlugin(id, "{\"type\":\"object\"}");
  }

  @Override
  public TaskResult run(TaskContext context) {
    throw new UnsupportedOperationException(id + " is a schema-only test plug-in");
  }
}
