/**
 * The tool configuration, {@code config/mcporter.json}: {@link
 * dev.localexec.mcporter.config.McpConfig} validates it, {@link
 * dev.localexec.mcporter.config.McpServer} is one server of it, and {@link
 * dev.localexec.mcporter.config.ServerEnv} makes a server's environment.
 */
package dev.localexec.mcporter.config;
