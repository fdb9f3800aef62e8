/**
 * The plane as a service: a worker loop kept running in the background for one repo root, either as
 * a systemd user unit ({@code local-exec-worker.service}, when {@code systemctl --user} works) or
 * as a pidfile daemon ({@code workspace/local_exec/state/worker.pid}), with start, stop and status
 * printing the original tool's lines, and a graceful stop (SIGTERM, then a grace period for running
 * jobs).
 */
package dev.localexec.cli.service;
