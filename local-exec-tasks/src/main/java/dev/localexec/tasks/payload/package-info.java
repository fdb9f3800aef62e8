/**
 * Payload plumbing shared by the shipped task plug-ins: {@link dev.localexec.tasks.payload.Payload}
 * reads typed fields out of a job's validated JSON payload and turns a value of the wrong type into
 * a clean {@code payload_invalid} failure, and {@link dev.localexec.tasks.payload.PayloadSchema}
 * loads each task's JSON Schema from the class path.
 */
package dev.localexec.tasks.payload;
