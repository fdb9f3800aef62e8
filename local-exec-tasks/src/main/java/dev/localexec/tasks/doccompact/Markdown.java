package dev.localexec.tasks.doccompact;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into {@link Block}s: a small, line-based markdown block parser (no inline parsing),
 * and a plain splitter (one block per blank-line separated paragraph) for other files. Every line
 * has its trailing whitespace stripped. Stateless.
 */
final class Markdown {
  private Markdown() {}

  /** What a block is. */
  enum Kind {
    HEADING,
    PARAGRAPH,
    CODE,
    LIST,
    TABLE,
    QUOTE,
    RULE,
    HTML_COMMENT,
    FRONT_MATTER,
    PLAIN
  }

  /**
   * One block. {@code lines} are its lines as written (trailing whitespace stripped); a {@code
   * LIST} also has its top-level {@code items}, each the item's lines; a {@code HEADING} has its
   * {@code level} (1..6) and {@code text}.
   */
  record Block(Kind kind, int level, String text, List<String> lines, List<List<String>> items) {
    Block {
      lines = List.copyOf(lines);
      items = items.stream().map(List::copyOf).toList();
    }

    static Block of(Kind kind, List<String> lines) {
      return new Block(kind, 0, "", lines, List.of());
    }
  }

  private static final Pattern ATX = Pattern.compile("^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?[ \\t]*$");
  private static final Pattern ATX_CLOSE = Pattern.compile("(?:^|[ \\t]+)#+$");
  private static final Pattern FENCE = Pattern.compile("^( {0,3})(`{3,}|~{3,})(.*)$");
  private static final Pattern RULE = Pattern.compile("^ {0,3}([-*_])(?:[ \\t]*\\1){2,}[ \\t]*$");
  private static final Pattern ITEM = Pattern.compile("^( *)([-*+]|\\d{1,9}[.)])(?:[ \\t]+|$)");
  private static final Pattern SETEXT = Pattern.compile("^ {0,3}(=+|-+)[ \\t]*$");
  private static final Pattern QUOTE = Pattern.compile("^ {0,3}>");
  private static final Pattern TABLE_ROW = Pattern.compile("^ {0,3}\\|");
  private static final Pattern TABLE_DELIMITER =
      Pattern.compile("^ {0,3}\\|?[ \\t]*:?-+:?[ \\t]*(?:\\|[ \\t]*:?-+:?[ \\t]*)*\\|?[ \\t]*$");

  /** Whether a file of this name is parsed as markdown (rather than as plain paragraphs). */
  static boolean isMarkdown(String path) {
    String lower = path.toLowerCase(java.util.Locale.ROOT);
    return lower.endsWith(".md") || lower.endsWith(".markdown") || lower.endsWith(".mdx");
  }

  /** One {@code PLAIN} block per run of non-blank lines. */
  static List<Block> plain(String text) {
    List<Block> blocks = new ArrayList<>();
    List<String> current = new ArrayList<>();
    for (String line : lines(text)) {
      if (line.isEmpty()) {
        flush(blocks, current);
      } else {
        current.add(line);
      }
    }
    flush(blocks, current);
    return blocks;
  }

  private static void flush(List<Block> blocks, List<String> current) {
    if (!current.isEmpty()) {
      blocks.add(Block.of(Kind.PLAIN, current));
      current.clear();
    }
  }

  /** The markdown blocks of {@code text}, in order; blank lines between blocks are dropped. */
  static List<Block> parse(String text) {
    List<String> lines = lines(text);
    List<Block> blocks = new ArrayList<>();
    int i = 0;
    if (!lines.isEmpty() && lines.get(0).equals("---")) {
      int end = 1;
      while (end < lines.size() && !lines.get(end).equals("---") && !lines.get(end).equals("...")) {
        end++;
      }
      if (end < lines.size()) {
        blocks.add(Block.of(Kind.FRONT_MATTER, lines.subList(0, end + 1)));
        i = end + 1;
      }
    }
    while (i < lines.size()) {
      String line = lines.get(i);
      if (line.isBlank()) {
        i++;
        continue;
      }
      Matcher m;
      if ((m = FENCE.matcher(line)).matches()
          && !(m.group(2).startsWith("`") && m.group(3).contains("`"))) {
        String fence = m.group(2);
        int end = i + 1;
        while (end < lines.size() && !closesFence(lines.get(end), fence)) {
          end++;
        }
        int stop = Math.min(end + 1, lines.size());
        blocks.add(Block.of(Kind.CODE, lines.subList(i, stop)));
        i = stop;
      } else if (line.stripLeading().startsWith("<!--")) {
        int end = i;
        while (end < lines.size() - 1 && !lines.get(end).contains("-->")) {
          end++;
        }
        blocks.add(Block.of(Kind.HTML_COMMENT, lines.subList(i, end + 1)));
        i = end + 1;
      } else if ((m = ATX.matcher(line)).matches()) {
        String heading = m.group(2) == null ? "" : ATX_CLOSE.matcher(m.group(2)).replaceFirst("");
        blocks.add(new Block(Kind.HEADING, m.group(1).length(), heading, List.of(line), List.of()));
        i++;
      } else if (RULE.matcher(line).matches()) {
        blocks.add(Block.of(Kind.RULE, List.of(line)));
        i++;
      } else if (ITEM.matcher(line).find()) {
        i = list(lines, i, blocks);
      } else if (QUOTE.matcher(line).find()) {
        int end = i;
        while (end < lines.size() && !lines.get(end).isBlank()) {
          end++;
        }
        blocks.add(Block.of(Kind.QUOTE, lines.subList(i, end)));
        i = end;
      } else if (TABLE_ROW.matcher(line).find()
          || (line.contains("|")
              && i + 1 < lines.size()
              && lines.get(i + 1).contains("-")
              && TABLE_DELIMITER.matcher(lines.get(i + 1)).matches())) {
        int end = i + 1;
        while (end < lines.size() && !lines.get(end).isBlank() && lines.get(end).contains("|")) {
          end++;
        }
        blocks.add(Block.of(Kind.TABLE, lines.subList(i, end)));
        i = end;
      } else {
        i = paragraph(lines, i, blocks);
      }
    }
    return blocks;
  }

