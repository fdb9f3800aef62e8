/**
 * Fakes for testing task plug-ins without the plane: {@link
 * dev.localexec.tasks.testing.FakeTaskContext} runs a task over a temporary repo root with a path
 * sandbox of the plane's rules, a budget tracker on a {@link
 * dev.localexec.tasks.testing.FakeClock}, a {@link dev.localexec.tasks.testing.RecordingEvidence}
 * and a {@link dev.localexec.tasks.testing.ScriptedArgvRunner} that starts no process.
 */
package dev.localexec.tasks.testing;
