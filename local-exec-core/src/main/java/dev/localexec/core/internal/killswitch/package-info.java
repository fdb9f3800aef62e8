/**
 * Internal: the kill switch: a file whose presence stops every worker of a state folder before its
 * next claim and at every step of a running job. Not part of the public API: it may change in any
 * release, it is left out of the javadoc, and no module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.killswitch;
