package dev.localexec.tasks.glob;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Matches root-relative, {@code /}-separated paths against a list of globs, the way a job's {@code
 * include_globs} and {@code exclude_globs} are read.
 *
 * <p>Every glob is anchored at the root: {@code *.md} matches {@code README.md} but not {@code
 * docs/a.md}, {@code scripts/*.py} matches {@code scripts/x.py} only. {@code *} and {@code ?} stay
 * inside one folder, {@code [...]} is a character class, {@code **}{@code /} is zero or more
 * folders ({@code **}{@code /*.md} matches {@code README.md} and {@code a/b/c.md}), {@code a/**}
 * everything below {@code a}, and {@code a/**}{@code /b} matches {@code a/b}, {@code a/x/b} and
 * {@code a/x/y/b}. A leading {@code /} changes nothing; a trailing {@code /} means everything below
 * that folder. A backslash makes the next character literal.
 *
 * <p>The globs are compiled into one {@link Pattern} when the matcher is made. Immutable and
 * thread-safe.
 */
public final class GlobMatcher {

  private final List<String> globs;
  private final Pattern pattern;

  private GlobMatcher(List<String> globs, Pattern pattern) {
    this.globs = globs;
    this.pattern = pattern;
  }

  /**
   * Compiles globs into a matcher that matches a path if any of them does; an empty list matches
   * nothing.
   *
   * @throws IllegalArgumentException if a glob is null or cannot be compiled (e.g. a class with a
   *     reversed range, {@code [z-a]})
   */
  public static GlobMatcher of(List<String> globs) {
    List<String> copy = List.copyOf(globs);
    if (copy.isEmpty()) {
      return new GlobMatcher(copy, null);
    }
    List<String> alternatives = new ArrayList<>(copy.size());
    for (String glob : copy) {
      alternatives.add("(?:" + GlobRegex.translate(normalize(glob)) + ")");
    }
    String regex = String.join("|", alternatives);
    try {
      return new GlobMatcher(copy, Pattern.compile(regex, Pattern.DOTALL));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid glob in " + copy + ": " + e.getDescription(), e);
    }
  }

  /**
   * Whether a path matches any of the globs.
   *
   * @param relPath a root-relative path with {@code /} separators and no leading {@code /}
   */
  public boolean matches(String relPath) {
    return pattern != null && pattern.matcher(relPath).matches();
  }

  /** The globs, as given. */
  public List<String> globs() {
    return globs;
  }

  @Override
  public String toString() {
    return "GlobMatcher" + globs;
  }

  private static String normalize(String glob) {
    String g = glob;
    while (g.startsWith("/")) {
      g = g.substring(1);
    }
    if (g.endsWith("/")) {
      g = g + "**";
    }
    return g;
  }
}
