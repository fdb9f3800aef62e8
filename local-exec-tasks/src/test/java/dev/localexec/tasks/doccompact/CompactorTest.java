package dev.localexec.tasks.doccompact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.tasks.doccompact.Compactor.Input;
import dev.localexec.tasks.doccompact.Compactor.Result;
import dev.localexec.tasks.doccompact.Markdown.Block;
import dev.localexec.tasks.doccompact.Markdown.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CompactorTest {

  private static final int ROOMY = 1_000_000;

  @Test
  void parse_recognisesEachBlockKind() {
    String md =
        "---\ntitle: x\n---\n"
            + "# Atx #\n"
            + "Setext\n======\n"
            + "Para line one\nline two\n"
            + "\nSub\n---\n"
            + "```java\ncode\n\n# not a heading\n```\n"
            + "~~~\ntilde\n~~~\n"
            + "- one\n  continued\n- two\n\n  loose\n1. three\n"
            + "\n| a | b |\n|---|---|\n| 1 | 2 |\n"
            + "\n> quoted\nlazy\n"
            + "\n<!-- hidden\nstill -->\n"
            + "***\n";

    List<Block> blocks = Markdown.parse(md);

    assertThat(blocks)
        .extracting(Block::kind)
        .containsExactly(
            Kind.FRONT_MATTER,
            Kind.HEADING,
            Kind.HEADING,
            Kind.PARAGRAPH,
            Kind.HEADING,
            Kind.CODE,
            Kind.CODE,
            Kind.LIST,
            Kind.TABLE,
            Kind.QUOTE,
            Kind.HTML_COMMENT,
            Kind.RULE);
    assertThat(blocks.get(1).text()).isEqualTo("Atx");
    assertThat(blocks.get(2)).extracting(Block::level, Block::text).containsExactly(1, "Setext");
    assertThat(blocks.get(4)).extracting(Block::level, Block::text).containsExactly(2, "Sub");
    assertThat(blocks.get(5).lines()).hasSize(5);
    assertThat(blocks.get(7).items())
        .containsExactly(
            List.of("- one", "  continued"), List.of("- two", "", "  loose"), List.of("1. three"));
  }

  @Test
  void compact_collapsesBlankLinesAndTrailingWhitespace() {
    Result r = compact(ROOMY, "a.md", "\n\npara one  \nnext\t\n\n\n\n# H  \n\n\n\npara two\n\n\n");

    assertThat(r.document()).isEqualTo("# T\n\n## a.md\npara one\nnext\n\n# H\n\npara two\n");
  }

  @Test
  void compact_dropsDuplicateParagraphsAndListItemsAcrossInputs_keepingTheFirst() {
    Result r =
        compact(
            ROOMY,
            "a.md",
            "Same  para.\n\n- x\n- y\n\nOther.\n",
            "b.md",
            "Same\npara.\n\n* y\n* z\n\n- x\n\nsame para.\n");

    assertThat(r.document())
        .isEqualTo(
            "# T\n\n## a.md\nSame  para.\n\n- x\n- y\n\nOther.\n" + "## b.md\n* z\n\nsame para.\n");
    assertThat(r.duplicatesDropped()).isEqualTo(3);
  }

  @Test
  void compact_dropsBoilerplate() {
    String md =
        "---\nlayout: page\n---\n"
            + "[![CI](https://ci/badge.svg)](https://ci) [![Cov](c.svg)](https://cov)\n"
            + "# Project\n"
            + "<!-- generated, do not edit -->\n"
            + "Text with [![inline](b.svg)](x) badge stays.\n\n"
            + "## Table of Contents\n- [Usage](#usage)\n- [API](#api)\n  1. [Deep](#deep)\n"
            + "## Usage\nUse it.\n";

    Result r = compact(ROOMY, "a.md", md);

    assertThat(r.document())
        .isEqualTo(
            "# T\n\n## a.md\n# Project\n\nText with [![inline](b.svg)](x) badge stays.\n\n"
                + "## Usage\n\nUse it.\n");
    assertThat(r.headingsTotal()).isEqualTo(2);
  }

  @Test
  void compact_shortensLongCodeBlocksInsideTheFence() {
    String code = IntStream.rangeClosed(1, 13).mapToObj(i -> "line " + i).collect(joining());
    String twelve = IntStream.rangeClosed(1, 12).mapToObj(i -> "k" + i).collect(joining());

    Result r = compact(ROOMY, "a.md", "```sh\n" + code + "```\n\n~~~\n" + twelve + "~~~\n");

    String kept = IntStream.rangeClosed(1, 10).mapToObj(i -> "line " + i).collect(joining());
    assertThat(r.document())
        .isEqualTo(
            "# T\n\n## a.md\n```sh\n" + kept + "… (3 more lines)\n```\n\n~~~\n" + twelve + "~~~\n");
    assertThat(r.codeBlocksShortened()).isEqualTo(1);
  }

  @Test
  void compact_shortensLongListsWithAMarkerItem() {
    String nine = IntStream.rangeClosed(1, 9).mapToObj(i -> "- item " + i).collect(joining());

    Result r = compact(ROOMY, "a.md", nine);

    String six = IntStream.rangeClosed(1, 6).mapToObj(i -> "- item " + i).collect(joining());
    assertThat(r.document()).isEqualTo("# T\n\n## a.md\n" + six + "- … (3 more items)\n");
    assertThat(r.listsShortened()).isEqualTo(1);
  }

  @Test
  void compact_nonMarkdownInput_isOneBlockPerParagraph() {
    List<Block> blocks = Markdown.plain("{\n  \"a\": 1\n}\n\n\n# not a heading  \n");

    assertThat(blocks)
        .containsExactly(
            Block.of(Kind.PLAIN, List.of("{", "  \"a\": 1", "}")),
            Block.of(Kind.PLAIN, List.of("# not a heading")));
  }

  private static final String CODE =
      "```\n"
          + IntStream.rangeClosed(1, 8).mapToObj(i -> "echo step " + i).collect(joining())
          + "```\n";
  private static final String CODE3 =
      "```\necho step 1\necho step 2\necho step 3\n… (5 more lines)\n```";

  /** Three levels of headings with a lead and a second paragraph each, and a code block. */
  private static final String OUTLINE =
      "# A\n\nA lead. More about A.\n\nA second.\n\n"
          + CODE
          + "\n"
          + "## B\n\nB lead. More about B.\n\nB second.\n\n"
          + "### C\n\nC lead. More about C.\n\nC second.\n";

  @Test
  void fit_roomyBudget_keepsEverything() {
    Result r = compact(ROOMY, "a.md", OUTLINE);

    assertThat(r.document()).isEqualTo("# T\n\n## a.md\n" + OUTLINE);
    assertThat(r.headingsKept()).isEqualTo(3);
  }

  @Test
  void fit_trimsCodeThenDeepParagraphsFirst_keepingAllHeadings() {
    int full = bytes(compact(ROOMY, "a.md", OUTLINE).document());

    Result codeOnly = compact(full - 1, "a.md", OUTLINE);
    Result lessC = compact(full - 45, "a.md", OUTLINE);

    assertThat(codeOnly.document()).contains(CODE3 + "");
    assertThat(codeOnly.document()).contains("C second.");
    assertThat(lessC.document())
        .isEqualTo(
            "# T\n\n## a.md\n# A\n\nA lead. More about A.\n\nA second.\n\n"
                + CODE3
                + "\n\n"
                + "## B\n\nB lead. More about B.\n\nB second.\n\n"
                + "### C\n\nC lead. More about C.\n");
    assertThat(lessC.headingsKept()).isEqualTo(3);
  }

  @Test
  void fit_tightBudget_cutsToFirstSentencesThenDropsBodiesBeforeAnyHeading() {
    String firstSentences =
        "# T\n\n## a.md\n# A\n\nA lead.\n\n"
            + CODE3
            + "\n\n"
            + "## B\n\nB lead.\n\n### C\n\nC lead.\n";
    String headingsOnly = "# T\n\n## a.md\n# A\n\n## B\n\n### C\n";

    Result sentences = compact(bytes(firstSentences), "a.md", OUTLINE);
    Result bare = compact(bytes(headingsOnly), "a.md", OUTLINE);

    assertThat(sentences.document()).isEqualTo(firstSentences);
    assertThat(bare.document()).isEqualTo(headingsOnly);
    assertThat(bare.headingsKept()).isEqualTo(3);
  }

  @Test
  void fit_headingsThatDoNotFit_goDeepestFirstAndTheDocumentEndsWithTheMarker() {
    String md = "# A\n\nA lead.\n\n### " + "D".repeat(20) + "\n\nD lead.\n\n## B\n\nB lead.\n";

    Result r = compact(40, "a.md", md);

    assertThat(r.document()).isEqualTo("# T\n\n## a.md\n# A\n\n## B\n\n[truncated]\n");
    assertThat(r.headingsKept()).isEqualTo(2);
    assertThat(r.headingsTotal()).isEqualTo(3);
  }

  @Test
  void fit_neverCutsInsideACharacter() {
    Result r = compact(30, "a.md", "# " + "é".repeat(40) + "\n");

    assertThat(r.document()).isEqualTo("# T\n\n## a.md\n\n\n[truncated]\n");
  }

  @Test
  void compact_twoRuns_areByteIdentical() {
    StringBuilder md = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      md.append("#".repeat(1 + i % 3)).append(" Heading ").append(i).append('\n');
      md.append("Para ").append(i % 7).append(". Tail text ").append(i).append(".\n\n");
      md.append("- a").append(i % 5).append("\n- b\n\n");
    }
    for (int budget : new int[] {200, 700, 1500, 4000, ROOMY}) {
      String first = compact(budget, "a.md", md.toString(), "b.md", md.toString()).document();
      String second = compact(budget, "a.md", md.toString(), "b.md", md.toString()).document();

      assertThat(second).isEqualTo(first);
      assertThat(bytes(first)).isLessThanOrEqualTo(budget);
    }
  }

  static Result compact(int maxBytes, String... pathsAndTexts) {
    List<Input> inputs = new ArrayList<>();
    for (int i = 0; i < pathsAndTexts.length; i += 2) {
      inputs.add(new Input(pathsAndTexts[i], Markdown.parse(pathsAndTexts[i + 1])));
    }
    return Compactor.compact("T", inputs, maxBytes);
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static java.util.stream.Collector<CharSequence, ?, String> joining() {
    return Collectors.joining("\n", "", "\n");
  }
}
