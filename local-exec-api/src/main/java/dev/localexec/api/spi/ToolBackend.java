package dev.localexec.api.spi;

import java.time.Duration;
import java.util.List;

/**
 * Reaches real tools (MCP servers) for the plane. The plane wraps a backend in the guarded {@link
 * ToolInvoker} tasks use, so a backend does not check job policy; it must honour each request's
 * timeout, response bound and cancellation, call exactly the tool named (never a "closest" one),
 * pass no secret of the host's environment to servers, and leave no process behind.
 *
 * <p>A backend starts its processes (servers, or a program that starts them) through the {@link
 * ToolProcesses} it was opened with ({@link Factory}), so that they run in the plane's sandbox.
 *
 * <p>Implementations are thread-safe. {@link #close()} stops everything the backend started.
 */
public interface ToolBackend extends AutoCloseable {

  /** A short name recorded in evidence, e.g. {@code mcporter} or {@code mcp-sdk}. */
  String name();

  /** The plane-wide settings: enabled tools, timeout, response bound. */
  ToolSettings settings();

  /**
   * Lists the tools of every configured server.
   *
   * @param timeout how long listing one server may take
   * @throws dev.localexec.api.ToolCallException if a server cannot be listed
   */
  List<ToolDescription> listTools(Duration timeout);

  /**
   * Calls one tool; blocks until it answers, fails, times out or is cancelled.
   *
   * @throws dev.localexec.api.ToolCallException for a refusal or failure
   * @throws dev.localexec.api.KillSwitchException when {@link ToolRequest#cancelled()} turned true
   */
  ToolResult call(ToolRequest request);

  /** Stops every process and session the backend started. Never throws. */
  @Override
  void close();

  /**
   * Opens a backend whose processes the plane starts: given to {@code
   * LocalExecPlane.Builder.tools}, it is opened once, when the plane is built, with the plane's
   * {@link ToolProcesses}, and closed with the plane.
   */
  @FunctionalInterface
  interface Factory {
    /**
     * Opens the backend; it should start nothing yet (the plane chooses its sandbox on first use).
     *
     * @param processes starts every process the backend needs, in the plane's sandbox
     */
    ToolBackend open(ToolProcesses processes);
  }
}
