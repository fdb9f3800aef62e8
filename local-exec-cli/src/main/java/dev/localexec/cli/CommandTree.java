package dev.localexec.cli;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Builds the picocli command tree of {@link LocalExecCli} and words its help and its parse errors.
 * The global options are declared once, on the root command; every command below accepts them too
 * (as hidden copies bound to the root's values), so they go before or after the command and the
 * last one given wins, as before.
 */
final class CommandTree {
  /**
   * The root command's name. Picocli puts it in front of every command's usage line, which so reads
   * {@code usage: local-exec [GLOBAL OPTIONS] COMMAND ...}.
   */
  static final String ROOT_NAME = "local-exec [GLOBAL OPTIONS]";

  private static final int WIDTH = 100;
  private static final int LIST_COLUMN = 30;

  private CommandTree() {}

  /**
   * The command line of {@code main}; commands that take a {@link LocalExecCli} get {@code cli}.
   */
  static CommandLine build(LocalExecCli.Main main, LocalExecCli cli) {
    CommandLine line = new CommandLine(main, new Factory(cli));
    List<OptionSpec> global = new ArrayList<>();
    for (OptionSpec o : line.getCommandSpec().options()) {
      if (!o.usageHelp() && !o.versionHelp()) {
        global.add(o);
      }
    }
    configure(line, global);
    line.setOverwrittenOptionsAllowed(true);
    line.setExpandAtFiles(false);
    // A value may be a command's name: --model vllm, --repo-root plane.
    line.setAllowSubcommandsAsOptionParameters(true);
    line.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    return line;
  }

  /** Sets the help layout of {@code line} and below, and gives the commands the global options. */
  private static void configure(CommandLine line, List<OptionSpec> global) {
    CommandSpec spec = line.getCommandSpec();
    UsageMessageSpec usage = spec.usageMessage();
    usage
        .width(WIDTH)
        .autoWidth(false)
        .synopsisHeading("usage: ")
        .descriptionHeading("%n")
        .parameterListHeading("%narguments:%n")
        .optionListHeading(
            spec.parent() == null
                ? "%nglobal options (before or after the command):%n"
                : "%noptions:%n")
        .commandListHeading("%ncommands:%n")
        .footerHeading("%n");
    usage.sectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, CommandTree::commandList);
    if (usage.header().length > 0) {
      // A header (picocli's own help command has one) goes with the description, after the usage.
      List<String> description = new ArrayList<>(List.of(usage.header()));
      for (String d : usage.description()) {
        description.add(d.replaceAll("^(%n)+|(%n)+$", ""));
      }
      usage.header(new String[0]).description(description.toArray(String[]::new));
    }
    // The commands before the options, as a reader of the root's help looks for them first.
    List<String> keys = new ArrayList<>(usage.sectionKeys());
    keys.remove(UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING);
    keys.remove(UsageMessageSpec.SECTION_KEY_COMMAND_LIST);
    int at = keys.indexOf(UsageMessageSpec.SECTION_KEY_PARAMETER_LIST_HEADING);
    keys.add(at, UsageMessageSpec.SECTION_KEY_COMMAND_LIST);
    keys.add(at, UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING);
    usage.sectionKeys(keys);
    if (spec.parent() != null) {
      for (OptionSpec o : global) {
        spec.addOption(OptionSpec.builder(o).hidden(true).build());
      }
      List<String> footer = new ArrayList<>(List.of(usage.footer()));
      footer.add(
          "Global options (--repo-root DIR, --sandbox MODE, --queue-url URL, ...) go before or"
              + " after the command: see local-exec --help.");
      usage.footer(footer.toArray(String[]::new));
    }
    for (CommandLine sub : line.getSubcommands().values()) {
      configure(sub, global);
    }
  }

  /** The commands' names (and arguments) and the first line of their description, one a line. */
  private static String commandList(Help help) {
    Map<String, CommandLine> subs = help.commandSpec().subcommands();
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, CommandLine> e : subs.entrySet()) {
      CommandSpec s = e.getValue().getCommandSpec();
      if (s.usageMessage().hidden()) {
        continue;
      }
      String label = "  " + e.getKey() + arguments(s);
      String[] description = s.usageMessage().description();
      String text = description.length == 0 ? "" : firstSentence(description[0]);
      if (label.length() > LIST_COLUMN - 2) {
        sb.append(label).append('\n').append(" ".repeat(LIST_COLUMN));
      } else {
        sb.append(label).append(" ".repeat(LIST_COLUMN - label.length()));
      }
      sb.append(wrap(text, LIST_COLUMN)).append('\n');
    }
    return sb.toString();
  }

  /** What follows a command's name in a list: its subcommands, or its options and arguments. */
  static String arguments(CommandSpec s) {
    if (!s.subcommands().isEmpty()) {
      return " " + String.join("|", s.subcommands().keySet());
    }
    StringBuilder sb = new StringBuilder();
    for (OptionSpec o : s.options()) {
      if (!o.hidden() && !o.usageHelp() && !o.versionHelp()) {
        sb.append(" [OPTIONS]");
        break;
      }
    }
    for (PositionalParamSpec p : s.positionalParameters()) {
      if (p.hidden()) {
        continue;
      }
      String label = p.paramLabel() + (p.arity().max() > 1 ? "..." : "");
      sb.append(' ').append(p.arity().min() == 0 ? "[" + label + "]" : label);
    }
    return sb.toString();
  }

  private static String firstSentence(String text) {
    int dot = text.indexOf(". ");
    return dot < 0 ? text : text.substring(0, dot + 1);
  }

  /** {@code text} wrapped at {@link #WIDTH}, continuation lines indented by {@code indent}. */
  private static String wrap(String text, int indent) {
    StringBuilder sb = new StringBuilder();
    int col = indent;
    for (String word : text.split(" ")) {
      if (col > indent && col + 1 + word.length() > WIDTH) {
        sb.append('\n').append(" ".repeat(indent));
        col = indent;
      } else if (col > indent) {
        sb.append(' ');
        col++;
      }
      sb.append(word);
      col += word.length();
    }
    return sb.toString();
  }

  /** A command's words after {@code local-exec}, e.g. {@code plane start}. */
  static String path(CommandSpec spec) {
    String q = spec.qualifiedName(" ");
    return q.startsWith(ROOT_NAME) ? q.substring(ROOT_NAME.length()).strip() : q;
  }

  /**
   * Whether the arguments ask for help ({@code -h} or {@code --help} before any {@code --}), and
   * the error is not about the command's name: then help wins over the error, as it does over
   * running.
   */
  static boolean asksForHelp(ParameterException e, String[] args) {
    boolean asks = false;
    for (String a : args) {
      if (a.equals("--")) {
        break;
      }
      if (a.equals("-h") || a.equals("--help")) {
        asks = true;
      }
    }
    return asks && !unknownCommand(e);
  }

  private static boolean unknownCommand(ParameterException e) {
    return e instanceof UnmatchedArgumentException u
        && !u.getUnmatched().isEmpty()
        && !u.getUnmatched().get(0).startsWith("-")
        && !e.getCommandLine().getSubcommands().isEmpty();
  }

  /** The one-line message of a parse error, without the {@code local-exec: } prefix. */
  static String message(ParameterException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UsageException) {
        return t.getMessage();
      }
    }
    CommandSpec spec = e.getCommandLine().getCommandSpec();
    String path = path(spec);
    String help = "see `local-exec " + (path.isEmpty() ? "" : path + " ") + "--help`";
    if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
      ArgSpec missing = m.getMissing().get(0);
      if (missing instanceof OptionSpec o) {
        return o.longestName() + " needs a value";
      }
      return path + " needs " + missing.paramLabel() + "; " + help;
    }
    if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String arg = u.getUnmatched().get(0);
      if (arg.startsWith("-") && arg.length() > 1) {
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        String elsewhere = siblingsWith(e.getCommandLine(), name);
        if (elsewhere != null) {
          return name + " is a flag of " + elsewhere;
        }
        return "unknown option " + arg + (path.isEmpty() ? "" : " for " + path) + "; " + help;
      }
      if (!spec.subcommands().isEmpty()) {
        if (path.isEmpty()) {
          return "unknown command '" + arg + "'; " + help;
        }
        return needs(spec) + ", got '" + arg + "'";
      }
      int most = 0;
      String label = null;
      for (PositionalParamSpec p : spec.positionalParameters()) {
        most += p.arity().max();
        label = p.paramLabel();
      }
      if (most == 1) {
        return path + " takes at most one " + label.toLowerCase(Locale.ROOT).replace('_', ' ');
      }
      return "unexpected argument '" + arg + "' for " + path;
    }
    return e.getMessage();
  }

  /** {@code plane needs start, stop or status}: what a command with subcommands needs. */
  static String needs(CommandSpec spec) {
    List<String> names = new ArrayList<>(spec.subcommands().keySet());
    String list =
        names.size() == 1
            ? names.get(0)
            : String.join(", ", names.subList(0, names.size() - 1))
                + " or "
                + names.get(names.size() - 1);
    return path(spec) + " needs " + list;
  }

  /**
   * The other commands of the same parent that have option {@code name}, as {@code plane start and
   * install-units}; {@code null} when there are none or the command is a top-level one.
   */
  private static String siblingsWith(CommandLine line, String name) {
    CommandLine parent = line.getParent();
    if (parent == null || parent.getParent() == null) {
      return null;
    }
    List<String> with = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : parent.getSubcommands().entrySet()) {
      OptionSpec o = e.getValue().getCommandSpec().findOption(name);
      if (o != null && !o.hidden()) {
        with.add(e.getKey());
      }
    }
    if (with.isEmpty()) {
      return null;
    }
    String last = with.remove(with.size() - 1);
    return path(parent.getCommandSpec())
        + " "
        + (with.isEmpty() ? last : String.join(", ", with) + " and " + last);
  }

  /** Creates the commands; one with a {@link LocalExecCli} constructor gets the running one. */
  private static final class Factory implements CommandLine.IFactory {
    private final LocalExecCli cli;

    Factory(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      Constructor<K> withCli;
      try {
        withCli = type.getDeclaredConstructor(LocalExecCli.class);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      }
      withCli.setAccessible(true);
      return withCli.newInstance(cli);
    }
  }
}
