package dev.localexec.tasks.doccompact;

import dev.localexec.api.PathRejectedException;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.tasks.payload.Payload;
import dev.localexec.tasks.payload.PayloadSchema;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compacts a list of text files into one markdown document ({@code doc_compactor_task}).
 *
 * <p>Payload: {@code inputs} (paths relative to the root), {@code max_input_bytes} (read in total,
 * across the inputs), {@code max_output_bytes} (size of the document), {@code title} (default
 * {@value #DEFAULT_TITLE}). An input that {@link dev.localexec.api.spi.RepoPaths#resolveExisting}
 * refuses, or that is not a regular file, is recorded as a {@code path_rejected} evidence event
 * ({@code {"path", "reason"}}, the reason being the code, e.g. {@code path_rejected:parent_ref})
 * and skipped; the job still completes. The accepted inputs are read in order until {@code
 * max_input_bytes} are read. By default ({@code "mode": "deterministic"}) no model is called: a
 * {@code model_request_summary} event says so. With {@code "mode": "model"} each section is
 * summarised by the plane's model ({@link TaskContext#model()}: the job needs {@code model.chat} in
 * its {@code allowed_tools}; each section is one tool call, its answer bounded by its share of
 * {@code max_output_bytes}); sections beyond the tool calls left, or too long for the model's
 * context, keep their deterministic compaction, and when the model is absent the whole document is
 * the deterministic one, its result marked {@code "mode": "deterministic_fallback"} with the reason
 * (see {@link ModelSections}).
 *
 * <p>The document is {@code "# <title>\n\n"} followed by {@code "## <path>\n<blocks>\n"} per input
 * read, the blocks separated by a blank line. Markdown inputs ({@code .md}, {@code .markdown},
 * {@code .mdx}) are parsed into headings, paragraphs, fenced code, lists, tables, quotes; other
 * inputs are one block per paragraph. Trailing whitespace and runs of blank lines go; boilerplate,
 * duplicates, long code blocks and long lists are dropped or shortened, and the document is fitted
 * to {@code max_output_bytes} by trimming the least important parts first, headings last (see
 * {@link Compactor}); only when headings had to go does it end with {@value
 * #TRUNCATED_MARKER_TEXT}. Deterministic: the same files and payload give the same bytes. The
 * document counts whole against the job's output budget.
 *
 * <p>Result: {@code {"inputs_considered", "bytes_read", "output_bytes", "ratio" (output / bytes
 * read, 3 decimals), "headings_kept", "headings_total", "duplicates_dropped",
 * "code_blocks_shortened", "lists_shortened"}}; the summary is the document. Stateless; one
 * instance may run several jobs at once.
 */
public final class DocCompactorTask implements TaskPlugin {

  /** The job type. */
  public static final String ID = "doc_compactor_task";

  /** The title used when the payload gives none. */
  public static final String DEFAULT_TITLE = "Compacted Docs";

  /** The line that ends a document cut to {@code max_output_bytes}. */
  public static final String TRUNCATED_MARKER_TEXT = "[truncated]";

  static final String TRUNCATED_MARKER = "\n" + TRUNCATED_MARKER_TEXT + "\n";
  private static final String SCHEMA = PayloadSchema.load(ID);

  /** Creates the plug-in (for {@link java.util.ServiceLoader}). */
  public DocCompactorTask() {}

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
    Payload payload = Payload.of(ctx.job().payload());
    List<String> inputs = payload.strings("inputs");
    int maxInputBytes = payload.integer("max_input_bytes", 128, 10_485_760);
    int maxOutputBytes = payload.integer("max_output_bytes", 128, 1_048_576);
    String title = payload.string("title", DEFAULT_TITLE).replace('\r', ' ').replace('\n', ' ');
    String mode = payload.string("mode", "deterministic");

    List<Compactor.Input> read = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    long bytesRead = 0;
    for (String input : inputs) {
      ctx.checkKillSwitch("doc_compactor");
      ctx.budget().checkWallTime();
      Path file;
      try {
        file = ctx.paths().resolveExisting(input);
      } catch (PathRejectedException e) {
        record(ctx, "path_rejected", input, e.code());
        continue;
      }
      if (!Files.isRegularFile(file)) {
        record(ctx, "path_rejected", input, "path_rejected:not_a_file");
        continue;
      }
      int remaining = (int) (maxInputBytes - bytesRead);
      if (remaining <= 0) {
        record(ctx, "input_skipped", input, "max_input_bytes_reached");
        continue;
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes(remaining);
      } catch (IOException e) {
        record(ctx, "file_skipped", input, "io_error:" + e.getClass().getSimpleName());
        continue;
      }
      bytesRead += bytes.length;
      String text =
          new String(bytes, 0, Utf8.boundary(bytes, bytes.length), StandardCharsets.UTF_8);
      read.add(
          new Compactor.Input(
              input, Markdown.isMarkdown(input) ? Markdown.parse(text) : Markdown.plain(text)));
      texts.add(text);
    }

    String fallbackReason = null;
    if (mode.equals("model") && !read.isEmpty()) {
      try {
        return modelAssisted(ctx, title, read, texts, inputs.size(), bytesRead, maxOutputBytes);
      } catch (ModelSections.Absent e) {
        fallbackReason = e.code;
        Map<String, Object> fallback = new LinkedHashMap<>();
        fallback.put("invoked", false);
        fallback.put("reason", "model_absent_deterministic_fallback");
        fallback.put("error", e.code);
        ctx.evidence().record("model_request_summary", fallback);
      }
    }

    if (fallbackReason == null) {
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("invoked", false);
      summary.put("reason", "doc_compactor_uses_local_compaction");
      summary.put("input_count", inputs.size());
      summary.put("max_input_bytes", maxInputBytes);
      ctx.evidence().record("model_request_summary", summary);
    }

    ctx.checkKillSwitch("doc_compactor");
    Compactor.Result compacted = Compactor.compact(title, read, maxOutputBytes);
    String document = compacted.document();
    int outputBytes = document.getBytes(StandardCharsets.UTF_8).length;
    ctx.budget().requireOutput(outputBytes);

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("inputs_considered", inputs.size());
    result.put("bytes_read", bytesRead);
    result.put("output_bytes", outputBytes);
    result.put("ratio", ratio(outputBytes, bytesRead));
    result.put("headings_kept", compacted.headingsKept());
    result.put("headings_total", compacted.headingsTotal());
    result.put("duplicates_dropped", compacted.duplicatesDropped());
    result.put("code_blocks_shortened", compacted.codeBlocksShortened());
    result.put("lists_shortened", compacted.listsShortened());
    if (fallbackReason != null) {
      result.put("mode", "deterministic_fallback");
      result.put("fallback_reason", fallbackReason);
    }
    return new TaskResult(result, document);
  }

  /** The model-assisted document: one section per input, summarised by the model. */
  private static TaskResult modelAssisted(
      TaskContext ctx,
      String title,
      List<Compactor.Input> read,
      List<String> texts,
      int inputsConsidered,
      long bytesRead,
      int maxOutputBytes)
      throws ModelSections.Absent {
    int share = Math.max(64, maxOutputBytes / read.size());
    List<String> deterministic = new ArrayList<>();
    for (Compactor.Input input : read) {
      String one = Compactor.compact("", List.of(input), share + 64).document();
      String prefix = "# \n\n## " + input.path() + "\n";
      deterministic.add(one.startsWith(prefix) ? one.substring(prefix.length()) : one);
    }
    ModelSections.Outcome outcome =
        ModelSections.summarise(ctx, read, texts, deterministic, maxOutputBytes);
    StringBuilder doc = new StringBuilder("# ").append(title).append("\n\n");
    for (int i = 0; i < read.size(); i++) {
      doc.append("## ").append(read.get(i).path()).append('\n');
      doc.append(outcome.sections().get(i)).append('\n');
    }
    ctx.checkKillSwitch("doc_compactor");
    String document = fit(doc.toString(), maxOutputBytes);
    int outputBytes = document.getBytes(StandardCharsets.UTF_8).length;
    ctx.budget().requireOutput(outputBytes);

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("inputs_considered", inputsConsidered);
    result.put("bytes_read", bytesRead);
    result.put("output_bytes", outputBytes);
    result.put("ratio", ratio(outputBytes, bytesRead));
    result.put("mode", "model");
    result.put("model_calls", outcome.calls());
    result.put("sections_by_model", outcome.byModel());
    result.put("sections_deterministic", outcome.deterministic());
    return new TaskResult(result, document);
  }

  /** {@code output / input}, rounded half-up to 3 decimals; 0 when nothing was read. */
  static double ratio(long output, long input) {
    if (input == 0) {
      return 0.0;
    }
    return BigDecimal.valueOf(output)
        .divide(BigDecimal.valueOf(input), 3, RoundingMode.HALF_UP)
        .doubleValue();
  }

  /** Cuts a document longer than {@code maxBytes} UTF-8 bytes so that it fits with the marker. */
  static String fit(String document, int maxBytes) {
    byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= maxBytes) {
      return document;
    }
    int room = maxBytes - TRUNCATED_MARKER.getBytes(StandardCharsets.UTF_8).length;
    int keep = Utf8.boundary(bytes, Math.max(0, room));
    return new String(bytes, 0, keep, StandardCharsets.UTF_8) + TRUNCATED_MARKER;
  }

  private static void record(TaskContext ctx, String kind, String path, String reason) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("path", path);
    payload.put("reason", reason);
    ctx.evidence().record(kind, payload);
  }
}
