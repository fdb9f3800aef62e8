package dev.localexec.cli;

import dev.localexec.core.queue.JobQueue;
import dev.localexec.postgres.PostgresJobQueue;
import dev.localexec.postgres.PostgresQueueConfig;
import java.util.Map;

/**
 * Which queue the CLI's plane uses: the file ledger in the state folder by default, or the
 * PostgreSQL queue when a JDBC URL is given ({@code --queue-url URL}, else the environment variable
 * {@code LOCAL_EXEC_QUEUE_URL}). Credentials come from the environment only ({@code
 * LOCAL_EXEC_PG_USER} / {@code LOCAL_EXEC_PG_PASSWORD}, or {@code PGUSER} / {@code PGPASSWORD}); a
 * URL carrying a password is refused, and the password is never printed.
 */
final class QueueSelection {
  static final String FLAG = "--queue-url";

  private QueueSelection() {}

  /**
   * The queue factory for a {@code --queue-url} value (or {@code null}) and the environment.
   *
   * @throws UsageException if the URL is not a usable PostgreSQL JDBC URL
   */
  static JobQueue.Factory factory(String flagValue, Map<String, String> env) {
    String url = flagValue != null ? flagValue : env.get(PostgresQueueConfig.URL_ENV);
    if (url == null || url.isBlank()) {
      return JobQueue.Factory.fileLedger();
    }
    try {
      return PostgresJobQueue.factory(PostgresQueueConfig.fromEnvironment(url.strip(), env));
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          (flagValue != null ? FLAG : PostgresQueueConfig.URL_ENV) + ": " + e.getMessage());
    }
  }
}
