package dev.localexec.tasks.glob;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GitIgnoreTest {

  private static final GitIgnore RULES =
      GitIgnore.parse(
          String.join(
              "\n",
              "# build output",
              "target/",
              "",
              "*.log",
              "!keep.log",
              "/build",
              "docs/*.tmp",
              "**/cache",
              "a/**/z",
              "vendor/",
              "!vendor/",
              "out/",
              "!out/keep.txt",
              "\\#hash",
              "\\!bang",
              "spaced.txt   ",
              "esc\\ ",
              "*.bak.*",
              ""));

  @ParameterizedTest(name = "{0} (dir={1}) -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // trailing slash: folders only, in any folder, and everything below them
        "target                  | true  | true",
        "target                  | false | false",
        "a/target                | true  | true",
        "target/classes/X.class  | false | true",
        // no slash: a name in any folder; negation re-includes
        "x.log                   | false | true",
        "a/b/x.log               | false | true",
        "keep.log                | false | false",
        "a/keep.log              | false | false",
        "x.bak.py                | false | true",
        "a/x.bak.py              | false | true",
        // a leading or middle slash anchors at the root
        "build                   | false | true",
        "build                   | true  | true",
        "build/x.o               | false | true",
        "a/build                 | true  | false",
        "docs/a.tmp              | false | true",
        "x/docs/a.tmp            | false | false",
        "docs/sub/a.tmp          | false | false",
        // ** in rules
        "cache                   | true  | true",
        "a/b/cache               | true  | true",
        "a/z                     | false | true",
        "a/b/c/z                 | false | true",
        "b/a/z                   | false | false",
        // a folder re-included by a later rule
        "vendor                  | true  | false",
        "vendor/lib.js           | false | false",
        // a file cannot be re-included inside an ignored folder
        "out/keep.txt            | false | true",
        // escapes and spaces
        "'#hash'                 | false | true",
        "!bang                   | false | true",
        "spaced.txt              | false | true",
        "'esc '                  | false | true",
        "esc                     | false | false",
        // comments and blank lines are not rules
        "'# build output'        | false | false",
        "README.md               | false | false",
      })
  void isIgnored_followsGitRules(String path, boolean isDir, boolean expected) {
    assertThat(RULES.isIgnored(path, isDir)).isEqualTo(expected);
  }

  @Test
  void parse_countsRulesNotCommentsOrBlankLines() {
    assertThat(GitIgnore.parse("# only a comment\n\n   \n").size()).isZero();
    assertThat(GitIgnore.parse("a\nb/\n!c\n").size()).isEqualTo(3);
  }

  @Test
  void parse_crlfLineEnds() {
    GitIgnore rules = GitIgnore.parse("target/\r\n*.log\r\n");

    assertThat(rules.isIgnored("target", true)).isTrue();
    assertThat(rules.isIgnored("a.log", false)).isTrue();
  }

  @Test
  void parse_badPatternLine_isSkippedAndTheRestApply() {
    GitIgnore rules = GitIgnore.parse("[z-a]\n*.log\n");

    assertThat(rules.size()).isEqualTo(1);
    assertThat(rules.isIgnored("a.log", false)).isTrue();
  }

  @Test
  void empty_ignoresNothing() {
    assertThat(GitIgnore.empty().isIgnored("target", true)).isFalse();
    assertThat(GitIgnore.empty().size()).isZero();
  }
}
