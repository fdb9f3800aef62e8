package dev.localexec.postgres;

import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.queue.JobQueueContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@link JobQueue} contract, the file ledger's suite, against PostgreSQL. */
@ExtendWith(PostgresServer.class)
class PostgresJobQueueContractIT extends JobQueueContract {
  private PostgresQueueConfig config;

  /** A new schema per test, made on the first open (the superclass opens in its setup). */
  @Override
  protected JobQueue.Factory factory() {
    if (config == null) {
      config = PostgresServer.freshSchema();
    }
    return PostgresJobQueue.factory(config);
  }

  @AfterEach
  void dropSchema() {
    if (config != null) {
      PostgresServer.drop(config);
    }
  }
}
