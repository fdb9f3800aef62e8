/**
 * MCP tools for jobs: {@link dev.localexec.mcporter.McpConfig} reads {@code config/mcporter.json},
 * and two {@link dev.localexec.api.spi.ToolBackend}s call tools, {@link
 * dev.localexec.mcporter.McporterBackend} through the {@code mcporter} command line (one process
 * per call) and {@link dev.localexec.mcporter.SdkBackend} through warm MCP Java SDK sessions;
 * {@link dev.localexec.mcporter.McpBackends} opens either. The plane wraps a backend in its guarded
 * invoker, which checks the job's {@code allowed_tools} and the file's {@code enabled_tools}.
 */
package dev.localexec.mcporter;
