/**
 * The plane's model as a guarded capability: the {@link dev.localexec.api.spi.ModelChat} a task
 * gets from its context requires {@code model.chat} in {@code allowed_tools}, counts and bounds
 * each call and records a {@code model_request_summary} before handing it to the plane's {@link
 * dev.localexec.api.spi.ModelBackend}.
 */
package dev.localexec.core.model;
