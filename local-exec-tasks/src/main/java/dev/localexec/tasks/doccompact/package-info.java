/**
 * The {@code doc_compactor_task} plug-in: reads a job's listed files from inside the repo root
 * (refusing, as evidence, any path that escapes it or does not exist), compacts their text locally
 * and deterministically — no model is called — and returns one markdown document within the job's
 * byte limits as its summary.
 */
package dev.localexec.tasks.doccompact;
