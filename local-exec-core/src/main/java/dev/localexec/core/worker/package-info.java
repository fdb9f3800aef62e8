/**
 * The worker: claims jobs from the queue, runs each in its task plug-in under the job's budgets and
 * policy, keeps the lease alive, and records the outcome in the ledger, the evidence and the
 * summary; in loop mode it also writes its own events.
 */
package dev.localexec.core.worker;
