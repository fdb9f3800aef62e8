package dev.localexec.core.testing;

import dev.localexec.core.exec.ProcessStates;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a child process of the test JVM running. It waits up to two seconds for
 * stragglers to end, then kills the rest and fails, naming them. Zombies (ended, not yet reaped) do
 * not count. Use with {@code @ExtendWith(NoChildProcessesExtension.class)}.
 */
public final class NoChildProcessesExtension implements AfterEachCallback {

  private static final long WAIT_MS = 2000;
  private static final long STEP_MS = 20;

  /** Creates the extension. */
  public NoChildProcessesExtension() {}

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    List<ProcessHandle> left = running();
    for (long waited = 0; !left.isEmpty() && waited < WAIT_MS; waited += STEP_MS) {
      Thread.sleep(STEP_MS);
      left = running();
    }
    if (left.isEmpty()) {
      return;
    }
    List<String> described =
        left.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList();
    left.forEach(ProcessHandle::destroyForcibly);
    throw new AssertionError(
        context.getDisplayName() + " left child processes running: " + described);
  }

  /** The running (not zombie) descendants of the test JVM. */
  public static List<ProcessHandle> running() {
    return ProcessHandle.current()
        .descendants()
        .filter(NoChildProcessesExtension::isRunning)
        .toList();
  }

  /**
   * Whether a process runs: alive for the JDK and not a zombie in {@code /proc/<pid>/stat}. {@link
   * ProcessHandle#isAlive()} alone reports zombies alive.
   */
  public static boolean isRunning(ProcessHandle handle) {
    return ProcessStates.isRunning(handle);
  }
}
