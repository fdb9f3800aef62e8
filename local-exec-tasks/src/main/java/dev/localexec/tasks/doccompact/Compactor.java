package dev.localexec.tasks.doccompact;

import dev.localexec.tasks.doccompact.Markdown.Block;
import dev.localexec.tasks.doccompact.Markdown.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the compacted document from parsed inputs, deterministically: the same inputs and budget
 * give the same bytes (no hashing order, no time, no randomness).
 *
 * <p>Always: boilerplate (HTML comments, front matter, badge-only lines, link-only "contents"
 * sections) is dropped; exact-duplicate paragraphs and list items (whitespace-normalised) are
 * dropped after their first occurrence across all inputs; code blocks over {@value #CODE_LIMIT}
 * lines keep {@value #CODE_KEEP}, lists over {@value #LIST_LIMIT} items keep {@value #LIST_KEEP},
 * each followed by a marker. Then, while the document is over the budget, in this order, each step
 * from the least important (deepest heading level, then last) onwards and stopping as soon as it
 * fits: code blocks to {@value #TIGHT_KEEP} lines, lists to {@value #TIGHT_KEEP} items, paragraphs
 * other than a section's first, tables, quotes and rules, the remaining paragraphs cut to their
 * first sentence, the remaining body blocks, and at last headings (then the document ends with the
 * truncation marker); if even the title and input headings do not fit, the bytes are cut. When no
 * heading had to go, dropped blocks that fit in the room left are put back, last dropped first.
 */
final class Compactor {
  static final int CODE_LIMIT = 12;
  static final int CODE_KEEP = 10;
  static final int LIST_LIMIT = 8;
  static final int LIST_KEEP = 6;
  static final int TIGHT_KEEP = 3;
  static final int SENTENCE_MAX_CHARS = 200;

  private static final Pattern BADGE_LINE =
      Pattern.compile("^\\s*(?:\\[!\\[[^\\]]*\\]\\([^)]*\\)\\]\\([^)]*\\)\\s*)+$");
  private static final Pattern TOC_TITLE =
      Pattern.compile("(?i)^\\s*(?:table of contents|contents|toc)\\s*:?\\s*$");
  private static final Pattern LINK_ITEM =
      Pattern.compile("^\\s*(?:[-*+]|\\d{1,9}[.)])\\s+\\[[^\\]]+\\]\\([^)]*\\)\\s*$");
  private static final Pattern ITEM_MARKER = Pattern.compile("^\\s*(?:[-*+]|\\d{1,9}[.)])\\s*");
  private static final Pattern SENTENCE_END = Pattern.compile("[.!?](?=\\s|$)");

  /** One input's section: its path heading and its blocks. */
  record Input(String path, List<Block> blocks) {}

  /** The document and its counters. */
  record Result(
      String document,
      int headingsKept,
      int headingsTotal,
      int duplicatesDropped,
      int codeBlocksShortened,
      int listsShortened) {}

  /** A block in the document, with its current (possibly shortened) rendering. */
  private static final class Node {
    final Block block;
    final int section;
    final int position;
    final int depth;
    final boolean lead;
    List<List<String>> items;
    int codeKeep = Integer.MAX_VALUE;
    String sentence;
    boolean dropped;
    int bytes;

    Node(Block block, int section, int position, int depth, boolean lead) {
      this.block = block;
      this.section = section;
      this.position = position;
      this.depth = depth;
      this.lead = lead;
      this.items = block.items();
    }

    boolean is(Kind... kinds) {
      for (Kind k : kinds) {
        if (block.kind() == k) {
          return true;
        }
      }
      return false;
    }

    int codeLines() {
      List<String> lines = block.lines();
      boolean closed = lines.size() > 1 && Markdown.isFenceClose(lines);
      return lines.size() - 1 - (closed ? 1 : 0);
    }

    String render() {
      if (sentence != null) {
        return sentence;
      }
      List<String> lines = block.lines();
      if (block.kind() == Kind.CODE && codeLines() > codeKeep) {
        int content = codeLines();
        List<String> out = new ArrayList<>(lines.subList(0, 1 + codeKeep));
        out.add("… (" + (content - codeKeep) + " more lines)");
        if (content + 1 < lines.size()) {
          out.add(lines.get(lines.size() - 1));
        }
        return String.join("\n", out);
      }
      if (block.kind() == Kind.LIST) {
        List<String> out = new ArrayList<>();
        for (List<String> item : items) {
          for (String line : item) {
            if (!(line.isEmpty() && !out.isEmpty() && out.get(out.size() - 1).isEmpty())) {
              out.add(line);
            }
          }
        }
        while (out.get(out.size() - 1).isEmpty()) {
          out.remove(out.size() - 1);
        }
        int hidden = block.items().size() - items.size();
        if (hidden > 0) {
          String first = block.items().get(0).get(0);
          String indent = first.substring(0, first.length() - first.stripLeading().length());
          out.add(indent + "- … (" + hidden + " more items)");
        }
        return String.join("\n", out);
      }
      return String.join("\n", lines);
    }
  }

  private final String header;
  private final List<String> sectionHeaders = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final long[] sectionBytes;
  private final int[] sectionLive;
  private final List<Node> dropLog = new ArrayList<>();
  private int duplicatesDropped;
  private final Set<Node> codeShortened = new HashSet<>();
  private final Set<Node> listShortened = new HashSet<>();

  private Compactor(String title, List<Input> inputs) {
    this.header = "# " + title + "\n\n";
    this.sectionBytes = new long[inputs.size()];
    this.sectionLive = new int[inputs.size()];
    Set<String> seen = new HashSet<>();
    for (int s = 0; s < inputs.size(); s++) {
      sectionHeaders.add("## " + inputs.get(s).path() + "\n");
      List<Block> blocks = dropBoilerplate(inputs.get(s).blocks());
      int depth = 0;
      boolean lead = true;
      for (Block block : blocks) {
        if (block.kind() == Kind.HEADING) {
          depth = block.level();
          lead = true;
          nodes.add(new Node(block, s, nodes.size(), depth, false));
          continue;
        }
        Node node = new Node(block, s, nodes.size(), depth, false);
        if (block.kind() == Kind.PARAGRAPH || block.kind() == Kind.PLAIN) {
          if (!seen.add("p:" + normalise(block.lines()))) {
            duplicatesDropped++;
            continue;
          }
          node = new Node(block, s, nodes.size(), depth, lead);
          lead = false;
        } else if (block.kind() == Kind.LIST) {
          List<List<String>> kept = new ArrayList<>();
          for (List<String> item : block.items()) {
            String key = "i:" + ITEM_MARKER.matcher(normalise(item)).replaceFirst("");
            if (seen.add(key)) {
              kept.add(item);
            } else {
              duplicatesDropped++;
            }
          }
          if (kept.isEmpty()) {
            continue;
          }
          List<String> lines = new ArrayList<>();
          kept.forEach(lines::addAll);
          node = new Node(new Block(Kind.LIST, 0, "", lines, kept), s, nodes.size(), depth, false);
        }
        nodes.add(node);
      }
    }
    for (Node node : nodes) {
      node.bytes = utf8(node.render());
      sectionBytes[node.section] += node.bytes;
      sectionLive[node.section]++;
    }
  }

  /** Compacts {@code inputs} under {@code title} into at most {@code maxBytes} UTF-8 bytes. */
  static Result compact(String title, List<Input> inputs, int maxBytes) {
    return new Compactor(title, inputs).run(maxBytes);
  }

  private Result run(int maxBytes) {
    int headingsTotal = (int) nodes.stream().filter(n -> n.is(Kind.HEADING)).count();
    for (Node n : nodes) {
      if (n.is(Kind.CODE) && n.codeLines() > CODE_LIMIT) {
        shortenCode(n, CODE_KEEP);
      } else if (n.is(Kind.LIST) && n.items.size() > LIST_LIMIT) {
        shortenList(n, LIST_KEEP);
      }
    }
    Comparator<Node> leastImportantFirst =
        Comparator.<Node>comparingInt(n -> -n.depth).thenComparingInt(n -> -n.position);
    List<Node> order = new ArrayList<>(nodes);
    order.sort(leastImportantFirst);

    trim(
        order,
        maxBytes,
        n -> n.is(Kind.CODE) && n.codeLines() > TIGHT_KEEP + 1,
        n -> shortenCode(n, TIGHT_KEEP));
    trim(
        order,
        maxBytes,
        n -> n.is(Kind.LIST) && n.items.size() > TIGHT_KEEP + 1,
        n -> shortenList(n, TIGHT_KEEP));
    trim(order, maxBytes, n -> n.is(Kind.PARAGRAPH, Kind.PLAIN) && !n.lead, this::drop);
    trim(order, maxBytes, n -> n.is(Kind.TABLE, Kind.QUOTE, Kind.RULE), this::drop);
    trim(order, maxBytes, n -> n.is(Kind.PARAGRAPH, Kind.PLAIN), this::firstSentence);
    trim(order, maxBytes, n -> !n.is(Kind.HEADING), this::drop);
    boolean truncated = size() > maxBytes;
    if (!truncated) {
      // A dropped block can leave room that a block dropped before it fits in: fill it, the most
      // important (last dropped) first.
      for (int i = dropLog.size() - 1; i >= 0; i--) {
        Node n = dropLog.get(i);
        restore(n);
        if (size() > maxBytes) {
          drop(n);
          dropLog.remove(dropLog.size() - 1);
        }
      }
    }
    int room = maxBytes - utf8(DocCompactorTask.TRUNCATED_MARKER);
    if (truncated) {
      List<Node> headings = new ArrayList<>(nodes);
      headings.sort(
          Comparator.<Node>comparingInt(n -> -n.block.level()).thenComparingInt(n -> -n.position));
      trim(headings, room, n -> n.is(Kind.HEADING), this::drop);
    }
    String document = render();
    if (truncated) {
      document =
          utf8(document) <= room
              ? document + DocCompactorTask.TRUNCATED_MARKER
              : DocCompactorTask.fit(document, maxBytes);
    }
    int kept = (int) nodes.stream().filter(n -> n.is(Kind.HEADING) && !n.dropped).count();
    return new Result(
        document,
        kept,
        headingsTotal,
        duplicatesDropped,
        codeShortened.size(),
        listShortened.size());
  }

  private void trim(
      List<Node> order,
      long limit,
      Predicate<Node> applies,
      java.util.function.Consumer<Node> step) {
    for (Node n : order) {
      if (size() <= limit) {
        return;
      }
      if (!n.dropped && applies.test(n)) {
        step.accept(n);
      }
    }
  }

  /** Shortens a code block to {@code keep} lines, unless the marker would not save bytes. */
  private void shortenCode(Node n, int keep) {
    int before = n.codeKeep;
    n.codeKeep = keep;
    if (utf8(n.render()) < n.bytes) {
      codeShortened.add(n);
      update(n);
    } else {
      n.codeKeep = before;
    }
  }

  /** Shortens a list to {@code keep} items, unless the marker would not save bytes. */
  private void shortenList(Node n, int keep) {
    List<List<String>> before = n.items;
    n.items = new ArrayList<>(n.items.subList(0, keep));
    if (utf8(n.render()) < n.bytes) {
      listShortened.add(n);
      update(n);
    } else {
      n.items = before;
    }
  }

  private void firstSentence(Node n) {
    String text = normalise(n.block.lines());
    Matcher end = SENTENCE_END.matcher(text);
    String cut = end.find() ? text.substring(0, end.end()) : text;
    if (cut.length() > SENTENCE_MAX_CHARS) {
      int at = cut.offsetByCodePoints(0, cut.codePointCount(0, SENTENCE_MAX_CHARS));
      cut = cut.substring(0, at).stripTrailing() + "…";
    }
    if (utf8(cut) < n.bytes) {
      n.sentence = cut;
      update(n);
    }
  }

  private void drop(Node n) {
    n.dropped = true;
    sectionBytes[n.section] -= n.bytes;
    sectionLive[n.section]--;
    dropLog.add(n);
  }

  private void restore(Node n) {
    n.dropped = false;
    sectionBytes[n.section] += n.bytes;
    sectionLive[n.section]++;
  }

  private void update(Node n) {
    int bytes = utf8(n.render());
    sectionBytes[n.section] += bytes - n.bytes;
    n.bytes = bytes;
  }

  /** The document's size in UTF-8 bytes, as {@link #render()} would give it. */
  private long size() {
    long total = utf8(header);
    for (int s = 0; s < sectionHeaders.size(); s++) {
      total +=
          utf8(sectionHeaders.get(s)) + sectionBytes[s] + 2L * Math.max(0, sectionLive[s] - 1) + 1;
    }
    return total;
  }

  private String render() {
    StringBuilder doc = new StringBuilder(header);
    for (int s = 0; s < sectionHeaders.size(); s++) {
      doc.append(sectionHeaders.get(s));
      String sep = "";
      for (Node n : nodes) {
        if (n.section == s && !n.dropped) {
          doc.append(sep).append(n.render());
          sep = "\n\n";
        }
      }
      doc.append('\n');
    }
    return doc.toString();
  }

  /** Drops front matter, HTML comments, badge-only lines and link-only "contents" sections. */
  static List<Block> dropBoilerplate(List<Block> blocks) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      switch (b.kind()) {
        case FRONT_MATTER, HTML_COMMENT -> {
          continue;
        }
        case HEADING -> {
          if (TOC_TITLE.matcher(b.text()).matches()) {
            int end = i + 1;
            while (end < blocks.size()
                && blocks.get(end).kind() == Kind.LIST
                && blocks.get(end).lines().stream()
                    .allMatch(l -> l.isBlank() || LINK_ITEM.matcher(l).matches())) {
              end++;
            }
            boolean sectionEnds =
                end == blocks.size()
                    || (blocks.get(end).kind() == Kind.HEADING
                        && blocks.get(end).level() <= b.level());
            if (end > i + 1 && sectionEnds) {
              i = end - 1;
              continue;
            }
          }
        }
        case PARAGRAPH -> {
          List<String> lines =
              b.lines().stream().filter(l -> !BADGE_LINE.matcher(l).matches()).toList();
          if (lines.isEmpty()) {
            continue;
          }
          b = Block.of(Kind.PARAGRAPH, lines);
        }
        default -> {}
      }
      out.add(b);
    }
    return out;
  }

  static String normalise(List<String> lines) {
    return String.join(" ", String.join(" ", lines).strip().split("\\s+"));
  }

  static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
