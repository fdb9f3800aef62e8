package dev.localexec.core.sandbox;

import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.internal.sandbox.BwrapLauncher;
import dev.localexec.core.internal.sandbox.UnavailableLauncher;
import dev.localexec.core.internal.sandbox.UnshareLauncher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the sandbox of a plane's subprocesses enforces and what it does not, as {@code run_header}
 * and {@code health} report it under {@code sandbox}. Immutable.
 *
 * <p>The names are stable: {@code argv_only}, {@code cleared_environment} and {@code
 * cwd_inside_root} come from the argv runner and hold for every mechanism that starts anything;
 * {@code network_namespace} (no network unless the job's {@code allow_network}), {@code
 * pid_namespace_tree_kill} (the whole process tree ends with the command), {@code
 * allow_listed_mounts} (only {@code /usr}, {@code /opt}, selected {@code /etc} entries and the repo
 * root are visible: no {@code /etc/shadow}, {@code /root}, {@code /home}, {@code /var}), {@code
 * read_only_system}, {@code private_tmp} ({@code /tmp} and {@code /run} are empty and private),
 * {@code writable_repo_root_only}, {@code plane_folder_read_only} (the ledger and evidence cannot
 * be edited, nor the folders above them renamed or replaced), {@code control_files_read_only}
 * ({@code .git}'s configuration and hooks and the root's other control files cannot be edited),
 * {@code no_capabilities} and {@code new_session} come from the sandbox; {@code
 * filesystem_isolation}, {@code root_only_files_hidden} and {@code unprivileged_uid} name what a
 * mechanism leaves open; {@code resource_limits} is not enforced by a mechanism itself, and moves
 * to the enforced ones where the plane's resource control holds every budget ({@link
 * #withResourceLimits}).
 *
 * @param mechanism {@code bwrap}, {@code unshare}, {@code none}, {@code unavailable} (nothing is
 *     started), or the name of another launcher
 * @param enforces what is enforced, in a fixed order
 * @param notEnforced what is not
 */
public record Sandbox(String mechanism, List<String> enforces, List<String> notEnforced) {

  private static final List<String> RUNNER =
      List.of("argv_only", "cleared_environment", "cwd_inside_root");

  private static final Sandbox BWRAP =
      new Sandbox(
          BwrapLauncher.NAME,
          List.of(
              "network_namespace",
              "pid_namespace_tree_kill",
              "allow_listed_mounts",
              "read_only_system",
              "private_tmp",
              "writable_repo_root_only",
              "plane_folder_read_only",
              "control_files_read_only",
              "no_capabilities",
              "new_session",
              "argv_only",
              "cleared_environment",
              "cwd_inside_root"),
          List.of("unprivileged_uid", "resource_limits"));

  private static final Sandbox UNSHARE =
      new Sandbox(
          UnshareLauncher.NAME,
          List.of(
              "network_namespace",
              "pid_namespace_tree_kill",
              "argv_only",
              "cleared_environment",
              "cwd_inside_root"),
          List.of(
              "filesystem_isolation",
              "root_only_files_hidden",
              "read_only_system",
              "private_tmp",
              "writable_repo_root_only",
              "plane_folder_read_only",
              "control_files_read_only",
              "no_capabilities",
              "unprivileged_uid",
              "resource_limits"));

  private static final Sandbox NONE =
      new Sandbox(
          "none",
          RUNNER,
          List.of(
              "network_namespace",
              "pid_namespace_tree_kill",
              "filesystem_isolation",
              "root_only_files_hidden",
              "read_only_system",
              "private_tmp",
              "writable_repo_root_only",
              "plane_folder_read_only",
              "control_files_read_only",
              "no_capabilities",
              "unprivileged_uid",
              "resource_limits"));

  private static final Sandbox UNAVAILABLE =
      new Sandbox(UnavailableLauncher.NAME, List.of("no_subprocesses"), List.of());

  /** Validates and copies. */
  public Sandbox {
    if (mechanism == null || mechanism.isBlank()) {
      throw new IllegalArgumentException("mechanism must not be blank");
    }
    enforces = List.copyOf(enforces);
    notEnforced = List.copyOf(notEnforced);
  }

  /** Bubblewrap's guarantees. */
  public static Sandbox bwrap() {
    return BWRAP;
  }

  /** {@code unshare}'s guarantees: network and process tree only. */
  public static Sandbox unshare() {
    return UNSHARE;
  }

  /** No sandbox: only what the argv runner itself enforces. */
  public static Sandbox none() {
    return NONE;
  }

  /** No working sandbox: subprocesses are refused. */
  public static Sandbox unavailable() {
    return UNAVAILABLE;
  }

  /**
   * The sandbox of a launcher, known by its {@link ProcessLauncher#name()}: {@code bwrap}, {@code
   * unshare}, {@code none} and {@code unavailable} as above; any other name enforces what the argv
   * runner enforces and lists {@code unknown_mechanism} as not enforced.
   */
  public static Sandbox of(ProcessLauncher launcher) {
    String name = Objects.requireNonNull(launcher, "launcher").name();
    return switch (name) {
      case BwrapLauncher.NAME -> BWRAP;
      case UnshareLauncher.NAME -> UNSHARE;
      case "none" -> NONE;
      case UnavailableLauncher.NAME -> UNAVAILABLE;
      default -> new Sandbox(name, RUNNER, List.of("unknown_mechanism"));
    };
  }

  /**
   * This sandbox for a job whose {@code tool_policy.allow_network} is {@code allowNetwork}: with
   * the network allowed, {@code network_namespace} moves to the front of {@link #notEnforced()}.
   */
  public Sandbox forNetwork(boolean allowNetwork) {
    if (!allowNetwork || !enforces.contains("network_namespace")) {
      return this;
    }
    List<String> on = new ArrayList<>(enforces);
    on.remove("network_namespace");
    List<String> off = new ArrayList<>();
    off.add("network_namespace");
    off.addAll(notEnforced);
    return new Sandbox(mechanism, on, off);
  }

  /**
   * This sandbox with {@code resource_limits} among what it enforces (at the end of {@link
   * #enforces()}) when {@code enforced}: the job's memory and processes are limited, and every
   * other resource budget with a value has a mechanism ({@code run_header}'s {@code
   * resource_limits} says which).
   */
  public Sandbox withResourceLimits(boolean enforced) {
    if (!enforced || !notEnforced.contains("resource_limits")) {
      return this;
    }
    List<String> on = new ArrayList<>(enforces);
    on.add("resource_limits");
    List<String> off = new ArrayList<>(notEnforced);
    off.remove("resource_limits");
    return new Sandbox(mechanism, on, off);
  }

  /** Whether this sandbox starts nothing. */
  public boolean refusesSubprocesses() {
    return mechanism.equals(UnavailableLauncher.NAME);
  }

  /** {@code {"mechanism": ..., "enforces": [...], "not_enforced": [...]}}, in that order. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mechanism", mechanism);
    m.put("enforces", enforces);
    m.put("not_enforced", notEnforced);
    return m;
  }
}
