package dev.localexec.examples.wordcount;

import dev.localexec.api.PathRejectedException;
import dev.localexec.api.TaskFailedException;
import dev.localexec.api.spi.JsonlOutput;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code word_count_task}: counts the words of up to 16 files of the repo root. A word is a run of
 * letters or digits at least {@code min_length} characters long, compared case-insensitively. Each
 * file gives one {@code word_count_file} evidence event and one line of {@code
 * evidence/<job_id>_counts.jsonl} (its five most frequent words), which counts against the output
 * budget. Stateless and thread-safe.
 */
public final class WordCountTask implements TaskPlugin {
  /** The job type. */
  public static final String ID = "word_count_task";

  /** Bytes read from the start of each file. */
  static final int MAX_FILE_BYTES = 1_048_576;

  private static final int TOP = 5;
  private static final String SCHEMA = schema();

  /** The public no-argument constructor {@link java.util.ServiceLoader} needs. */
  public WordCountTask() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String payloadSchema() {
    return SCHEMA;
  }

  @Override
  public TaskResult run(TaskContext ctx) {
    Map<String, Object> payload = ctx.job().payload();
    List<String> paths = strings(payload.get("paths"));
    int minLength = payload.get("min_length") instanceof Number n ? n.intValue() : 1;

    Map<String, Object> counts = new LinkedHashMap<>();
    long total = 0;
    String countsPath;
    try (JsonlOutput out = ctx.openJsonl("counts.jsonl")) {
      countsPath = out.relativePath();
      for (String relative : paths) {
        ctx.checkKillSwitch("word_count:" + relative);
        ctx.budget().checkWallTime();
        Path file = ctx.paths().resolveExisting(relative);
        if (!Files.isRegularFile(file)) {
          throw new PathRejectedException(relative, "not_a_file");
        }
        String text = read(file);
        Map<String, Integer> words = words(text, minLength);
        int n = words.values().stream().mapToInt(Integer::intValue).sum();
        total += n;
        counts.put(relative, n);

        Map<String, Object> event = new LinkedHashMap<>();
        event.put("path", relative);
        event.put("words", n);
        event.put("distinct", words.size());
        ctx.evidence().record("word_count_file", event);

        Map<String, Object> row = new LinkedHashMap<>(event);
        row.put("top", top(words));
        out.write(row);
      }
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("files", counts.size());
    result.put("words_total", total);
    result.put("counts", counts);
    result.put("counts_jsonl", countsPath);
    StringBuilder summary =
        new StringBuilder("# Word Count Task\n\n- job_id: ")
            .append(ctx.job().jobId())
            .append("\n- files: ")
            .append(counts.size())
            .append("\n- words_total: ")
            .append(total)
            .append("\n- output: ")
            .append(countsPath)
            .append('\n');
    return new TaskResult(result, summary.toString());
  }

  /** Counts the words of {@code text} at least {@code minLength} characters long. */
  static Map<String, Integer> words(String text, int minLength) {
    Map<String, Integer> words = new HashMap<>();
    int start = -1;
    for (int i = 0; i <= text.length(); i++) {
      boolean inWord = i < text.length() && Character.isLetterOrDigit(text.charAt(i));
      if (inWord && start < 0) {
        start = i;
      } else if (!inWord && start >= 0) {
        if (i - start >= minLength) {
          words.merge(text.substring(start, i).toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        start = -1;
      }
    }
    return words;
  }

  private static List<Object> top(Map<String, Integer> words) {
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(words.entrySet());
    entries.sort(
        Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()));
    List<Object> top = new ArrayList<>();
    for (Map.Entry<String, Integer> e : entries.subList(0, Math.min(TOP, entries.size()))) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("word", e.getKey());
      w.put("count", e.getValue());
      top.add(w);
    }
    return top;
  }

  private static String read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_FILE_BYTES);
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (IOException e) {
      throw new TaskFailedException(
          "read_failed", "cannot read " + file.getFileName() + ": " + e.getMessage(), e);
    }
  }

  private static List<String> strings(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof List<?> list) {
      for (Object o : list) {
        out.add(String.valueOf(o));
      }
    }
    return out;
  }

  private static String schema() {
    String name = "/dev/localexec/examples/wordcount/" + ID + ".schema.json";
    try (InputStream in = WordCountTask.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the plug-in jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
