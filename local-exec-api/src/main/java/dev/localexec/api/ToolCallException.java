package dev.localexec.api;

/**
 * A tool call (an MCP tool, {@code server.tool}) was refused or failed. The {@link #code() code} is
 * {@code <kind>:<tool>}, e.g. {@code tool_not_allowed:everything.get-sum}, and is what the ledger
 * records when the job fails because of it.
 */
public final class ToolCallException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  /** Why a tool call did not give a result. */
  public enum Kind {
    /** The job's {@code allowed_tools} does not name the tool. */
    NOT_ALLOWED("tool_not_allowed", false),
    /** The tool configuration's {@code enabled_tools} does not name the tool. */
    NOT_ENABLED("tool_not_enabled", false),
    /** The name is not {@code server.tool}, or the server or tool does not exist. */
    UNKNOWN_TOOL("tool_unknown", false),
    /** The arguments are not a JSON object, or the tool rejected them. */
    BAD_ARGUMENTS("tool_bad_arguments", false),
    /** The tool ran and reported an error ({@code isError: true}). */
    TOOL_ERROR("tool_error", false),
    /** The call did not finish within the tool timeout; its processes were stopped. */
    TIMEOUT("tool_timeout", true),
    /** The response was larger than {@code max_response_bytes}. */
    RESPONSE_TOO_LARGE("tool_response_too_large", false),
    /** The tool runner or server could not be started or reached. */
    UNAVAILABLE("tool_unavailable", true),
    /** The tool configuration is missing or invalid. */
    CONFIG_INVALID("tool_config_invalid", false);

    private final String code;
    private final boolean retryable;

    Kind(String code, boolean retryable) {
      this.code = code;
      this.retryable = retryable;
    }

    /** The code prefix, e.g. {@code tool_timeout}. */
    public String code() {
      return code;
    }
  }

  private final Kind kind;
  private final String tool;

  /**
   * Creates the exception.
   *
   * @param kind why the call gave no result
   * @param tool the tool's name as asked for, e.g. {@code everything.echo}
   * @param message what happened, with the values, and what to do
   */
  public ToolCallException(Kind kind, String tool, String message) {
    this(kind, tool, message, null);
  }

  /** Creates the exception with a cause. */
  public ToolCallException(Kind kind, String tool, String message, Throwable cause) {
    super(kind.code + ":" + tool, message, kind.retryable, cause);
    this.kind = kind;
    this.tool = tool;
  }

  /** Why the call gave no result. */
  public Kind kind() {
    return kind;
  }

  /** The tool's name as asked for. */
  public String tool() {
    return tool;
  }
}
