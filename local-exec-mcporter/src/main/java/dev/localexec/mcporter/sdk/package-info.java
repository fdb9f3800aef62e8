/**
 * The backend that calls tools through warm MCP Java SDK sessions: {@link
 * dev.localexec.mcporter.sdk.SdkBackend} starts each stdio server through its {@link
 * dev.localexec.api.spi.ToolProcesses} and speaks MCP to it over the process's pipes.
 */
package dev.localexec.mcporter.sdk;
