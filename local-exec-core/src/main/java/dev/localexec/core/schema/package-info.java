/**
 * Job validation: the job schema and each task type's payload schema (JSON Schema draft 2020-12),
 * every error reported at once with its JSON path, and the export of the schema files.
 */
package dev.localexec.core.schema;
