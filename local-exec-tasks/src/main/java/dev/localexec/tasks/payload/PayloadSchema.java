package dev.localexec.tasks.payload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Loads the payload JSON Schemas shipped as {@code dev/localexec/tasks/schemas/<id>.schema.json}.
 */
public final class PayloadSchema {
  private static final String FOLDER = "/dev/localexec/tasks/schemas/";

  private PayloadSchema() {}

  /**
   * Reads the schema of one task type from the class path, as UTF-8 text. Call it once (e.g. into a
   * static field); it reads the resource every time.
   *
   * @param taskId the task's id, e.g. {@code repo_index_task}
   * @return the schema's JSON text
   * @throws IllegalStateException if the resource is missing or unreadable (a packaging error)
   */
  public static String load(String taskId) {
    String resource = FOLDER + taskId + ".schema.json";
    try (InputStream in = PayloadSchema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "payload schema " + resource + " is not on the class path; the jar is incomplete");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read payload schema " + resource, e);
    }
  }
}
