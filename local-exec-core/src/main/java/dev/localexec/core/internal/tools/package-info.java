/**
 * Internal: mCP tools under the job's policy: the guarded {@link dev.localexec.api.spi.ToolInvoker}
 * a task gets from its context, which checks names against {@code allowed_tools} and {@code
 * enabled_tools}, counts and bounds each call, and records it as evidence before handing it to the
 * plane's {@link dev.localexec.api.spi.ToolBackend}. Not part of the public API: it may change in
 * any release, it is left out of the javadoc, and no module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.tools;