  private static int paragraph(List<String> lines, int start, List<Block> blocks) {
    int end = start + 1;
    while (end < lines.size()) {
      String line = lines.get(end);
      Matcher setext = SETEXT.matcher(line);
      if (setext.matches()) {
        List<String> text = lines.subList(start, end);
        String heading = String.join(" ", text.stream().map(String::strip).toList());
        int level = setext.group(1).startsWith("=") ? 1 : 2;
        blocks.add(
            new Block(Kind.HEADING, level, heading, lines.subList(start, end + 1), List.of()));
        return end + 1;
      }
      if (line.isBlank() || interrupts(line)) {
        break;
      }
      end++;
    }
    blocks.add(Block.of(Kind.PARAGRAPH, lines.subList(start, end)));
    return end;
  }

  /** Whether a line starts a new block even right after a paragraph line. */
  private static boolean interrupts(String line) {
    Matcher item = ITEM.matcher(line);
    return ATX.matcher(line).matches()
        || FENCE.matcher(line).matches()
        || RULE.matcher(line).matches()
        || QUOTE.matcher(line).find()
        || line.stripLeading().startsWith("<!--")
        || (item.find()
            && item.group(1).length() <= 3
            && !item.group().isBlank()
            && (!Character.isDigit(item.group(2).charAt(0)) || item.group(2).startsWith("1")));
  }

  private static int list(List<String> lines, int start, List<Block> blocks) {
    Matcher first = ITEM.matcher(lines.get(start));
    first.find();
    int baseIndent = first.group(1).length();
    List<List<String>> items = new ArrayList<>();
    List<String> current = new ArrayList<>();
    current.add(lines.get(start));
    int i = start + 1;
    while (i < lines.size()) {
      String line = lines.get(i);
      Matcher item = ITEM.matcher(line);
      boolean isItem = item.find() && !RULE.matcher(line).matches();
      if (line.isBlank()) {
        int next = i + 1;
        while (next < lines.size() && lines.get(next).isBlank()) {
          next++;
        }
        if (next == lines.size()) {
          break;
        }
        String after = lines.get(next);
        Matcher afterItem = ITEM.matcher(after);
        boolean continues =
            (afterItem.find() && afterItem.group(1).length() <= baseIndent + 1)
                || indent(after) > baseIndent + 1;
        if (!continues) {
          break;
        }
        current.add("");
        i = next;
        continue;
      }
      if (isItem && item.group(1).length() <= baseIndent + 1) {
        items.add(current);
        current = new ArrayList<>();
        current.add(line);
      } else if (indent(line) > baseIndent || isItem || !interrupts(line)) {
        if (current.get(current.size() - 1).isEmpty() && indent(line) <= baseIndent) {
          break;
        }
        current.add(line);
      } else {
        break;
      }
      i++;
    }
    items.add(current);
    List<String> all = new ArrayList<>();
    items.forEach(all::addAll);
    blocks.add(new Block(Kind.LIST, 0, "", all, items));
    return i;
  }

  private static int indent(String line) {
    int n = 0;
    while (n < line.length() && (line.charAt(n) == ' ' || line.charAt(n) == '\t')) {
      n += line.charAt(n) == '\t' ? 4 : 1;
    }
    return n;
  }

  /** Whether the last of a code block's lines closes the fence its first line opens. */
  static boolean isFenceClose(List<String> lines) {
    Matcher open = FENCE.matcher(lines.get(0));
    return open.matches() && closesFence(lines.get(lines.size() - 1), open.group(2));
  }

  private static boolean closesFence(String line, String fence) {
    String s = line.strip();
    if (indent(line) > 3 || s.length() < fence.length()) {
      return false;
    }
    char c = fence.charAt(0);
    for (int k = 0; k < s.length(); k++) {
      if (s.charAt(k) != c) {
        return false;
      }
    }
    return true;
  }

  /** The lines of {@code text}, trailing whitespace (and {@code \r}) stripped from each. */
  static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      out.add(line.stripTrailing());
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }
}
