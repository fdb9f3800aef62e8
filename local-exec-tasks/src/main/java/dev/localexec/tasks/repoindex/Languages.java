package dev.localexec.tasks.repoindex;

import java.util.Locale;
import java.util.Map;

/**
 * The language of a file from its name: a small table of file names ({@code Makefile}) and
 * extensions (lower-cased: {@code .S} is {@code assembly} like {@code .s}); anything else is {@code
 * other}.
 */
final class Languages {

  /** The language of a file the table does not know. */
  static final String OTHER = "other";

  private static final Map<String, String> BY_NAME =
      Map.ofEntries(
          Map.entry("Makefile", "makefile"),
          Map.entry("GNUmakefile", "makefile"),
          Map.entry("Kbuild", "makefile"),
          Map.entry("Kconfig", "kconfig"),
          Map.entry("Dockerfile", "dockerfile"),
          Map.entry(".gitignore", "gitignore"),
          Map.entry("README", "text"),
          Map.entry("LICENSE", "text"),
          Map.entry("COPYING", "text"),
          Map.entry("mvnw", "shell"));

  private static final Map<String, String> BY_EXTENSION =
      Map.ofEntries(
          Map.entry("java", "java"),
          Map.entry("kt", "kotlin"),
          Map.entry("py", "python"),
          Map.entry("md", "markdown"),
          Map.entry("markdown", "markdown"),
          Map.entry("rst", "rst"),
          Map.entry("txt", "text"),
          Map.entry("sh", "shell"),
          Map.entry("bash", "shell"),
          Map.entry("c", "c"),
          Map.entry("h", "c-header"),
          Map.entry("cc", "cpp"),
          Map.entry("cpp", "cpp"),
          Map.entry("cxx", "cpp"),
          Map.entry("hpp", "cpp"),
          Map.entry("s", "assembly"),
          Map.entry("rs", "rust"),
          Map.entry("go", "go"),
          Map.entry("js", "javascript"),
          Map.entry("ts", "typescript"),
          Map.entry("rb", "ruby"),
          Map.entry("pl", "perl"),
          Map.entry("json", "json"),
          Map.entry("yaml", "yaml"),
          Map.entry("yml", "yaml"),
          Map.entry("xml", "xml"),
          Map.entry("html", "html"),
          Map.entry("css", "css"),
          Map.entry("toml", "toml"),
          Map.entry("properties", "properties"),
          Map.entry("mk", "makefile"),
          Map.entry("dts", "devicetree"),
          Map.entry("dtsi", "devicetree"));

  private Languages() {}

  /**
   * The language of a root-relative path.
   *
   * @param relPath a {@code /}-separated path
   */
  static String of(String relPath) {
    String name = relPath.substring(relPath.lastIndexOf('/') + 1);
    String byName = BY_NAME.get(name);
    if (byName != null) {
      return byName;
    }
    int dot = name.lastIndexOf('.');
    if (dot <= 0 || dot == name.length() - 1) {
      return OTHER;
    }
    return BY_EXTENSION.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), OTHER);
  }
}
