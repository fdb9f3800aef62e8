/**
 * Runs a job's commands as argv arrays, never through a shell: the {@link
 * dev.localexec.core.internal.exec.ArgvPolicy} refuses shell lines and shells before anything
 * starts, a {@link dev.localexec.core.exec.ProcessLauncher} starts the process (directly, or inside
 * a sandbox from {@code dev.localexec.core.sandbox}), and the {@link
 * dev.localexec.core.internal.exec.LocalArgvRunner} enforces the job's policy, budgets and kill
 * switch around it, drains its output without deadlock, stops its whole process tree, and records
 * {@code tool_call} and {@code tool_result} evidence.
 */
package dev.localexec.core.exec;
