/**
 * Internal: the worker: claims jobs from the queue, runs each in its task plug-in under the job's
 * budgets and policy, keeps the lease alive, and records the outcome in the ledger, the evidence
 * and the summary; in loop mode it also writes its own events. Not part of the public API: it may
 * change in any release, it is left out of the javadoc, and no module but {@code local-exec-core}
 * may use it.
 */
package dev.localexec.core.internal.worker;
