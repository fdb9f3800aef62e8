package dev.localexec.tasks.testing;

import dev.localexec.api.ArgvRejectedException;
import dev.localexec.api.spi.ArgvRunner;
import dev.localexec.api.spi.BudgetTracker;
import dev.localexec.api.spi.CommandRequest;
import dev.localexec.api.spi.CommandResult;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An argv runner that starts no process: each argv gets the answer scripted for it (exit 0 with no
 * output by default), every request is recorded, and each run counts one tool call. Its {@link
 * #check} refuses an empty argv ({@code empty}), a single element that looks like a shell line
 * ({@code shell_like}) and a shell as the program ({@code shell_program}). Thread-safe.
 */
public final class ScriptedArgvRunner implements ArgvRunner {
  private static final Set<String> SHELLS = Set.of("sh", "bash", "dash", "zsh", "ksh", "fish");
  private static final String SHELL_CHARS = " ;&|$`<>";

  private final BudgetTracker budget;
  private final Map<List<String>, Function<CommandRequest, CommandResult>> script =
      new ConcurrentHashMap<>();
  private final List<CommandRequest> requests = new CopyOnWriteArrayList<>();

  ScriptedArgvRunner(BudgetTracker budget) {
    this.budget = budget;
  }

  /** Scripts the answer to one argv. */
  public ScriptedArgvRunner when(
      List<String> argv, Function<CommandRequest, CommandResult> answer) {
    script.put(List.copyOf(argv), answer);
    return this;
  }

  /** An answer: the command exits with {@code code} after printing {@code stdout}. */
  public static Function<CommandRequest, CommandResult> exits(int code, String stdout) {
    return request -> {
      long bytes = stdout.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      return new CommandResult(request.argv(), code, false, 5, stdout, "", bytes, 0, false, false);
    };
  }

  /** An answer: the command is stopped by its timeout. */
  public static Function<CommandRequest, CommandResult> timesOut() {
    return request ->
        new CommandResult(
            request.argv(), null, true, request.timeout().toMillis(), "", "", 0, 0, false, false);
  }

  /** The requests run so far, in the order they started. */
  public List<CommandRequest> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void check(List<String> argv) {
    if (argv == null || argv.isEmpty()) {
      throw new ArgvRejectedException("empty", argv, "argv is empty; give the program to run");
    }
    if (argv.size() == 1 && argv.get(0).chars().anyMatch(c -> SHELL_CHARS.indexOf(c) >= 0)) {
      throw new ArgvRejectedException(
          "shell_like", argv, "argv " + argv + " looks like a shell line; split it into words");
    }
    String program = argv.get(0).substring(argv.get(0).lastIndexOf('/') + 1);
    if (SHELLS.contains(program)) {
      throw new ArgvRejectedException(
          "shell_program", argv, "argv " + argv + " runs a shell; run the program directly");
    }
  }

  @Override
  public CommandResult run(CommandRequest request) {
    check(request.argv());
    budget.useToolCall("subprocess.run_argv");
    requests.add(request);
    return script.getOrDefault(request.argv(), exits(0, "")).apply(request);
  }
}
