/**
 * Confines the paths a job names to the repo root the plane serves: a job's relative path is
 * refused when it is empty, absolute, climbs with {@code ..}, does not exist, or leads out of the
 * root through a symlink, and every accepted path is returned with its symlinks resolved.
 */
package dev.localexec.core.paths;
