/**
 * The backend that calls tools through the {@code mcporter} command line: {@link
 * dev.localexec.mcporter.cli.McporterBackend}, one mcporter process per call, run (with the servers
 * it starts) through the backend's {@link dev.localexec.api.spi.ToolProcesses}.
 */
package dev.localexec.mcporter.cli;
