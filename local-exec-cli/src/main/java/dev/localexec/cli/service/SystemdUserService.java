package dev.localexec.cli.service;

import dev.localexec.api.LocalExecException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The worker as the systemd user unit {@value #UNIT}, rendered for one repo root into {@code
 * $XDG_CONFIG_HOME/systemd/user/} (default {@code ~/.config/systemd/user/}) and driven through
 * {@code systemctl --user}. One unit per user: installing it for another root replaces it.
 */
final class SystemdUserService {
  /** The unit's name. */
  static final String UNIT = "local-exec-worker.service";

  private static final String TEMPLATE = "local-exec-worker.service.in";
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@+,-]+");

  private final WorkerCommand command;
  private final Map<String, String> env;

  SystemdUserService(WorkerCommand command, Map<String, String> env) {
    this.command = command;
    this.env = Map.copyOf(env);
  }

  /**
   * Whether systemd user mode works here: {@code systemctl --user show-environment} exits 0. {@code
   * systemctl} is looked up on {@code PATH}.
   */
  static boolean available(Map<String, String> env) {
    try {
      return run(env, Duration.ofSeconds(10), "show-environment").code() == 0;
    } catch (LocalExecException e) {
      return false;
    }
  }

  /** The folder user units are read from. */
  Path unitDir() {
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "systemd", "user");
    }
    String home = env.get("HOME");
    if (home == null || home.isBlank()) {
      home = System.getProperty("user.home");
    }
    return Path.of(home, ".config", "systemd", "user");
  }

  /** The unit file. */
  Path unitFile() {
    return unitDir().resolve(UNIT);
  }

  /** The unit file's text for this repo root. */
  String render() {
    String template;
    try (InputStream in = SystemdUserService.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException("the unit template " + TEMPLATE + " is not in the jar");
      }
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> exec = new ArrayList<>();
    for (String a : command.serviceArgv(env)) {
      exec.add(quote(a));
    }
    String root = command.root().toString();
    return template
        .replace("@ROOT@", specifiers(root))
        .replace("@WORKING_DIRECTORY@", specifiers(root))
        .replace("@EXEC_START@", String.join(" ", exec))
        .replace("@GRACE_SEC@", Integer.toString(command.stopGraceSec()))
        .replace(
            "@TIMEOUT_STOP_SEC@",
            Long.toString(command.stopGraceSec() + PidfileDaemon.STOP_MARGIN.toSeconds()));
  }

  /** One argument of {@code ExecStart=}: quoted when needed, {@code %} and {@code $} escaped. */
  static String quote(String arg) {
    String s = specifiers(arg).replace("$", "$$");
    if (PLAIN.matcher(arg).matches()) {
      return s;
    }
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String specifiers(String s) {
    return s.replace("%", "%%");
  }

  /**
   * Writes the unit file if its content differs; runs {@code systemctl --user daemon-reload} when
   * it changed and {@code reload} is true.
   *
   * @return the lines to print
   */
  List<String> install(boolean reload) {
    Path file = unitFile();
    String text = render();
    boolean changed;
    try {
      changed = !Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(text);
      if (changed) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new LocalExecException(
          "io_error", "cannot write the unit file " + file + ": " + e.getMessage(), true, e);
    }
    List<String> lines = new ArrayList<>();
    lines.add((changed ? "installed " : "unchanged ") + UNIT + " at " + file);
    if (changed && reload) {
      check(run(env, Duration.ofSeconds(30), "daemon-reload"), "daemon-reload");
      lines.add("systemd user units reloaded");
    }
    return lines;
  }

  /** Installs the unit when needed and starts it. */
  List<String> start() {
    install(true);
    Map<String, String> before = show();
    if ("active".equals(before.get("ActiveState"))) {
      return List.of("systemd worker already running unit=" + UNIT + pid(before));
    }
    check(run(env, Duration.ofSeconds(60), "start", UNIT), "start " + UNIT);
    return List.of("systemd worker started unit=" + UNIT + pid(show()));
  }

  /** Stops the unit (systemd sends SIGTERM and waits {@code TimeoutStopSec}). */
  List<String> stop() {
    Map<String, String> before = show();
    String state = before.getOrDefault("ActiveState", "inactive");
    if (!state.equals("active") && !state.equals("activating") && !state.equals("reloading")) {
      return List.of("systemd worker not running unit=" + UNIT);
    }
    Duration wait =
        Duration.ofSeconds(command.stopGraceSec())
            .plus(PidfileDaemon.STOP_MARGIN)
            .plus(Duration.ofSeconds(30));
    check(run(env, wait, "stop", UNIT), "stop " + UNIT);
    return List.of("systemd worker stopped unit=" + UNIT + pid(before));
  }

  /** The line {@code status} prints. */
  List<String> status() {
    Map<String, String> s = show();
    String state = s.getOrDefault("ActiveState", "unknown");
    if (state.equals("active")) {
      return List.of("systemd worker active unit=" + UNIT + pid(s));
    }
    return List.of("systemd worker inactive unit=" + UNIT + " state=" + state);
  }

  /** The unit's state for {@code health}. */
  Map<String, Object> describe() {
    Map<String, String> s = show();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", "systemd");
    m.put("unit", UNIT);
    m.put("unit_file", unitFile().toString());
    m.put("active", "active".equals(s.get("ActiveState")));
    m.put("state", s.getOrDefault("ActiveState", "unknown"));
    long pid = mainPid(s);
    m.put("pid", pid > 0 ? pid : null);
    return m;
  }

  private Map<String, String> show() {
    Result r = run(env, Duration.ofSeconds(30), "show", "-p", "ActiveState,SubState,MainPID", UNIT);
    check(r, "show " + UNIT);
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : r.output().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
    }
    return m;
  }

  private static long mainPid(Map<String, String> show) {
    try {
      return Long.parseLong(show.getOrDefault("MainPID", "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String pid(Map<String, String> show) {
    long pid = mainPid(show);
    return pid > 0 ? " pid=" + pid : "";
  }

  /** What {@code systemctl --user} printed and returned. */
  record Result(int code, String output) {}

  private static void check(Result r, String what) {
    if (r.code() != 0) {
      throw new LocalExecException(
          "systemctl_failed",
          "systemctl --user " + what + " exited " + r.code() + ": " + r.output().strip(),
          true);
    }
  }

  private static Result run(Map<String, String> env, Duration timeout, String... args) {
    List<String> argv = new ArrayList<>(List.of("systemctl", "--user"));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new LocalExecException(
          "systemctl_failed", "cannot run systemctl: " + e.getMessage(), false, e);
    }
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = p.getInputStream()) {
                return in.readAllBytes();
              } catch (IOException e) {
                return new byte[0];
              }
            });
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new LocalExecException(
            "systemctl_failed",
            "systemctl --user " + String.join(" ", args) + " did not end within " + timeout,
            true);
      }
      String text = new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
      return new Result(p.exitValue(), text);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new LocalExecException("interrupted", "interrupted while running systemctl", true);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      return new Result(p.exitValue(), "");
    }
  }
}
