package dev.localexec.core.internal.paths;

import dev.localexec.api.PathRejectedException;
import dev.localexec.api.spi.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * {@link RepoPaths} confined to one root folder. Immutable and thread-safe.
 *
 * <p>{@link #resolveExisting} checks, in this order, and refuses with a {@link
 * PathRejectedException} whose reason is: {@code empty} (null or blank), {@code absolute} (starts
 * with {@code /} or {@code \}, or a drive such as {@code C:}), {@code parent_ref} (a {@code ..}
 * segment, split on {@code /} and {@code \}), {@code not_found} (nothing there once symlinks are
 * followed; a dangling symlink is not found) and {@code outside_repo} (its real path is not under
 * the real root).
 */
public final class RepoRootPaths implements RepoPaths {

  private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*", Pattern.DOTALL);
  private static final Pattern SEPARATORS = Pattern.compile("[/\\\\]");

  private final Path root;

  private RepoRootPaths(Path root) {
    this.root = root;
  }

  /**
   * Creates the paths of a root folder.
   *
   * @param root the repo root; made absolute with its symlinks resolved
   * @throws IllegalArgumentException if the root does not exist or is not a folder
   */
  public static RepoRootPaths of(Path root) {
    if (root == null) {
      throw new IllegalArgumentException("repo root must not be null");
    }
    Path real;
    try {
      real = root.toAbsolutePath().toRealPath();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "repo root '" + root + "' cannot be resolved (" + e + "); create it or pass another", e);
    }
    if (!Files.isDirectory(real)) {
      throw new IllegalArgumentException(
          "repo root '" + root + "' is not a folder; pass the folder the plane serves");
    }
    return new RepoRootPaths(real);
  }

  @Override
  public Path root() {
    return root;
  }

  @Override
  public Path resolveExisting(String relative) {
    if (relative == null || relative.isBlank()) {
      throw new PathRejectedException(relative, "empty");
    }
    if (relative.startsWith("/")
        || relative.startsWith("\\")
        || DRIVE.matcher(relative).matches()) {
      throw new PathRejectedException(relative, "absolute");
    }
    for (String segment : SEPARATORS.split(relative, -1)) {
      if (segment.equals("..")) {
        throw new PathRejectedException(relative, "parent_ref");
      }
    }
    Path resolved;
    try {
      resolved = root.resolve(relative);
    } catch (InvalidPathException e) {
      throw new PathRejectedException(relative, "not_found");
    }
    if (!Files.exists(resolved)) {
      throw new PathRejectedException(relative, "not_found");
    }
    Path real;
    try {
      real = resolved.toRealPath();
    } catch (IOException e) {
      throw new PathRejectedException(relative, "not_found");
    }
    if (!real.startsWith(root)) {
      throw new PathRejectedException(relative, "outside_repo");
    }
    return real;
  }

  /**
   * Resolves a relative path to an existing folder inside the root, as {@link #resolveExisting}
   * does.
   *
   * @param relative the path as the job gave it, {@code /}-separated ({@code "."} for the root)
   * @return the real path of the folder
   * @throws PathRejectedException if refused; reason {@code not_a_directory} when the path exists
   *     but is not a folder
   */
  public Path resolveDirectory(String relative) {
    Path real = resolveExisting(relative);
    if (!Files.isDirectory(real)) {
      throw new PathRejectedException(relative, "not_a_directory");
    }
    return real;
  }

  /**
   * {@inheritDoc}
   *
   * @return the {@code /}-separated path relative to the root, {@code "."} for the root itself
   * @throws IllegalArgumentException if the path is not inside the root
   */
  @Override
  public String relativize(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    if (!absolute.startsWith(root)) {
      throw new IllegalArgumentException(
          "path '" + path + "' is not inside the repo root; pass a path under " + root);
    }
    Path rel = root.relativize(absolute);
    if (rel.toString().isEmpty()) {
      return ".";
    }
    StringJoiner joined = new StringJoiner("/");
    for (Path name : rel) {
      joined.add(name.toString());
    }
    return joined.toString();
  }

  @Override
  public String toString() {
    return "RepoRootPaths[" + root + "]";
  }
}
