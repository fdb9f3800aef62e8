package dev.localexec.tasks.doccompact;

import dev.localexec.api.PathRejectedException;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.tasks.payload.Payload;
import dev.localexec.tasks.payload.PayloadSchema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * max_input_bytes} are read. No model is called: a {@code model_request_summary} event says so.
 *
 * <p>The document is {@code "# <title>\n\n"} followed by {@code "## <path>\n<content>\n"} per input
 * read, the content with trailing whitespace stripped from each line, runs of blank lines collapsed
 * to one, and leading and trailing blank lines removed. A document longer than {@code
 * max_output_bytes} is cut at a UTF-8 character boundary and ends with {@value
 * #TRUNCATED_MARKER_TEXT}. It counts whole against the job's output budget.
 *
 * <p>Result: {@code {"inputs_considered", "bytes_read", "output_bytes"}}; the summary is the
 * document. Stateless; one instance may run several jobs at once.
 */
public final class DocCompactorTask implements TaskPlugin {

  /** The job type. */
  public static final String ID = "doc_compactor_task";

  /** The title used when the payload gives none. */
  public static final String DEFAULT_TITLE = "Compacted Docs";

  /** The line that ends a document cut to {@code max_output_bytes}. */
  public static final String TRUNCATED_MARKER_TEXT = "[truncated]";

  private static final String TRUNCATED_MARKER = "\n" + TRUNCATED_MARKER_TEXT + "\n";
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

    StringBuilder doc = new StringBuilder("# ").append(title).append("\n\n");
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
      doc.append("## ").append(input).append('\n').append(compact(text)).append('\n');
    }

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("invoked", false);
    summary.put("reason", "doc_compactor_uses_local_compaction");
    summary.put("input_count", inputs.size());
    summary.put("max_input_bytes", maxInputBytes);
    ctx.evidence().record("model_request_summary", summary);

    String document = fit(doc.toString(), maxOutputBytes);
    int outputBytes = document.getBytes(StandardCharsets.UTF_8).length;
    ctx.budget().requireOutput(outputBytes);

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("inputs_considered", inputs.size());
    result.put("bytes_read", bytesRead);
    result.put("output_bytes", outputBytes);
    return new TaskResult(result, document);
  }

  /**
   * Strips trailing whitespace from every line, collapses runs of blank lines to one, and drops
   * leading and trailing blank lines. The result has no final line end.
   */
  static String compact(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean blankPending = false;
    for (String line : text.split("\n", -1)) {
      String stripped = line.stripTrailing();
      if (stripped.isEmpty()) {
        blankPending = out.length() > 0;
        continue;
      }
      if (out.length() > 0) {
        out.append(blankPending ? "\n\n" : "\n");
      }
      out.append(stripped);
      blankPending = false;
    }
    return out.toString();
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
