/**
 * Internal: the registry of task plug-ins: explicit registration first, {@link
 * java.util.ServiceLoader} discovery as a convenience. A provider that fails to load is reported
 * and skipped; two plug-ins with one id are an error naming both classes. Not part of the public
 * API: it may change in any release, it is left out of the javadoc, and no module but {@code
 * local-exec-core} may use it.
 */
package dev.localexec.core.internal.plugin;
