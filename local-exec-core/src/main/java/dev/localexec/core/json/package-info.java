/**
 * The JSON text of local-exec's files: ledger and evidence lines in the original tool's spacing
 * ({@code ", "} and {@code ": "}, non-ASCII escaped), the canonical form used for hashes (sorted
 * keys, no spaces), and parsing into plain Java trees.
 */
package dev.localexec.core.json;
