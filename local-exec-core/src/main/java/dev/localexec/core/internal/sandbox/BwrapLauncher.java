package dev.localexec.core.internal.sandbox;

import dev.localexec.core.exec.LaunchSpec;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.plane.PlaneLayout;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts every process inside bubblewrap ({@code bwrap}): new user, network, PID, IPC, UTS and
 * mount namespaces ({@code --unshare-all}; {@code --share-net} keeps the host's network only when
 * the job's {@code allow_network} is true), {@code --die-with-parent --new-session --cap-drop ALL},
 * a fresh {@code /proc} and {@code /dev}, an empty private {@code /tmp} and {@code /run}, and only
 * these host folders, read-only: {@code /usr}, the {@code /bin}, {@code /sbin} and {@code /lib*}
 * links (as symlinks where the host has merged them into {@code /usr}, else bound), the {@code
 * /etc} entries of {@link #ETC_ENTRIES} that exist plus {@code /etc/python3*} and {@code
 * /etc/java-*}, and {@code /opt}. The repo root is the only writable folder; the plane's own
 * folders inside it are bound read-only on top, so a job cannot edit the ledger or the evidence,
 * and every folder between the root and them is bound onto itself (writable as before, but a mount
 * point, which cannot be renamed, removed or replaced from inside), so a job cannot move the
 * plane's folders aside and build new ones the plane would then trust. The repo's own control files
 * ({@link #CONTROL_PATHS}: {@code .git}'s configuration and hooks, editor and environment settings,
 * the plane's {@code config/}) are read-only the same way, unless the operator opens them. A plane
 * folder or control path that is a symlink is never bound: the start is refused (a symlinked
 * control path is left out, and said so in the log). The sandbox's root folder is then made
 * read-only ({@code --remount-ro /}), so a write anywhere else fails. {@code /etc/shadow}, {@code
 * /etc/gshadow}, {@code /etc/sudoers}, {@code /etc/ssl/private}, {@code /root}, {@code /home} and
 * {@code /var} do not exist inside. The private {@code /tmp} and {@code /run} have the spec's
 * {@link LaunchSpec#tmpfsBytes() size} when it has one: then also a private {@code /dev/shm} of
 * that size, and {@code /dev} read-only.
 *
 * <p>The environment is exactly the spec's, with {@code PATH} fixed to {@value
 * LocalArgvRunner#SAFE_PATH}. It is given to the {@code bwrap} process itself (which passes it on)
 * rather than as {@code --setenv NAME VALUE}: a command line is readable by every local user in
 * {@code /proc/<pid>/cmdline}, and an {@code env_allow} value may be a secret. Standard input is
 * the spec's ({@code /dev/null} for a job's command); standard output and error are pipes. The
 * spec's {@link LaunchSpec#writableFolders() writable folders} (a tool backend's private {@code
 * HOME}, outside the repo root) are bound writable at their own paths, over the private {@code
 * /tmp}.
 *
 * <p>The spec's resource-limit {@link LaunchSpec#wrapper() wrapper} runs on the host in front of
 * {@code bwrap}, so {@code bwrap} and everything inside are in the command's cgroup and under its
 * rlimits.
 *
 * <p>Since the command runs in its own PID namespace, everything it starts ends when it ends (the
 * namespace's init exits and the kernel kills the rest), and when {@code bwrap} is killed ({@code
 * --die-with-parent}). The processes still run as the worker's user: as root they can read any file
 * that is visible inside. Stateless and thread-safe.
 */
public final class BwrapLauncher implements ProcessLauncher {

  /** The mechanism's name. */
  public static final String NAME = "bwrap";

  /** The plane's folder under the repo root, as {@code PlaneLayout.WORKSPACE} names it. */
  public static final String PLANE_FOLDER = PlaneLayout.WORKSPACE;

  /**
   * The {@code /etc} entries bound read-only when they exist: the dynamic linker, users and groups
   * (for {@code id} and {@code getpwuid}), name service and time zone settings, TLS certificates,
   * and toolchain settings. Never {@code shadow}, {@code gshadow}, {@code sudoers} or {@code
   * ssl/private}.
   */
  public static final List<String> ETC_ENTRIES =
      List.of(
          "ld.so.cache",
          "ld.so.conf",
          "ld.so.conf.d",
          "alternatives",
          "passwd",
          "group",
          "nsswitch.conf",
          "host.conf",
          "hosts",
          "resolv.conf",
          "gai.conf",
          "protocols",
          "services",
          "networks",
          "localtime",
          "timezone",
          "ssl/certs",
          "ssl/openssl.cnf",
          "ca-certificates",
          "ca-certificates.conf",
          "locale.alias",
          "mime.types",
          "magic",
          "magic.mime",
          "os-release",
          "debian_version",
          "perl");

  /**
   * The repo root's control files, kept read-only inside the sandbox when they exist (folders
   * between the root and them are pinned as mount points): what git, a shell, an editor or the
   * plane itself reads as configuration or runs as code from the repo. For {@code .git} (a folder)
   * the folder is pinned and {@code config}, {@code config.worktree}, {@code hooks} (created empty
   * when missing, so that none can be added), {@code info} and {@code modules} are read-only; the
   * rest of {@code .git} (objects, refs, the index) stays writable for git commands a job runs. A
   * {@code .git} file (a worktree or submodule link) is read-only as a whole. {@code config} is the
   * plane's configuration folder ({@code config/mcporter.json}, {@code config/vllm/}).
   */
  public static final List<String> CONTROL_PATHS =
      List.of(
          ".git",
          ".gitmodules",
          ".githooks",
          ".husky",
          ".envrc",
          ".vscode",
          ".idea",
          ".devcontainer",
          "config");

  /** The parts of a {@code .git} folder kept read-only. */
  static final List<String> GIT_CONTROL =
      List.of("config", "config.worktree", "hooks", "info", "modules");

  /** Prefixes of further {@code /etc} entries bound read-only: interpreter and JDK settings. */
  static final List<String> ETC_PREFIXES = List.of("python3", "java-");

  private static final List<String> ROOT_LINKS =
      List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");

  /** Host folders the repo root must not be, nor hold: binding it writable would expose them. */
  private static final List<String> SYSTEM_FOLDERS =
      List.of(
          "/usr", "/etc", "/opt", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/dev", "/proc",
          "/sys", "/run", "/tmp", "/var", "/root", "/home");

  private static final Logger log = LoggerFactory.getLogger(BwrapLauncher.class);

  private final String executable;
  private final Path root;
  private final List<Path> readOnlyInsideRoot;
  private final List<String> controlPaths;
  private final List<String> systemBinds;

  /**
   * A launcher for {@code root} that finds {@code bwrap} on {@value LocalArgvRunner#SAFE_PATH} and
   * keeps {@code <root>/workspace/local_exec} read-only.
   *
   * @throws IllegalArgumentException if {@code root} is not a folder, or is or holds a system
   *     folder such as {@code /usr} or {@code /tmp}
   */
  public BwrapLauncher(Path root) {
    this(Path.of(NAME), root, List.of(Path.of(PLANE_FOLDER)));
  }

  /**
   * A launcher for {@code root}.
   *
   * @param executable the {@code bwrap} program; a bare name is looked up on {@value
   *     LocalArgvRunner#SAFE_PATH} at each start
   * @param root the repo root, the only writable folder inside
   * @param readOnlyInsideRoot folders under {@code root} (absolute, or relative to it) bound
   *     read-only on top when they exist at a start, e.g. the plane's state and evidence
   * @throws IllegalArgumentException if {@code root} is not a folder, or is or holds a system
   *     folder such as {@code /usr} or {@code /tmp}
   */
  public BwrapLauncher(Path executable, Path root, List<Path> readOnlyInsideRoot) {
    this(executable, root, readOnlyInsideRoot, CONTROL_PATHS);
  }

  /**
   * A launcher for {@code root} that keeps {@code controlPaths} read-only instead of {@link
   * #CONTROL_PATHS}.
   *
   * @param executable the {@code bwrap} program; a bare name is looked up on {@value
   *     LocalArgvRunner#SAFE_PATH} at each start
   * @param root the repo root, the only writable folder inside
   * @param readOnlyInsideRoot folders under {@code root} (absolute, or relative to it) bound
   *     read-only on top when they exist at a start, e.g. the plane's state and evidence
   * @param controlPaths root-relative paths kept read-only when they exist (see {@link
   *     #CONTROL_PATHS}); an operator who lets jobs edit one leaves it out
   * @throws IllegalArgumentException if {@code root} is not a folder, or is or holds a system
   *     folder such as {@code /usr} or {@code /tmp}, or a control path is not a plain relative path
   */
  public BwrapLauncher(
      Path executable, Path root, List<Path> readOnlyInsideRoot, List<String> controlPaths) {
    for (String c : controlPaths) {
      Path cp = Path.of(c);
      if (c.isBlank() || cp.isAbsolute() || !cp.normalize().equals(cp) || c.startsWith("..")) {
        throw new IllegalArgumentException(
            "control path '" + c + "' must be a plain path relative to the repo root, e.g. .git");
      }
    }
    this.controlPaths = List.copyOf(controlPaths);
    this.executable = Objects.requireNonNull(executable, "executable").toString();
    this.root = realFolder(Objects.requireNonNull(root, "root"));
    Path given = root.toAbsolutePath().normalize();
    List<Path> ro = new ArrayList<>();
    for (Path p : readOnlyInsideRoot) {
      Path abs = given.resolve(p).normalize();
      ro.add(abs.startsWith(given) ? this.root.resolve(given.relativize(abs)) : abs);
    }
    ro.sort(Comparator.comparingInt(Path::getNameCount).thenComparing(Comparator.naturalOrder()));
    this.readOnlyInsideRoot = List.copyOf(ro);
    this.systemBinds = systemBinds();
  }

  private static Path realFolder(Path root) {
    Path real;
    try {
      real = root.toAbsolutePath().toRealPath();
    } catch (IOException e) {
      throw new IllegalArgumentException("repo root " + root + " cannot be resolved: " + e, e);
    }
    if (!Files.isDirectory(real)) {
      throw new IllegalArgumentException("repo root " + real + " is not a folder");
    }
    for (String system : SYSTEM_FOLDERS) {
      if (Path.of(system).startsWith(real)) {
        throw new IllegalArgumentException(
            "repo root "
                + real
                + " is or holds the system folder "
                + system
                + ", which bubblewrap would then make writable (or, for /tmp, shared) inside the"
                + " sandbox; use a project folder as the repo root");
      }
    }
    return real;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The repo root, symlinks resolved: the only writable folder inside. */
  public Path root() {
    return root;
  }

  /** True: the resource-limit wrapper goes in front of {@code bwrap}. */
  @Override
  public boolean appliesResourceLimits() {
    return true;
  }

  /** True: {@code /tmp}, {@code /run} and {@code /dev/shm} are sized by the spec. */
  @Override
  public boolean boundsTmpfs() {
    return true;
  }

  @Override
  public Process start(LaunchSpec spec) throws IOException {
    DirectLauncher.locate(spec.argv().get(0), LocalArgvRunner.SAFE_PATH);
    String bwrap = DirectLauncher.locate(executable, LocalArgvRunner.SAFE_PATH);
    List<String> command = spec.wrap(command(bwrap, spec));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.directory(spec.cwd().toFile());
    builder.environment().clear();
    builder.environment().putAll(spec.environment());
    builder.environment().put("PATH", LocalArgvRunner.SAFE_PATH);
    builder.redirectInput(spec.stdin());
    builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
    builder.redirectError(ProcessBuilder.Redirect.PIPE);
    Process process = builder.start();
    log.debug("bwrap pid {}: {}", process.pid(), command);
    return process;
  }

  /** The control paths kept read-only inside (see {@link #CONTROL_PATHS}). */
  public List<String> controlPaths() {
    return controlPaths;
  }

  /**
   * The whole {@code bwrap} command line for {@code spec}; no environment value is in it.
   *
   * @throws IOException if a plane folder inside the root is a symlink or not a folder, so it
   *     cannot be protected
   */
  List<String> command(String bwrap, LaunchSpec spec) throws IOException {
    List<String> c = new ArrayList<>();
    c.add(bwrap);
    c.add("--unshare-all");
    if (spec.allowNetwork()) {
      c.add("--share-net");
    }
    c.addAll(
        List.of(
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
            "--proc",
            "/proc",
            "--dev",
            "/dev"));
    tmpfsMounts(c, spec.tmpfsBytes());
    for (Path folder : spec.writableFolders()) {
      Path real = folder.toRealPath();
      if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("the writable folder " + folder + " is not a folder");
      }
      bindSelf(real, c);
    }
    c.addAll(systemBinds);
    String r = root.toString();
    c.addAll(List.of("--bind", r, r));
    c.addAll(protectedBinds());
    c.addAll(List.of("--remount-ro", "/", "--chdir", spec.cwd().toString(), "--"));
    c.addAll(spec.argv());
    return c;
  }

  /**
   * The private {@code /tmp} and {@code /run}; with a size, each and a private {@code /dev/shm} are
   * that large, and {@code /dev} itself (a tmpfs bubblewrap cannot size) is made read-only.
   */
  private static void tmpfsMounts(List<String> c, long bytes) {
    if (bytes > 0) {
      String size = Long.toString(bytes);
      c.addAll(List.of("--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev"));
      c.addAll(List.of("--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/run"));
    } else {
      c.addAll(List.of("--tmpfs", "/tmp", "--tmpfs", "/run"));
    }
  }

  /**
   * The binds that protect the plane's folders and the control paths: every folder between the root
   * and a protected path bound onto itself (a mount point: it cannot be renamed, removed or
   * replaced from inside), then the protected path read-only. Decided at each start, from the file
   * system as it is then (the repo's content is the job's to change between starts).
   */
  List<String> protectedBinds() throws IOException {
    Set<Path> pinned = new HashSet<>();
    List<String> c = new ArrayList<>();
    for (Path p : readOnlyInsideRoot) {
      if (!p.startsWith(root) || p.equals(root)) {
        continue;
      }
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || !pinAncestors(p, pinned, c)) {
        throw new IOException(
            "the plane's folder "
                + p
                + " (or a folder above it inside the repo root) is a symlink or not a folder, so"
                + " the sandbox cannot keep it read-only; refusing to start anything. Remove the"
                + " link and let the plane recreate the folder, or keep the plane's files outside"
                + " the repo root");
      }
      readOnly(p, c);
    }
    for (String name : controlPaths) {
      Path p = root.resolve(name);
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (!pinAncestors(p, pinned, c) || Files.isSymbolicLink(p)) {
        log.warn(
            "{} is a symlink (or lies under one), so the sandbox cannot keep it read-only;"
                + " jobs can replace it",
            p);
        continue;
      }
      if (name.equals(".git") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        bindSelf(p, c);
        pinned.add(p);
        Path hooks = p.resolve("hooks");
        if (!Files.exists(hooks, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(hooks);
        }
        for (String part : GIT_CONTROL) {
          Path q = p.resolve(part);
          if (Files.exists(q, LinkOption.NOFOLLOW_LINKS)) {
            readOnly(q, c);
          }
        }
        continue;
      }
      readOnly(p, c);
    }
    return c;
  }

  /**
   * Binds every folder strictly between the root and {@code p} onto itself, once. False if one of
   * them (or {@code p}'s real path) leaves the plain folder structure: a symlink on the way.
   */
  private boolean pinAncestors(Path p, Set<Path> pinned, List<String> c) throws IOException {
    Path rel = root.relativize(p);
    Path at = root;
    for (int i = 0; i < rel.getNameCount() - 1; i++) {
      at = at.resolve(rel.getName(i));
      if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      if (pinned.add(at)) {
        bindSelf(at, c);
      }
    }
    return Files.isSymbolicLink(p) || p.toRealPath().equals(p);
  }

  private static void bindSelf(Path p, List<String> c) {
    c.addAll(List.of("--bind", p.toString(), p.toString()));
  }

  private static void readOnly(Path p, List<String> c) {
    c.addAll(List.of("--ro-bind", p.toString(), p.toString()));
  }

  /** The read-only binds of the host's system folders, decided once. */
  private static List<String> systemBinds() {
    List<String> c = new ArrayList<>(List.of("--ro-bind", "/usr", "/usr"));
    for (String link : ROOT_LINKS) {
      Path p = Path.of(link);
      if (Files.isSymbolicLink(p)) {
        try {
          c.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), link));
          continue;
        } catch (IOException e) {
          log.debug("cannot read the link {}: {}", link, e.toString());
        }
      }
      if (Files.exists(p)) {
        c.addAll(List.of("--ro-bind-try", link, link));
      }
    }
    List<String> etc = new ArrayList<>(ETC_ENTRIES);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/etc"))) {
      List<String> found = new ArrayList<>();
      for (Path e : entries) {
        String name = e.getFileName().toString();
        if (ETC_PREFIXES.stream().anyMatch(name::startsWith)) {
          found.add(name);
        }
      }
      found.sort(Comparator.naturalOrder());
      etc.addAll(found);
    } catch (IOException e) {
      log.debug("cannot list /etc: {}", e.toString());
    }
    for (String name : etc) {
      String p = "/etc/" + name;
      if (Files.exists(Path.of(p))) {
        c.addAll(List.of("--ro-bind-try", p, p));
      }
    }
    c.addAll(List.of("--ro-bind-try", "/opt", "/opt"));
    return List.copyOf(c);
  }
}
