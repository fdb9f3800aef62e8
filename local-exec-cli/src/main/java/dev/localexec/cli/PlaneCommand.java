package dev.localexec.cli;

import dev.localexec.cli.service.PlaneService;
import dev.localexec.cli.service.WorkerCommand;
import dev.localexec.core.plane.PlaneLayout;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.worker.WorkerOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code local-exec plane start|stop|status|health|install-units}: the worker loop as a service.
 * Prints the original tool's plain lines (see {@link PlaneService}); {@code health} prints the
 * health JSON line (with the worker's state under {@code worker}) on stdout, and its summary line
 * and the status line on stderr, so that its stdout is JSON lines only.
 */
final class PlaneCommand {
  /** The exit status of {@code plane status} when the worker is not running (as LSB's). */
  static final int NOT_RUNNING = 3;

  /** Flags of {@code plane} that take a value. */
  static final Set<String> VALUED =
      Set.of(
          "--mode",
          "--slots",
          "--idle-sleep-ms",
          "--max-idle-sec",
          "--lease-sec",
          "--stop-grace-sec");

  /** The worker flags {@code start} and {@code install-units} pass on, with their ranges. */
  private static final List<Object[]> WORKER_FLAGS =
      List.of(
          new Object[] {"--slots", 1, WorkerOptions.MAX_SLOTS},
          new Object[] {"--idle-sleep-ms", 10, 600_000},
          new Object[] {"--max-idle-sec", 1, 86_400},
          new Object[] {"--lease-sec", 3, 3600});

  /**
   * Prints the health JSON line with the worker's state (and the summary line on stderr); returns
   * the exit status.
   */
  interface Health {
    int print(Args a, Map<String, Object> worker);
  }

  private final PrintStream out;
  private final PrintStream err;

  PlaneCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(Args a, Health health) {
    if (a.positionals.isEmpty()) {
      throw new UsageException("plane needs start, stop, status, health or install-units");
    }
    String what = a.positionals.remove(0);
    if (!a.positionals.isEmpty()) {
      throw new UsageException("unexpected argument '" + a.positionals.get(0) + "' for plane");
    }
    boolean takesWorkerFlags = what.equals("start") || what.equals("install-units");
    if (!takesWorkerFlags) {
      for (String f : VALUED) {
        if (!f.equals("--mode") && a.has(f)) {
          throw new UsageException(f + " is a flag of plane start and install-units");
        }
      }
    }
    PlaneService service = service(a);
    List<String> lines;
    switch (what) {
      case "start" -> lines = service.start();
      case "stop" -> lines = service.stop();
      case "status" -> {
        service.status().forEach(out::println);
        // LSB: 3 when the service is not running.
        return Boolean.TRUE.equals(service.describe().get("active"))
            ? LocalExecCli.OK
            : NOT_RUNNING;
      }
      case "install-units" -> lines = service.installUnits();
      case "health" -> {
        int code = health.print(a, service.describe());
        service.status().forEach(err::println);
        return code;
      }
      default ->
          throw new UsageException(
              "plane needs start, stop, status, health or install-units, got '" + what + "'");
    }
    lines.forEach(out::println);
    return LocalExecCli.OK;
  }

  private static PlaneService service(Args a) {
    Path root = Path.of(a.has("--repo-root") ? a.get("--repo-root") : ".");
    if (!Files.isDirectory(root)) {
      throw new UsageException("--repo-root is not a folder: " + root);
    }
    PlaneService.Mode mode;
    try {
      mode = PlaneService.Mode.parse(a.has("--mode") ? a.get("--mode") : "auto");
    } catch (IllegalArgumentException e) {
      throw new UsageException("--mode " + e.getMessage());
    }
    List<String> global = new ArrayList<>();
    String workerId = WorkerOptions.DEFAULT_WORKER_ID;
    if (a.has("--worker-id")) {
      workerId = a.get("--worker-id");
      try {
        WorkerOptions.defaults().withWorkerId(workerId);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      global.add("--worker-id");
      global.add(workerId);
    }
    if (a.has("--sandbox")) {
      try {
        SandboxMode.parse(a.get("--sandbox"));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--sandbox: " + e.getMessage());
      }
      global.add("--sandbox");
      global.add(a.get("--sandbox"));
    }
    if (a.has("--allow-shells")) {
      global.add("--allow-shells");
    }
    for (String flag : List.of("--allow-env", "--secret-env")) {
      if (a.has(flag)) {
        global.add(flag);
        global.add(a.get(flag));
      }
    }
    if (a.has(QueueSelection.FLAG)) {
      global.add(QueueSelection.FLAG);
      global.add(a.get(QueueSelection.FLAG));
    }
    List<String> worker = new ArrayList<>();
    for (Object[] f : WORKER_FLAGS) {
      String name = (String) f[0];
      if (a.has(name)) {
        worker.add(name);
        worker.add(Integer.toString(a.intFlag(name, 0, (Integer) f[1], (Integer) f[2])));
      }
    }
    int grace =
        a.intFlag(
            "--stop-grace-sec",
            (int) WorkerOptions.DEFAULT_STOP_GRACE.toSeconds(),
            0,
            (int) WorkerOptions.MAX_STOP_GRACE.toSeconds());
    PlaneLayout layout = PlaneLayout.defaults(root);
    WorkerCommand command = new WorkerCommand(layout.root(), workerId, global, worker, grace);
    return PlaneService.of(layout, command, mode, System.getenv());
  }
}
