package dev.localexec.core.queue;

/** The {@link JobQueue} contract against the file ledger. */
class FileLedgerQueueContractTest extends JobQueueContract {
  @Override
  protected JobQueue.Factory factory() {
    return JobQueue.Factory.fileLedger();
  }
}
