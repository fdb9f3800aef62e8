package dev.localexec.api.spi;

import java.nio.file.Path;

/**
 * Resolves paths given by a job, confined to the repo root. Refusals are {@link
 * dev.localexec.api.PathRejectedException}s with reasons {@code empty}, {@code absolute}, {@code
 * parent_ref}, {@code outside_repo} (a symlink leading out) and {@code not_found}.
 */
public interface RepoPaths {

  /** The repo root, absolute and with symlinks resolved. */
  Path root();

  /**
   * Resolves a relative path to an existing file or folder inside the root.
   *
   * @param relative the path as the job gave it, {@code /}-separated
   * @return the real path (symlinks resolved), inside the root
   * @throws dev.localexec.api.PathRejectedException if refused
   */
  Path resolveExisting(String relative);

  /** The root-relative, {@code /}-separated form of a path inside the root. */
  String relativize(Path path);
}
