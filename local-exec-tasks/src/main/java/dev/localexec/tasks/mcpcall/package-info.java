/**
 * {@code mcp_call_task}: calls MCP tools listed in the job's payload through the guarded tool
 * invoker, so a job can use tools without custom code.
 */
package dev.localexec.tasks.mcpcall;
