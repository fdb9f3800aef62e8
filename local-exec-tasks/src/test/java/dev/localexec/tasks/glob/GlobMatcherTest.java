package dev.localexec.tasks.glob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class GlobMatcherTest {

  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // anchored at the root
        "*.md             | README.md          | true",
        "*.md             | docs/a.md          | false",
        "*.md             | .hidden.md         | true",
        "*.md             | README.mdx         | false",
        "scripts/*.py     | scripts/x.py       | true",
        "scripts/*.py     | scripts/sub/x.py   | false",
        "scripts/*.py     | other/scripts/x.py | false",
        "/docs/*.md       | docs/a.md          | true",
        // ** as whole segments
        "**/*.md          | README.md          | true",
        "**/*.md          | a/b/c.md           | true",
        "**/*.md          | a/b/c.mdx          | false",
        "workspace/**/*.py | workspace/x.py    | true",
        "workspace/**/*.py | workspace/a/b/x.py | true",
        "workspace/**/*.py | other/workspace/x.py | false",
        "a/**/b           | a/b                | true",
        "a/**/b           | a/x/b              | true",
        "a/**/b           | a/x/y/b            | true",
        "a/**/b           | a/xb               | false",
        "a/**/b           | ab                 | false",
        "a/**             | a/x                | true",
        "a/**             | a/x/y              | true",
        "a/**             | a                  | false",
        "a/**             | b/a/x              | false",
        "**               | any/depth/at/all.txt | true",
        "**/*.bak.*       | x.bak.py           | true",
        "**/*.bak.*       | a/b/y.bak.md       | true",
        "**/*.bak.*       | x.bak              | false",
        "docs/            | docs/a/b.md        | true",
        "docs/            | docsx/a.md         | false",
        // ** inside a segment is a plain *
        "a**b             | axxb               | true",
        "a**b             | ax/b               | false",
        // * and ? stay inside one folder
        "*                | README.md          | true",
        "*                | a/b                | false",
        "?.txt            | a.txt              | true",
        "?.txt            | ab.txt             | false",
        "a?b              | a/b                | false",
        // classes
        "[abc].txt        | b.txt              | true",
        "[abc].txt        | d.txt              | false",
        "[!abc].txt       | d.txt              | true",
        "[!abc].txt       | a.txt              | false",
        "[^abc].txt       | a.txt              | false",
        "[a-c]x           | bx                 | true",
        "[a-c]x           | dx                 | false",
        "file[0-9].log    | file7.log          | true",
        "[]]x             | ]x                 | true",
        "[!/]x            | /x                 | false",
        "a[/]b            | a/b                | false",
        "[[:digit:]]x     | 5x                 | true",
        "[[:digit:]]x     | ax                 | false",
        "a[b              | a[b                | true",
        // literals: regex characters mean themselves, a backslash escapes
        "a.b              | axb                | false",
        "(x)+.txt         | (x)+.txt           | true",
        "\\*.md           | *.md               | true",
        "\\*.md           | x.md               | false",
        "$x^{1}           | $x^{1}             | true",
      })
  void matches_likeGitignore(String glob, String path, boolean expected) {
    assertThat(GlobMatcher.of(List.of(glob)).matches(path)).isEqualTo(expected);
  }

  @Test
  void matches_anyOfSeveralGlobs() {
    GlobMatcher m = GlobMatcher.of(List.of("scripts/*.py", "**/*.md"));

    assertThat(m.matches("scripts/a.py")).isTrue();
    assertThat(m.matches("x/y.md")).isTrue();
    assertThat(m.matches("x/y.py")).isFalse();
    assertThat(m.globs()).containsExactly("scripts/*.py", "**/*.md");
  }

  @Test
  void of_emptyList_matchesNothing() {
    GlobMatcher m = GlobMatcher.of(List.of());

    assertThat(m.matches("")).isFalse();
    assertThat(m.matches("a.md")).isFalse();
  }

  @Test
  void of_reversedRange_isRefusedNamingTheGlob() {
    assertThatThrownBy(() -> GlobMatcher.of(List.of("ok/*.md", "[z-a].md")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[z-a].md");
  }

  static Stream<String> randomPaths() {
    Random random = new Random(20261124L);
    String alphabet = "abcxyz._-+()$ [].é";
    return IntStream.range(0, 200)
        .mapToObj(
            i -> {
              int depth = 1 + random.nextInt(4);
              List<String> segments = new ArrayList<>();
              for (int d = 0; d < depth; d++) {
                StringBuilder segment = new StringBuilder();
                int len = 1 + random.nextInt(8);
                for (int c = 0; c < len; c++) {
                  segment.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                segments.add(segment.toString());
              }
              return String.join("/", segments);
            });
  }

  @ParameterizedTest
  @MethodSource("randomPaths")
  void matches_randomPaths_followSegmentRules(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    String escapedName = name.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    boolean nested = path.contains("/");

    assertThat(GlobMatcher.of(List.of("**")).matches(path)).isTrue();
    assertThat(GlobMatcher.of(List.of("**/" + escapedName)).matches(path)).isTrue();
    assertThat(GlobMatcher.of(List.of(escapedName)).matches(path)).isEqualTo(!nested);
    assertThat(GlobMatcher.of(List.of("*")).matches(path)).isEqualTo(!nested);
    assertThat(GlobMatcher.of(List.of("*/**")).matches(path)).isEqualTo(nested);
  }
}
