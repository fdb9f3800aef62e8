/**
 * What both backends share: one wording per outcome of a call ({@link
 * dev.localexec.mcporter.shared.ToolOutcomes}) and the stop of a process tree ({@link
 * dev.localexec.mcporter.shared.ProcessTrees}). Used by this module's packages; not meant for
 * applications.
 */
package dev.localexec.mcporter.shared;
