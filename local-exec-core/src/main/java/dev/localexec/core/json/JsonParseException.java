package dev.localexec.core.json;

import dev.localexec.api.LocalExecException;

/** Text that is not valid JSON; carries the line and column where reading stopped. */
public final class JsonParseException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;

  /** Creates the exception. */
  public JsonParseException(String detail, int line, int column) {
    super(
        "invalid_json",
        "invalid JSON at line " + line + ", column " + column + ": " + detail,
        false);
    this.line = line;
    this.column = column;
  }

  /** The 1-based line where reading stopped (0 if unknown). */
  public int line() {
    return line;
  }

  /** The 1-based column where reading stopped (0 if unknown). */
  public int column() {
    return column;
  }
}
