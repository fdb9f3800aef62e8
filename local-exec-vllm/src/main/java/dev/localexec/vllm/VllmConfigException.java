package dev.localexec.vllm;

import dev.localexec.api.LocalExecException;
import java.util.List;

/**
 * The vLLM configuration file is missing, unreadable or invalid. Each {@link #problems() problem}
 * is one line naming the file, the key path, the bad value (never a secret) and what to do.
 */
public class VllmConfigException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  /** The code recorded when the configuration is refused. */
  public static final String CODE = "vllm_config_invalid";

  @SuppressWarnings("serial") // an immutable List.copyOf list; serialisation is not a use case
  private final List<String> problems;

  /** Creates the exception from one or more one-line problems. */
  public VllmConfigException(List<String> problems) {
    super(CODE, String.join("; ", problems), false);
    this.problems = List.copyOf(problems);
  }

  /** Creates the exception for one problem with a cause. */
  public VllmConfigException(String problem, Throwable cause) {
    super(CODE, problem, false, cause);
    this.problems = List.of(problem);
  }

  /** The problems, one line each, in file order. */
  public List<String> problems() {
    return problems;
  }
}
