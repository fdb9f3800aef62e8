/**
 * Resource budgets of a job's subprocesses: the operator's defaults and ceilings ({@link
 * dev.localexec.core.limits.ResourcePolicy}), what the host can enforce ({@link
 * dev.localexec.core.limits.Cgroups}: cgroup v2 or v1, and rlimits through util-linux {@code
 * prlimit}), and their enforcement per job and per command ({@link
 * dev.localexec.core.limits.ResourceControl}, {@link dev.localexec.core.limits.JobResources},
 * {@link dev.localexec.core.limits.CommandLimits}).
 */
package dev.localexec.core.limits;
