package dev.localexec.cli;

import dev.localexec.cli.service.PlaneService;
import dev.localexec.cli.service.WorkerCommand;
import dev.localexec.core.plane.PlaneLayout;
import dev.localexec.core.worker.WorkerOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code local-exec plane start|stop|status|health|install-units}: the worker loop as a service.
 * Prints the original tool's plain lines (see {@link PlaneService}); {@code health} prints the
 * health JSON line (with the worker's state under {@code worker}) on stdout, and its summary line
 * and the status line on stderr, so that its stdout is JSON lines only.
 */
@Command(
    name = "plane",
    description =
        "The worker loop as a service: a systemd user unit when `systemctl --user` works, else a"
            + " pidfile daemon (state/worker.pid).",
    subcommands = {
      PlaneCommand.Start.class,
      PlaneCommand.Stop.class,
      PlaneCommand.Status.class,
      PlaneCommand.Health.class,
      PlaneCommand.InstallUnits.class
    })
final class PlaneCommand implements Callable<Integer> {
  /** The exit status of {@code plane status} when the worker is not running (as LSB's). */
  static final int NOT_RUNNING = 3;

  @Mixin Options.Help help;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new UsageException(CommandTree.needs(spec));
  }

  /** {@code plane start}. */
  @Command(
      name = "start",
      description =
          "Start the background worker (worker --loop with the options given) unless it runs.")
  static final class Start implements Callable<Integer> {
    @Mixin Options.Help help;
    @Mixin Options.ServiceMode mode;
    @Mixin Options.WorkerLoop worker;
    private final LocalExecCli cli;

    Start(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      print(cli.out(), service(cli, mode, worker).start());
      return LocalExecCli.OK;
    }
  }

  /** {@code plane stop}. */
  @Command(
      name = "stop",
      description = "Stop the background worker: SIGTERM, so running jobs get the grace period.")
  static final class Stop implements Callable<Integer> {
    @Mixin Options.Help help;
    @Mixin Options.ServiceMode mode;
    private final LocalExecCli cli;

    Stop(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      print(cli.out(), service(cli, mode, null).stop());
      return LocalExecCli.OK;
    }
  }

  /** {@code plane status}. */
  @Command(
      name = "status",
      description = "Print whether the background worker runs; exit 3 when it does not (as LSB's).")
  static final class Status implements Callable<Integer> {
    @Mixin Options.Help help;
    @Mixin Options.ServiceMode mode;
    private final LocalExecCli cli;

    Status(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      PlaneService service = service(cli, mode, null);
      print(cli.out(), service.status());
      // LSB: 3 when the service is not running.
      return Boolean.TRUE.equals(service.describe().get("active")) ? LocalExecCli.OK : NOT_RUNNING;
    }
  }

  /** {@code plane health}. */
  @Command(
      name = "health",
      description =
          "Print the health JSON line with the background worker's state under \"worker\"; the"
              + " summary line and the status line go to standard error.")
  static final class Health implements Callable<Integer> {
    @Mixin Options.Help help;
    @Mixin Options.ServiceMode mode;
    private final LocalExecCli cli;

    Health(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      PlaneService service = service(cli, mode, null);
      int code = JobCommands.health(cli, service.describe());
      print(cli.err(), service.status());
      return code;
    }
  }

  /** {@code plane install-units}. */
  @Command(
      name = "install-units",
      description =
          "Write local-exec-worker.service for this repo root (worker --loop with the options"
              + " given) into ~/.config/systemd/user/.")
  static final class InstallUnits implements Callable<Integer> {
    @Mixin Options.Help help;
    @Mixin Options.ServiceMode mode;
    @Mixin Options.WorkerLoop worker;
    private final LocalExecCli cli;

    InstallUnits(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      print(cli.out(), service(cli, mode, worker).installUnits());
      return LocalExecCli.OK;
    }
  }

  private static void print(PrintStream out, List<String> lines) {
    lines.forEach(out::println);
  }

  /**
   * The service of the repo root, whose worker runs with the global options that matter to a worker
   * and with {@code worker}'s options (none when {@code null}).
   */
  private static PlaneService service(
      LocalExecCli cli, Options.ServiceMode mode, Options.WorkerLoop worker) {
    Options.Plane p = cli.planeOptions();
    PlaneLayout layout = PlaneLayout.defaults(cli.root());
    List<String> global = new ArrayList<>();
    String workerId = WorkerOptions.DEFAULT_WORKER_ID;
    if (p.workerId != null) {
      workerId = p.workerId;
      global.add("--worker-id");
      global.add(workerId);
    }
    if (p.sandbox != null) {
      global.add("--sandbox");
      global.add(p.sandbox);
    }
    if (p.allowShells) {
      global.add("--allow-shells");
    }
    add(global, "--allow-env", p.allowEnv);
    add(global, "--secret-env", p.secretEnv);
    add(global, QueueSelection.FLAG, p.queueUrl);
    Options.WorkerLoop loop = worker != null ? worker : new Options.WorkerLoop();
    WorkerCommand command =
        new WorkerCommand(
            layout.root(), workerId, global, loop.givenWithoutGrace(), loop.stopGraceSec);
    return PlaneService.of(layout, command, mode.mode, System.getenv());
  }

  private static void add(List<String> words, String flag, String value) {
    if (value != null) {
      words.add(flag);
      words.add(value);
    }
  }
}
