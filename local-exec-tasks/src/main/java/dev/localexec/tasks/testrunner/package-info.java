/**
 * The {@code test_runner_task} plug-in: runs a job's argv commands (tests, linters, builds) through
 * the plane's {@link dev.localexec.api.spi.ArgvRunner}, which sandboxes, times out, counts and
 * records each one. Every argv is checked before the first one runs; a non-zero exit or a timeout
 * is an ordinary result, reported per command in the job's result and summary. Afterwards the task
 * reads the test results the commands left (TAP or a plain count line in their output, JUnit XML
 * reports inside the root) into per-command and total counts with the failures' names and messages.
 */
package dev.localexec.tasks.testrunner;
