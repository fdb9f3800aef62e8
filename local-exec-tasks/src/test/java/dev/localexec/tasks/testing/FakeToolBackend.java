package dev.localexec.tasks.testing;

import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolDescription;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.api.spi.ToolSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tool backend with one server {@code fake} whose tools answer {@code {"tool":..,"args":..}} with
 * the arguments echoed back. Remembers every request.
 */
public final class FakeToolBackend implements ToolBackend {
  private final ToolSettings settings;
  private final List<ToolRequest> requests = new CopyOnWriteArrayList<>();

  /** Enables exactly {@code enabled}. */
  public FakeToolBackend(Set<String> enabled) {
    this.settings = new ToolSettings(enabled, Duration.ofSeconds(30), 4096);
  }

  /** Every request, in order. */
  public List<ToolRequest> requests() {
    return List.copyOf(requests);
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public ToolSettings settings() {
    return settings;
  }

  @Override
  public List<ToolDescription> listTools(Duration timeout) {
    return List.of(new ToolDescription("fake", "echo", "echoes its arguments", "{}"));
  }

  @Override
  public ToolResult call(ToolRequest request) {
    requests.add(request);
    String json =
        "{\"tool\":\"" + request.toolName() + "\",\"args\":" + request.argumentsJson() + "}";
    return new ToolResult(
        request.tool(),
        json,
        true,
        json.getBytes(StandardCharsets.UTF_8).length,
        Duration.ofMillis(1));
  }

  @Override
  public void close() {}
}
