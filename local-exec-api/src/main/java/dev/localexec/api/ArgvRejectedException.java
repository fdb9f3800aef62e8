package dev.localexec.api;

import java.util.List;

/**
 * A command was refused before anything ran (code {@code argv_rejected:<reason>}): an empty argv, a
 * NUL, a single element that looks like a shell line, or a shell as the program.
 */
public final class ArgvRejectedException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final List<String> argv;

  /**
   * Creates the exception.
   *
   * @param reason the reason, e.g. {@code shell_like}, {@code shell_program}, {@code empty}
   * @param argv the argv that was refused (null elements are kept as {@code "null"})
   * @param message what was wrong and what to do instead
   */
  public ArgvRejectedException(String reason, List<String> argv, String message) {
    super("argv_rejected:" + reason, message, false);
    this.reason = reason;
    this.argv = argv == null ? List.of() : List.copyOf(argv);
  }

  /** The reason, without the {@code argv_rejected:} prefix. */
  public String reason() {
    return reason;
  }

  /** The refused argv. */
  public List<String> argv() {
    return argv;
  }
}
