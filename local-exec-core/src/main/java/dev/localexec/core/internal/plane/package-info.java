/**
 * Internal: the plane as an application embeds it: the on-disk layout, the facade that enqueues,
 * runs and reports jobs, and the demo job of the quick start. Not part of the public API: it may
 * change in any release, it is left out of the javadoc, and no module but {@code local-exec-core}
 * may use it.
 */
package dev.localexec.core.internal.plane;
