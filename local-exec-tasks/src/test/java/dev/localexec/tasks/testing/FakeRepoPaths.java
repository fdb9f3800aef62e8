package dev.localexec.tasks.testing;

import dev.localexec.api.PathRejectedException;
import dev.localexec.api.spi.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The plane's path sandbox rules, checked in order: blank is {@code empty}, absolute is {@code
 * absolute}, any {@code ..} segment is {@code parent_ref}, a missing path is {@code not_found}, and
 * a real path (symlinks resolved) outside the root is {@code outside_repo}.
 */
final class FakeRepoPaths implements RepoPaths {
  private final Path root;

  FakeRepoPaths(Path root) {
    this.root = root;
  }

  @Override
  public Path root() {
    return root;
  }

  @Override
  public Path resolveExisting(String relative) {
    if (relative == null || relative.isBlank()) {
      throw new PathRejectedException(String.valueOf(relative), "empty");
    }
    if (relative.startsWith("/") || relative.startsWith("\\")) {
      throw new PathRejectedException(relative, "absolute");
    }
    for (String segment : relative.split("[/\\\\]")) {
      if (segment.equals("..")) {
        throw new PathRejectedException(relative, "parent_ref");
      }
    }
    try {
      Path path = root.resolve(relative);
      if (!Files.exists(path)) {
        throw new PathRejectedException(relative, "not_found");
      }
      Path real = path.toRealPath();
      if (!real.startsWith(root)) {
        throw new PathRejectedException(relative, "outside_repo");
      }
      return real;
    } catch (IOException | InvalidPathException e) {
      throw new PathRejectedException(relative, "not_found");
    }
  }

  @Override
  public String relativize(Path path) {
    return root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
  }
}
