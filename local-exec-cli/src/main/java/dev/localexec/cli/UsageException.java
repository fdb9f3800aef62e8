package dev.localexec.cli;

/** Bad command-line input: an unknown flag, a missing argument, a missing file. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
