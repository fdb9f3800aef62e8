package dev.localexec.core.sandbox;

import dev.localexec.api.spi.CommandRequest;
import dev.localexec.api.spi.CommandResult;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A task that runs the argv of its payload ({@code {"argv": [...]}}) and returns its exit code. */
public final class ArgvTaskPlugin implements TaskPlugin {

  /** The job type. */
  public static final String ID = "argv_task";

  /** A plug-in instance. */
  public ArgvTaskPlugin() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String payloadSchema() {
    return "{\"type\":\"object\",\"required\":[\"argv\"],"
        + "\"properties\":{\"argv\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}";
  }

  @Override
  public TaskResult run(TaskContext context) {
    @SuppressWarnings("unchecked")
    List<String> argv = (List<String>) context.job().payload().get("argv");
    CommandResult r = context.argv().run(CommandRequest.of(argv, Duration.ofSeconds(20)));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("exit_code", r.exitCode());
    result.put("stdout", r.stdout());
    result.put("stderr", r.stderr());
    return TaskResult.of(result);
  }
}
