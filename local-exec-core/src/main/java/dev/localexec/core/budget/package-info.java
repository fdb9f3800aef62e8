/**
 * Live accounting of a job's budgets: tool calls counted and refused before they start, output
 * bytes kept up to what is left, and the wall-time deadline measured from the claim with the
 * plane's injected {@link java.time.Clock}, so tests can drive time.
 */
package dev.localexec.core.budget;
