package dev.localexec.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a job may do besides reading its repo root. Everything is denied unless granted here.
 *
 * @param allowNetwork whether subprocesses may use the network
 * @param allowSubprocess whether the job may start subprocesses at all
 * @param allowedTools exact tool names (e.g. {@code server.tool}, {@code model.chat}) the job may
 *     call; at most 32, each 1..64 characters
 */
public record ToolPolicy(boolean allowNetwork, boolean allowSubprocess, List<String> allowedTools) {

  /** Validates and copies the tool list. */
  public ToolPolicy {
    if (allowedTools == null) {
      throw new IllegalArgumentException("tool_policy.allowed_tools must not be null; use []");
    }
    if (allowedTools.size() > 32) {
      throw new IllegalArgumentException(
          "tool_policy.allowed_tools holds at most 32 names, got " + allowedTools.size());
    }
    for (String t : allowedTools) {
      if (t == null || t.isEmpty() || t.length() > 64) {
        throw new IllegalArgumentException(
            "tool_policy.allowed_tools entries must be 1..64 characters, got '" + t + "'");
      }
    }
    allowedTools = List.copyOf(allowedTools);
  }

  /** A policy that allows nothing. */
  public static ToolPolicy denyAll() {
    return new ToolPolicy(false, false, List.of());
  }

  /** Whether {@code tool} is named exactly in {@link #allowedTools()}. */
  public boolean allowsTool(String tool) {
    return allowedTools.contains(tool);
  }

  /** The JSON object of this policy, keys in the ledger's order. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("allow_network", allowNetwork);
    m.put("allow_subprocess", allowSubprocess);
    m.put("allowed_tools", allowedTools);
    return m;
  }
}
