/**
 * Internal: resource budgets of a job's subprocesses: the operator's defaults and ceilings ({@link
 * dev.localexec.core.internal.limits.ResourcePolicy}), what the host can enforce ({@link
 * dev.localexec.core.internal.limits.Cgroups}: cgroup v2 or v1, and rlimits through util-linux
 * {@code prlimit}), and their enforcement per job and per command ({@link
 * dev.localexec.core.internal.limits.ResourceControl}, {@link
 * dev.localexec.core.internal.limits.JobResources}, {@link
 * dev.localexec.core.internal.limits.CommandLimits}). Not part of the public API: it may change in
 * any release, it is left out of the javadoc, and no module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.limits;
