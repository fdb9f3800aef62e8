/**
 * MCP tools for jobs, through the {@code mcporter} command line and the MCP Java SDK, behind the
 * job's {@code allowed_tools} and {@code config/mcporter.json}'s {@code enabled_tools}. This module
 * holds no adapter yet: until it does, no MCP tool can be called by a job.
 */
package dev.localexec.mcporter;
