/**
 * The service-provider interface for task plug-ins: a {@link dev.localexec.api.spi.TaskPlugin} runs
 * one job type inside the {@link dev.localexec.api.spi.TaskContext} the worker gives it, which
 * carries the job's budgets, policy, evidence, repo-root-confined paths and the argv runner.
 */
package dev.localexec.api.spi;
