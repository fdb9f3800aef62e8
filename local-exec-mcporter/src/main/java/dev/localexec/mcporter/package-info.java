/**
 * MCP tools for jobs. {@link dev.localexec.mcporter.McpBackends} opens one of two {@link
 * dev.localexec.api.spi.ToolBackend}s from {@code config/mcporter.json}, read by {@link
 * dev.localexec.mcporter.config.McpConfig} (package {@code config}): {@link
 * dev.localexec.mcporter.cli.McporterBackend} calls tools through the {@code mcporter} command
 * line, one process per call (package {@code cli}), {@link dev.localexec.mcporter.sdk.SdkBackend}
 * through warm MCP Java SDK sessions (package {@code sdk}); package {@code shared} holds what both
 * make of an answer. Both start their processes through the {@link
 * dev.localexec.api.spi.ToolProcesses} they are opened with, the plane's when it opens them ({@link
 * dev.localexec.api.spi.ToolBackend.Factory}), so MCP servers run in the plane's sandbox. The plane
 * wraps a backend in its guarded invoker, which checks the job's {@code allowed_tools} and the
 * file's {@code enabled_tools}.
 */
package dev.localexec.mcporter;
