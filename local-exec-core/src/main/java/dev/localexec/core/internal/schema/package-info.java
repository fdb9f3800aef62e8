/**
 * Internal: job validation: the job schema and each task type's payload schema (JSON Schema draft
 * 2020-12), every error reported at once with its JSON path, and the export of the schema files.
 * Not part of the public API: it may change in any release, it is left out of the javadoc, and no
 * module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.schema;
