package dev.localexec.core.internal.schema;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.ResourceLimits;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.core.internal.json.JsonTrees;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.json.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Validates job documents against the job schema and their type's payload schema. Schemas are
 * compiled once; instances are thread-safe.
 */
public final class JobValidator {
  /** The name recorded as {@code validator_mode} in the ledger and run headers. */
  public static final String MODE = "jsonschema";

  /** The job schema's file name. */
  public static final String JOB_SCHEMA_FILE = "job.schema.json";

  private final TaskRegistry registry;
  private final String jobSchemaText;
  private final Schema jobSchema;
  private final Map<String, Schema> payloadSchemas = new LinkedHashMap<>();
  private final long maxDocumentBytes;

  /** The default limit of a job document's text: 1 MiB (1048576 bytes) of UTF-8. */
  public static final long DEFAULT_MAX_DOCUMENT_BYTES = JobDocuments.DEFAULT_MAX_DOCUMENT_BYTES;

  /** The limit of a job's {@code meta}: 16 KiB (16384 bytes) of canonical JSON. */
  public static final int MAX_META_BYTES = JobDocuments.MAX_META_BYTES;

  /**
   * Compiles the job schema and every registered plug-in's payload schema.
   *
   * @throws IllegalArgumentException if a plug-in's schema is not valid JSON
   */
  public JobValidator(TaskRegistry registry) {
    this(registry, DEFAULT_MAX_DOCUMENT_BYTES);
  }

