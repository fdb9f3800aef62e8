package dev.localexec.core.internal.queue;

import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.queue.JobQueueContract;

/** The {@link JobQueue} contract against the file ledger. */
class FileLedgerQueueContractTest extends JobQueueContract {
  @Override
  protected JobQueue.Factory factory() {
    return JobQueue.Factory.fileLedger();
  }
}
