package dev.localexec.core.plane;

import java.nio.file.Path;

/**
 * Where the plane keeps its files.
 *
 * @param root the repo root jobs run in (absolute, normalised)
 * @param stateDir the ledger, lock and kill switch folder
 * @param evidenceDir the per-job evidence folder
 * @param schemasDir where the schema files are exported
 */
public record PlaneLayout(Path root, Path stateDir, Path evidenceDir, Path schemasDir) {

  /** The folder under the root that holds the plane's files. */
  public static final String WORKSPACE = "workspace/local_exec";

  /** Normalises the paths. */
  public PlaneLayout {
    root = root.toAbsolutePath().normalize();
    stateDir = stateDir.toAbsolutePath().normalize();
    evidenceDir = evidenceDir.toAbsolutePath().normalize();
    schemasDir = schemasDir.toAbsolutePath().normalize();
  }

  /** The default layout: {@code workspace/local_exec/{state,evidence,schemas}} under the root. */
  public static PlaneLayout defaults(Path root) {
    Path ws = root.toAbsolutePath().normalize().resolve(WORKSPACE);
    return new PlaneLayout(
        root, ws.resolve("state"), ws.resolve("evidence"), ws.resolve("schemas"));
  }

  /** The ledger file. */
  public Path ledger() {
    return stateDir.resolve("jobs.jsonl");
  }

  /** The kill switch file. */
  public Path killSwitchFile() {
    return stateDir.resolve("KILL_SWITCH");
  }

  /** A path relative to the root, {@code /}-separated, or the absolute path if outside it. */
  public String display(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    if (abs.startsWith(root)) {
      return root.relativize(abs).toString().replace('\\', '/');
    }
    return abs.toString();
  }
}
