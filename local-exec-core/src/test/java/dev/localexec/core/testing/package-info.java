/**
 * Test helpers shared by the core tests: a fake clock tests move by hand, an evidence sink that
 * records every event, a JUnit extension that fails a test leaving child processes alive, a
 * schema-only task plug-in, and the location of the original tool's fixture files.
 */
package dev.localexec.core.testing;
