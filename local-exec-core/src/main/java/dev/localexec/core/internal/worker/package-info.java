/**
 * Internal: the worker: {@link dev.localexec.core.internal.worker.DefaultWorker} claims jobs from
 * the queue, holds their slots and keeps their leases alive; its {@code JobRunner} runs each in its
 * task plug-in under the job's budgets and policy (one {@code ClaimScope} per claim) and records
 * the outcome in the ledger, the evidence and the summary; in loop mode the worker also writes its
 * own events. Not part of the public API: it may change in any release, it is left out of the
 * javadoc, and no module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.worker;
