/**
 * The plane as an application embeds it: the on-disk layout, the facade that enqueues, runs and
 * reports jobs, its health report with the jobs by state, and the demo job of the quick start.
 */
package dev.localexec.core.plane;
