/**
 * The registry of task plug-ins: explicit registration first, {@link java.util.ServiceLoader}
 * discovery as a convenience. A provider that fails to load is reported and skipped; two plug-ins
 * with one id are an error naming both classes.
 */
package dev.localexec.core.plugin;
