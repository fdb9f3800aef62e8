/**
 * Internal: the plane's model as a guarded capability: the {@link dev.localexec.api.spi.ModelChat}
 * a task gets from its context requires {@code model.chat} in {@code allowed_tools}, counts and
 * bounds each call and records a {@code model_request_summary} before handing it to the plane's
 * {@link dev.localexec.api.spi.ModelBackend}. Not part of the public API: it may change in any
 * release, it is left out of the javadoc, and no module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.model;
