/**
 * A local model as the plane's coordinator: it proposes a job for a goal, as JSON constrained by
 * the job schema; the proposal is validated like any job, checked against what the operator allows,
 * shown, and enqueued only when valid. Model output is never run unvalidated.
 */
package dev.localexec.cli.coordinator;
