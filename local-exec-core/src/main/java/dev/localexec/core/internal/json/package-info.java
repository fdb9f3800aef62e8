/**
 * Internal: how the plane reads JSON into Jackson trees. Not part of the public API; it may change
 * in any release, and no module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.json;
