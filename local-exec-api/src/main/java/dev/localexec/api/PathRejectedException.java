package dev.localexec.api;

/**
 * A path given by a job was refused (code {@code path_rejected:<reason>}); reasons are {@code
 * empty}, {@code absolute}, {@code parent_ref}, {@code outside_repo} and {@code not_found}.
 */
public final class PathRejectedException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;

  /**
   * Creates the exception.
   *
   * @param path the path as the job gave it
   * @param reason the reason without prefix, e.g. {@code parent_ref}
   */
  public PathRejectedException(String path, String reason) {
    super(
        "path_rejected:" + reason,
        "path '" + path + "' rejected (" + reason + "): give a relative path inside the repo root",
        false);
    this.path = path;
    this.reason = reason;
  }

  /** The path as the job gave it. */
  public String path() {
    return path;
  }

  /** The reason without the {@code path_rejected:} prefix. */
  public String reason() {
    return reason;
  }
}
