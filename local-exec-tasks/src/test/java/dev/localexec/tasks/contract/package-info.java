/**
 * The shipped tasks run through the plug-in contract kit ({@code
 * dev.localexec.testkit.TaskPluginContractTest}) on a real plane: schema, payload refusal, kill
 * switch, budgets, evidence, summary and verifiable files.
 */
package dev.localexec.tasks.contract;
