/**
 * The kill switch: a file whose presence stops every worker of a state folder before its next claim
 * and at every step of a running job.
 */
package dev.localexec.core.killswitch;
