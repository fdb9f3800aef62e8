/**
 * The {@code local-exec} command line: enqueue, run workers, report status and health, validate job
 * files, re-queue jobs and flip the kill switch, printing JSON lines.
 */
package dev.localexec.cli;
