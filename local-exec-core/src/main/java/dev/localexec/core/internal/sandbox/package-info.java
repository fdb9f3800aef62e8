/**
 * Internal: the sandbox every subprocess of a job runs in. {@link
 * dev.localexec.core.sandbox.SandboxProbe} tries, once per JVM and repo root, which mechanism works
 * on this host: bubblewrap ({@link dev.localexec.core.internal.sandbox.BwrapLauncher}: its own
 * network, PID, IPC and mount namespaces, a read-only allow-list of system folders, a private
 * {@code /tmp}, the repo root as the only writable folder, no capabilities), else {@code unshare}
 * ({@link dev.localexec.core.internal.sandbox.UnshareLauncher}: network and PID namespaces only, no
 * filesystem isolation), else none, and then subprocesses are refused ({@code sandbox_unavailable})
 * unless the embedding application turned the sandbox off with {@link
 * dev.localexec.core.sandbox.SandboxMode#NONE}. A {@link dev.localexec.core.sandbox.Sandbox} says
 * what the chosen mechanism enforces and what it does not, for {@code run_header} and {@code
 * health}. Not part of the public API: it may change in any release, it is left out of the javadoc,
 * and no module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.sandbox;
