package dev.localexec.core.internal.paths;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the plane opens its own files: never through a symlink. Everything under the repo root is the
 * repository's (and, once a job ran, the job's) to shape, so a file the plane writes, appends to or
 * reads as its state must not be reachable by a link somebody planted: the last component is opened
 * with {@link LinkOption#NOFOLLOW_LINKS} ({@code O_NOFOLLOW}), temporary files are created new
 * ({@code O_EXCL}), and the folders on the way are checked once by {@link #checkFolder}: plain
 * folders, no symlink, owned by the user the plane runs as. Inside the sandbox the plane's folders
 * are read-only mounts (see the bubblewrap launcher), so a job cannot change them later.
 */
public final class PlaneFiles {

  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private PlaneFiles() {}

  /**
   * Creates {@code dir} if needed, and checks every component from {@code root} (exclusive) down to
   * {@code dir}: each must be a folder (not a symlink) owned by the user this process runs as. A
   * folder outside {@code root} is the operator's choice and only created.
   *
   * @param root the repo root (absolute, normalised)
   * @param dir one of the plane's folders
   * @throws IOException saying which component is wrong and what to do
   */
  public static void checkFolder(Path root, Path dir) throws IOException {
    checkFolder(root, dir, true);
  }

  /**
   * Checks the components of {@code dir} that exist as {@link #checkFolder(Path, Path)} does,
   * without creating any: the check of a plane that only reads (a missing folder holds nothing).
   *
   * @param root the repo root (absolute, normalised)
   * @param dir one of the plane's folders
   * @throws IOException saying which component is wrong and what to do
   */
  public static void checkExistingFolder(Path root, Path dir) throws IOException {
    checkFolder(root, dir, false);
  }

  private static void checkFolder(Path root, Path dir, boolean create) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    Path r = root.toAbsolutePath().normalize();
    if (!abs.startsWith(r) || abs.equals(r)) {
      if (create) {
        Files.createDirectories(abs);
      }
      return;
    }
    Path at = r;
    Integer me = currentUid();
    for (Path name : r.relativize(abs)) {
      at = at.resolve(name);
      if (Files.isSymbolicLink(at)) {
        throw new IOException(
            at
                + " is a symlink; the plane never follows links inside the repo root to its own"
                + " files. Remove it (the plane recreates its folders), or keep the plane's files"
                + " outside the root");
      }
      if (!Files.exists(at, NOFOLLOW)) {
        if (!create) {
          return;
        }
        try {
          Files.createDirectory(at);
        } catch (FileAlreadyExistsException e) {
          // created meanwhile; checked below
        }
      }
      if (!Files.isDirectory(at, NOFOLLOW)) {
        throw new IOException(
            at + " is not a folder; the plane keeps its files there. Move it away and retry");
      }
      if (me != null) {
        Object owner = Files.getAttribute(at, "unix:uid", NOFOLLOW);
        if (!me.equals(owner)) {
          throw new IOException(
              at
                  + " belongs to uid "
                  + owner
                  + ", not to uid "
                  + me
                  + " the plane runs as; the plane trusts only its own folders. Remove it or"
                  + " change its owner");
        }
      }
    }
  }

  /** The uid this process runs as, or {@code null} where the file system cannot tell. */
  public static Integer currentUid() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return uid instanceof Integer i ? i : null;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Opens {@code file} with {@code options} plus {@link LinkOption#NOFOLLOW_LINKS}: a symlink in
   * its place fails the open ({@code ELOOP}) instead of being followed.
   */
  public static FileChannel open(Path file, OpenOption... options) throws IOException {
    List<OpenOption> all = new ArrayList<>(options.length + 1);
    Collections.addAll(all, options);
    all.add(NOFOLLOW);
    try {
      return FileChannel.open(file, all.toArray(OpenOption[]::new));
    } catch (IOException e) {
      if (Files.isSymbolicLink(file)) {
        throw new IOException(
            file + " is a symlink; the plane never writes or reads its files through a link", e);
      }
      throw e;
    }
  }

  /** Whether {@code file} exists as anything, a dangling symlink included. */
  public static boolean existsAsAnything(Path file) {
    return Files.exists(file, NOFOLLOW);
  }

  /**
   * Writes {@code bytes} to {@code target} atomically: a new temporary file next to it (created
   * exclusively, never through a link), then a rename over the target (which replaces a symlink
   * there rather than following it).
   *
   * @param force whether to force the bytes to the device before the rename
   * @throws IOException if it cannot be written
   */
  public static void writeAtomically(Path target, byte[] bytes, boolean force) throws IOException {
    Path tmp =
        target.resolveSibling(
            target.getFileName()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1)
                + ".tmp");
    try {
      try (FileChannel ch = open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        if (force) {
          ch.force(true);
        }
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }
}
