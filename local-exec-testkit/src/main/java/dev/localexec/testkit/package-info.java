/**
 * The contract test kit of task plug-ins: {@link dev.localexec.testkit.TaskPluginContractTest} is
 * an abstract JUnit 5 class that a plug-in's test extends to prove, through a real {@code
 * LocalExecPlane} in a temporary folder, that the plug-in keeps the SPI's promises (schema, payload
 * refusal, budgets, kill switch, evidence, summary, verifiable files).
 */
package dev.localexec.testkit;
