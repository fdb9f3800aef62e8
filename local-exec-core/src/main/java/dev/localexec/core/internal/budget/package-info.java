/**
 * Internal: live accounting of a job's budgets: tool calls counted and refused before they start,
 * output bytes kept up to what is left, and the wall-time deadline measured from the claim with the
 * plane's injected {@link java.time.Clock}, so tests can drive time. Not part of the public API: it
 * may change in any release, it is left out of the javadoc, and no module but {@code
 * local-exec-core} may use it.
 */
package dev.localexec.core.internal.budget;
