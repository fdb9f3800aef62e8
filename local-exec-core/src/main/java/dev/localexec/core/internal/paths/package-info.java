/**
 * Internal: confines the paths a job names to the repo root the plane serves: a job's relative path
 * is refused when it is empty, absolute, climbs with {@code ..}, does not exist, or leads out of
 * the root through a symlink, and every accepted path is returned with its symlinks resolved. Not
 * part of the public API: it may change in any release, it is left out of the javadoc, and no
 * module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.paths;
