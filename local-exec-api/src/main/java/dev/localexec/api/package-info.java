/**
 * The values and small interfaces an application uses to describe local jobs for local-exec: a
 * {@link dev.localexec.api.Job} with its {@link dev.localexec.api.Budget} and {@link
 * dev.localexec.api.ToolPolicy}, the {@link dev.localexec.api.EvidenceSink} that records what a job
 * did, and the exceptions the plane raises. This package depends on the JDK alone.
 */
package dev.localexec.api;
