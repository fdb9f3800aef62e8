package dev.localexec.core.sandbox;

/** How a plane chooses the sandbox of its subprocesses. */
public enum SandboxMode {
  /**
   * The default: bubblewrap if it works on this host, else {@code unshare}, else none, and then
   * every subprocess is refused with {@code sandbox_unavailable} (fail closed).
   */
  AUTO,
  /** Bubblewrap only; the plane cannot be built if it does not work. */
  BWRAP,
  /** {@code unshare} only (no filesystem isolation); the plane cannot be built if it fails. */
  UNSHARE,
  /**
   * Explicitly off: subprocesses run directly, with the network and the whole filesystem of the
   * worker, and every {@code run_header} says {@code "mechanism": "none"}.
   */
  NONE;

  /**
   * The mode named {@code auto}, {@code bwrap}, {@code unshare} or {@code none} (any case).
   *
   * @throws IllegalArgumentException for any other name, listing the valid ones
   */
  public static SandboxMode parse(String name) {
    if (name != null) {
      for (SandboxMode m : values()) {
        if (m.name().equalsIgnoreCase(name.strip())) {
          return m;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown sandbox mode '" + name + "'; use one of auto, bwrap, unshare, none");
  }
}
