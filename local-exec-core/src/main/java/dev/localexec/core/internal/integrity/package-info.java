/**
 * Internal: evidence integrity (the README's "Files" section): the SHA-256 hash chain every ledger,
 * job evidence and worker event line carries ({@link
 * dev.localexec.core.internal.integrity.ChainedJsonl}), the {@link
 * dev.localexec.core.internal.integrity.Verifier} that recomputes the chains and finds edited,
 * inserted, reordered, deleted or cut-off lines, and the {@link
 * dev.localexec.core.internal.integrity.Redactor} that keeps secret values out of everything the
 * plane writes. Not part of the public API: it may change in any release, it is left out of the
 * javadoc, and no module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.integrity;