  /**
   * Compiles the schemas, as {@link #JobValidator(TaskRegistry)} does, with another limit for a job
   * document's text.
   *
   * @param maxDocumentBytes the largest document {@link #parse} accepts, in UTF-8 bytes, at least
   *     1024
   * @throws IllegalArgumentException if a plug-in's schema is not valid JSON, or the limit is below
   *     1024
   */
  public JobValidator(TaskRegistry registry, long maxDocumentBytes) {
    if (maxDocumentBytes < 1024) {
      throw new IllegalArgumentException(
          "the job document limit must be at least 1024 bytes, got " + maxDocumentBytes);
    }
    this.maxDocumentBytes = maxDocumentBytes;
    this.registry = registry;
    SchemaRegistryConfig cfg =
        SchemaRegistryConfig.builder()
            .formatAssertionsEnabled(true)
            .pathType(PathType.JSON_PATH)
            .build();
    SchemaRegistry schemas =
        SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12, b -> b.schemaRegistryConfig(cfg));
    this.jobSchemaText = resource(JOB_SCHEMA_FILE);
    this.jobSchema = schemas.getSchema(jobSchemaText, InputFormat.JSON);
    for (TaskPlugin p : registry.plugins()) {
      String text = p.payloadSchema();
      try {
        JsonTrees.parseTree(text);
      } catch (JsonParseException e) {
        throw new IllegalArgumentException(
            "payload schema of task plug-in '" + p.id() + "' is not JSON: " + e.getMessage(), e);
      }
      payloadSchemas.put(p.id(), schemas.getSchema(text, InputFormat.JSON));
    }
  }

  /**
   * Parses and validates a job document. Besides the schemas, the text itself must be at most the
   * document limit (1 MiB by default), hold no object with a key twice (at any depth), and no
   * number beyond the range of a 64-bit integer.
   *
   * @throws JobValidationException with every error, each starting with its JSON path
   */
  public Job parse(String jsonText) {
    List<String> textErrors = JobDocuments.errors(jsonText, maxDocumentBytes);
    if (!textErrors.isEmpty()) {
      throw new JobValidationException(textErrors);
    }
    JsonNode node;
    try {
      node = JsonTrees.parseTree(jsonText);
    } catch (JsonParseException e) {
      throw new JobValidationException(List.of("$: " + e.getMessage()));
    }
    return validate(node);
  }

  /**
   * Validates a job already parsed into a plain tree (e.g. from the ledger).
   *
   * @throws JobValidationException with every error
   */
  public Job validate(Object tree) {
    return validate(JsonTrees.toTree(tree));
  }

  /**
   * Validates a job tree.
   *
   * @throws JobValidationException with every error
   */
  Job validate(JsonNode node) {
    List<String> errors = errors(node);
    if (!errors.isEmpty()) {
      throw new JobValidationException(errors);
    }
    return toJob(node);
  }

  /** Every error of a job tree, each as {@code <json path>: <rule>}; empty when valid. */
  List<String> errors(JsonNode node) {
    List<String> errors = new ArrayList<>();
    try {
      for (com.networknt.schema.Error e : jobSchema.validate(node)) {
        errors.add(format("", e));
      }
    } catch (RuntimeException e) {
      errors.add("$: the document cannot be validated: " + e.getMessage());
      return errors;
    }
    if (node.isObject() && node.get("meta") != null && node.get("meta").isObject()) {
      String meta = JobDocuments.metaError(JsonTrees.toJava(node.get("meta")));
      if (meta != null) {
        errors.add(meta);
      }
    }
    if (node.isObject()) {
      JsonNode type = node.get("job_type");
      JsonNode payload = node.get("payload");
      if (type != null && type.isString()) {
        Schema s = payloadSchemas.get(type.stringValue());
        if (s == null) {
          if (type.stringValue().matches("^[a-z][a-z0-9_]{0,63}$")) {
            errors.add(
                "$.job_type: unknown job type '"
                    + type.stringValue()
                    + "'; known types: "
                    + String.join(", ", registry.ids()));
          }
        } else if (payload != null && payload.isObject()) {
          try {
            for (com.networknt.schema.Error e : s.validate(payload)) {
              errors.add(format("payload", e));
            }
          } catch (RuntimeException e) {
            errors.add("$.payload: the payload cannot be validated: " + e.getMessage());
          }
        }
      }
    }
    return errors;
  }

  /** The schema files to export: file name to JSON text, the job schema first. */
  public Map<String, String> schemaFiles() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(JOB_SCHEMA_FILE, jobSchemaText);
    for (TaskPlugin p : registry.plugins()) {
      files.put(p.id() + ".schema.json", p.payloadSchema());
    }
    return files;
  }

  /**
   * Writes {@link #schemaFiles()} into {@code dir} (created if needed), replacing changed files.
   *
   * @throws UncheckedIOException if the folder cannot be written
   */
  public void export(Path dir) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, String> f : schemaFiles().entrySet()) {
        Path target = dir.resolve(f.getKey());
        byte[] bytes = f.getValue().getBytes(StandardCharsets.UTF_8);
        if (Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)
            && java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
          continue;
        }
        dev.localexec.core.internal.paths.PlaneFiles.writeAtomically(target, bytes, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export schemas to " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String format(String prefix, com.networknt.schema.Error e) {
    String loc = String.valueOf(e.getInstanceLocation());
    if (!prefix.isEmpty()) {
      loc = "$." + prefix + (loc.length() > 1 ? loc.substring(1) : "");
    }
    if (loc.isEmpty()) {
      loc = "$";
    }
    return loc + ": " + e.getMessage();
  }

  @SuppressWarnings("unchecked")
  private static Job toJob(JsonNode node) {
    Map<String, Object> m = (Map<String, Object>) JsonTrees.toJava(node);
    Map<String, Object> b = (Map<String, Object>) m.get("budgets");
    Map<String, Object> p = (Map<String, Object>) m.get("tool_policy");
    Budget budget =
        new Budget(
            ((Number) b.get("max_wall_time_sec")).intValue(),
            ((Number) b.get("max_tool_calls")).intValue(),
            ((Number) b.get("max_output_bytes")).longValue(),
            ((Number) b.get("max_concurrency_slots")).intValue(),
            new ResourceLimits(
                longOrZero(b.get("max_memory_bytes")),
                (int) longOrZero(b.get("max_processes")),
                (int) longOrZero(b.get("max_cpu_sec")),
                longOrZero(b.get("max_file_bytes"))));
    List<String> tools = new ArrayList<>();
    for (Object t : (List<Object>) p.get("allowed_tools")) {
      tools.add((String) t);
    }
    ToolPolicy policy =
        new ToolPolicy(
            (Boolean) p.get("allow_network"), (Boolean) p.get("allow_subprocess"), tools);
    return new Job(
        (String) m.get("job_id"),
        (String) m.get("job_type"),
        (String) m.get("created_at_utc"),
        (Map<String, Object>) m.get("payload"),
        budget,
        policy,
        (Map<String, Object>) m.get("meta"));
  }

  private static long longOrZero(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }

  private static String resource(String name) {
    try (InputStream in =
        JobValidator.class.getResourceAsStream("/dev/localexec/core/schemas/" + name)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing from the jar: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
