package dev.localexec.tasks.glob;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules of one {@code .gitignore} file at the repo root, answering whether a root-relative path
 * is ignored the way git would.
 *
 * <ul>
 *   <li>Blank lines and lines starting with {@code #} are skipped; trailing spaces are dropped
 *       unless escaped with a backslash; {@code \#} and {@code \!} start a pattern with that
 *       character.
 *   <li>{@code !} negates: a later negated rule re-includes what an earlier rule ignored, except a
 *       path inside an ignored folder, which stays ignored.
 *   <li>A trailing {@code /} makes the rule match folders only ({@code target/}).
 *   <li>A pattern without a {@code /} (a trailing one aside) matches a name in any folder ({@code
 *       *.log}); a leading or middle {@code /} anchors it at the root ({@code /build}, {@code
 *       docs/*.md}).
 *   <li>The glob syntax is {@link GlobMatcher}'s ({@code *}, {@code ?}, {@code [...]}, {@code **}).
 * </ul>
 *
 * <p>A line whose pattern cannot be compiled is skipped, as git does. Immutable and thread-safe.
 */
public final class GitIgnore {
  private static final Logger LOG = LoggerFactory.getLogger(GitIgnore.class);
  private static final GitIgnore EMPTY = new GitIgnore(List.of());

  private record Rule(Pattern pattern, boolean negated, boolean dirOnly) {}

  private final List<Rule> rules;

  private GitIgnore(List<Rule> rules) {
    this.rules = rules;
  }

  /** Rules that ignore nothing. */
  public static GitIgnore empty() {
    return EMPTY;
  }

  /**
   * Parses the text of a {@code .gitignore} file ({@code \n} or {@code \r\n} line ends).
   *
   * @param content the file's text
   */
  public static GitIgnore parse(String content) {
    List<Rule> rules = new ArrayList<>();
    for (String line : content.split("\n", -1)) {
      Rule rule = parseLine(line);
      if (rule != null) {
        rules.add(rule);
      }
    }
    return rules.isEmpty() ? EMPTY : new GitIgnore(List.copyOf(rules));
  }

  /**
   * Whether a path is ignored: a folder above it is ignored, or the last rule that matches the path
   * itself is not negated.
   *
   * @param relPath a root-relative path with {@code /} separators
   * @param isDir whether the path is a folder (rules with a trailing {@code /} match folders only)
   */
  public boolean isIgnored(String relPath, boolean isDir) {
    if (rules.isEmpty()) {
      return false;
    }
    String path = relPath;
    while (path.startsWith("/")) {
      path = path.substring(1);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      if (lastMatchIgnores(path.substring(0, slash), true)) {
        return true;
      }
    }
    return lastMatchIgnores(path, isDir);
  }

  /** What the last rule matching a path says about it. */
  public enum Match {
    /** No rule matches the path. */
    NONE,
    /** The last matching rule ignores the path. */
    IGNORED,
    /** The last matching rule is negated ({@code !}): the path is included again. */
    INCLUDED
  }

  /**
   * What the last rule matching the path itself says, without looking at the folders above it (for
   * a caller that walks the tree and never enters an ignored folder, and that layers the rules of
   * nested {@code .gitignore} files: the deepest file with a match decides).
   *
   * @param relPath a path relative to the folder of this file's rules, {@code /}-separated, without
   *     a leading or trailing {@code /}
   * @param isDir whether the path is a folder (rules with a trailing {@code /} match folders only)
   */
  public Match match(String relPath, boolean isDir) {
    for (int i = rules.size() - 1; i >= 0; i--) {
      Rule rule = rules.get(i);
      if ((isDir || !rule.dirOnly()) && rule.pattern().matcher(relPath).matches()) {
        return rule.negated() ? Match.INCLUDED : Match.IGNORED;
      }
    }
    return Match.NONE;
  }

  /** How many rules were read (blank lines and comments are not rules). */
  public int size() {
    return rules.size();
  }

  private boolean lastMatchIgnores(String path, boolean isDir) {
    return match(path, isDir) == Match.IGNORED;
  }

  private static Rule parseLine(String raw) {
    String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
    int end = line.length();
    while (end > 0 && line.charAt(end - 1) == ' ' && !(end >= 2 && line.charAt(end - 2) == '\\')) {
      end--;
    }
    line = line.substring(0, end);
    if (line.isEmpty() || line.startsWith("#")) {
      return null;
    }
    boolean negated = line.startsWith("!");
    if (negated) {
      line = line.substring(1);
    }
    boolean dirOnly = line.endsWith("/");
    if (dirOnly) {
      line = line.substring(0, line.length() - 1);
    }
    boolean anchored = line.indexOf('/') >= 0;
    if (line.startsWith("/")) {
      line = line.substring(1);
    }
    if (line.isEmpty()) {
      return null;
    }
    String body = GlobRegex.translate(line);
    try {
      return new Rule(
          Pattern.compile(anchored ? body : "(?:.*/)?" + body, Pattern.DOTALL), negated, dirOnly);
    } catch (PatternSyntaxException e) {
      LOG.debug("skipping .gitignore line '{}': {}", raw, e.getDescription());
      return null;
    }
  }
}
