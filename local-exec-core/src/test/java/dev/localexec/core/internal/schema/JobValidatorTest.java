package dev.localexec.core.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.json.Json;
import dev.localexec.core.testing.SchemaOnlyPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobValidatorTest {
  private static final String COUNTED_SCHEMA =
      "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"n\"],"
          + "\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5}}}";

  private static final String VALID =
      "{\"job_id\": \"job-abcdefgh\", \"job_type\": \"counted_task\","
          + " \"created_at_utc\": \"2026-01-01T00:00:00.123456Z\", \"payload\": {\"n\": 3},"
          + " \"budgets\": {\"max_wall_time_sec\": 60, \"max_tool_calls\": 0,"
          + " \"max_output_bytes\": 1024, \"max_concurrency_slots\": 2},"
          + " \"tool_policy\": {\"allow_network\": false, \"allow_subprocess\": true,"
          + " \"allowed_tools\": [\"server.tool\"]},"
          + " \"meta\": {\"source\": \"test\"}}";

  private final JobValidator validator =
      new JobValidator(
          TaskRegistry.builder()
              .register(new SchemaOnlyPlugin("counted_task", COUNTED_SCHEMA))
              .register(SchemaOnlyPlugin.permissive("free_task"))
              .build());

  private static List<String> errorsOf(JobValidator validator, String document) {
    try {
      validator.parse(document);
    } catch (JobValidationException e) {
      return e.errors();
    }
    throw new AssertionError("document was accepted: " + document);
  }

  private List<String> errorsOf(String document) {
    return errorsOf(validator, document);
  }

  @Test
  void parse_validDocumentGivesTheJob() {
    Job job = validator.parse(VALID);

    assertThat(job)
        .isEqualTo(
            new Job(
                "job-abcdefgh",
                "counted_task",
                "2026-01-01T00:00:00.123456Z",
                Map.of("n", 3),
                Budget.of(60, 0, 1024, 2),
                new ToolPolicy(false, true, List.of("server.tool")),
                Map.of("source", "test")));
  }

  @Test
  void parse_withoutMetaGivesNullMeta() {
    Job job = validator.parse(VALID.replace(", \"meta\": {\"source\": \"test\"}", ""));

    assertThat(job.meta()).isNull();
    assertThat(Json.line(job.toMap()))
        .isEqualTo(VALID.replace(", \"meta\": {\"source\": \"test\"}", ""));
  }

  @Test
  void validate_acceptsTheTreeOfAJob() {
    Job job = validator.parse(VALID);

    assertThat(validator.validate(job.toMap())).isEqualTo(job);
    assertThat(Json.line(job.toMap())).isEqualTo(VALID);
  }

  @Test
  void parse_reportsEveryErrorAtOnceWithItsPath() {
    String bad =
        VALID
            .replace("\"job_id\": \"job-abcdefgh\"", "\"extra\": 1, \"job_id\": \"job-BAD\"")
            .replace("\"max_tool_calls\": 0", "\"max_tool_calls\": 501");

    assertThatThrownBy(() -> validator.parse(bad))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e -> {
              assertThat(e.code()).isEqualTo("job_invalid");
              assertThat(e.errors())
                  .containsExactly(
                      "$.job_id: does not match the regex pattern ^job-[a-z0-9]{8,32}$",
                      "$.budgets.max_tool_calls: must have a maximum value of 500",
                      "$: property 'extra' is not defined in the schema and the schema does not"
                          + " allow additional properties");
              assertThat(e.getMessage()).startsWith("invalid job: $.job_id: ");
            });
  }

  @Test
  void parse_missingBudgetsIsNamed() {
    String bad =
        VALID.replace(
            " \"budgets\": {\"max_wall_time_sec\": 60, \"max_tool_calls\": 0,"
                + " \"max_output_bytes\": 1024, \"max_concurrency_slots\": 2},",
            "");

    assertThat(errorsOf(bad)).containsExactly("$: required property 'budgets' not found");
  }

  @Test
  void parse_payloadErrorsAreReportedUnderPayload() {
    String bad = VALID.replace("{\"n\": 3}", "{\"n\": 9, \"m\": 1}");

    assertThat(errorsOf(bad))
        .containsExactly(
            "$.payload.n: must have a maximum value of 5",
            "$.payload: property 'm' is not defined in the schema and the schema does not allow"
                + " additional properties");
  }

  @Test
  void parse_missingPayloadPropertyIsReportedAtPayload() {
    assertThat(errorsOf(VALID.replace("{\"n\": 3}", "{}")))
        .containsExactly("$.payload: required property 'n' not found");
  }

  @Test
  void parse_payloadAndJobErrorsTogether() {
    String bad =
        VALID
            .replace("{\"n\": 3}", "{\"n\": 0}")
            .replace("\"max_concurrency_slots\": 2", "\"max_concurrency_slots\": 9");

    assertThat(errorsOf(bad))
        .containsExactly(
            "$.budgets.max_concurrency_slots: must have a maximum value of 8",
            "$.payload.n: must have a minimum value of 1");
  }

  @Test
  void parse_unknownJobTypeListsTheKnownTypes() {
    assertThat(errorsOf(VALID.replace("counted_task", "x")))
        .containsExactly("$.job_type: unknown job type 'x'; known types: counted_task, free_task");
  }

  @Test
  void parse_unknownJobTypeIsReportedEvenWithoutPayload() {
    String bad = VALID.replace("counted_task", "x").replace(" \"payload\": {\"n\": 3},", "");

    assertThat(errorsOf(bad))
        .containsExactly(
            "$: required property 'payload' not found",
            "$.job_type: unknown job type 'x'; known types: counted_task, free_task");
  }

  @Test
  void parse_malformedJobTypeIsAPatternError() {
    assertThat(errorsOf(VALID.replace("counted_task", "Bad Type")))
        .containsExactly("$.job_type: does not match the regex pattern ^[a-z][a-z0-9_]{0,63}$");
  }

  @Test
  void parse_invalidJsonIsOneError() {
    assertThat(errorsOf("{\"job_id\": "))
        .containsExactly(
            "$: invalid JSON at line 1, column 12: Unexpected end-of-input within/between Object"
                + " entries");
  }

  @Test
  void parse_nonObjectDocumentIsATypeError() {
    assertThat(errorsOf("[]")).containsExactly("$: array found, object expected");
  }

  @Test
  void parse_createdAtWithOffsetInsteadOfZIsRefused() {
    assertThat(errorsOf(VALID.replace("00.123456Z", "00.123456+01:00")))
        .containsExactly(
            "$.created_at_utc: does not match the regex pattern"
                + " ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$");
  }

  @Test
  void parse_createdAtWithoutZoneIsRefused() {
    assertThat(errorsOf(VALID.replace("00.123456Z", "00.123456")))
        .containsExactly(
            "$.created_at_utc: does not match the date-time pattern must be a valid RFC 3339"
                + " date-time",
            "$.created_at_utc: does not match the regex pattern"
                + " ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$");
  }

  @Test
  void parse_impossibleDateIsRefused() {
    assertThat(errorsOf(VALID.replace("2026-01-01T", "2026-13-01T")))
        .containsExactly(
            "$.created_at_utc: does not match the date-time pattern must be a valid RFC 3339"
                + " date-time");
  }

  @Test
  void parse_toolPolicyItemsAreCheckedOneByOne() {
    String bad = VALID.replace("[\"server.tool\"]", "[\"\", 3]");

    assertThat(errorsOf(bad))
        .containsExactly(
            "$.tool_policy.allowed_tools[0]: must be at least 1 characters long",
            "$.tool_policy.allowed_tools[1]: integer found, string expected");
  }

  @Test
  void parse_fixtureBadJobIsRefused() {
    String bad =
        "{\"job_id\":\"job-BAD\",\"job_type\":\"free_task\",\"created_at_utc\":"
            + "\"2026-01-01T00:00:00Z\",\"payload\":{},\"budgets\":{\"max_wall_time_sec\":1,"
            + "\"max_tool_calls\":0,\"max_output_bytes\":1024,\"max_concurrency_slots\":1},"
            + "\"tool_policy\":{\"allow_network\":false,\"allow_subprocess\":false,"
            + "\"allowed_tools\":[]}}";

    assertThat(errorsOf(bad)).singleElement().asString().startsWith("$.job_id: ");
  }

  @Test
  void constructor_refusesAPluginSchemaThatIsNotJson() {
    TaskRegistry registry =
        TaskRegistry.builder().register(new SchemaOnlyPlugin("broken_task", "{\"type\":")).build();

    assertThatThrownBy(() -> new JobValidator(registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("payload schema of task plug-in 'broken_task' is not JSON: ");
  }

  @Test
  void export_writesTheJobSchemaAndOneSchemaPerPlugin(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("schemas");

    validator.export(target);

    try (Stream<Path> files = Files.list(target)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "job.schema.json", "counted_task.schema.json", "free_task.schema.json");
    }
    assertThat(Files.readString(target.resolve("job.schema.json"))).isEqualTo(jobSchemaResource());
    assertThat(Files.readString(target.resolve("counted_task.schema.json")))
        .isEqualTo(COUNTED_SCHEMA);
    assertThat(Files.readString(target.resolve("free_task.schema.json")))
        .isEqualTo("{\"type\":\"object\"}");
  }

  @Test
  void export_replacesAChangedFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("counted_task.schema.json"), "old");

    validator.export(dir);
    validator.export(dir);

    assertThat(Files.readString(dir.resolve("counted_task.schema.json"))).isEqualTo(COUNTED_SCHEMA);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void schemaFiles_listsTheJobSchemaFirst() {
    assertThat(validator.schemaFiles().keySet())
        .containsExactly("job.schema.json", "counted_task.schema.json", "free_task.schema.json");
  }

  private static String jobSchemaResource() throws IOException {
    try (InputStream in =
        JobValidator.class.getResourceAsStream("/dev/localexec/core/schemas/job.schema.json")) {
      assertThat(in).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void parse_duplicateKeysAtAnyDepthAreEachRefusedWithTheirPath() {
    String doc =
        VALID
            .replace("\"payload\": {\"n\": 3}", "\"payload\": {\"n\": 3, \"n\": 4}")
            .replace("\"meta\": {\"source\": \"test\"}", "\"meta\": {\"a b\": 1, \"a b\": 2}")
            .replace(
                "\"job_id\": \"job-abcdefgh\",",
                "\"job_id\": \"job-abcdefgh\", \"job_id\": \"job-zzzzzzzz\",");

    assertThat(errorsOf(doc))
        .containsExactly(
            "$.job_id: duplicate key; a key may appear once in an object (a reader sees the first,"
                + " a parser keeps the last)",
            "$.payload.n: duplicate key; a key may appear once in an object (a reader sees the"
                + " first, a parser keeps the last)",
            "$.meta['a b']: duplicate key; a key may appear once in an object (a reader sees the"
                + " first, a parser keeps the last)");
  }

  @Test
  void parse_hugeNumbersAreErrorsWithTheirPathNeverACrash() {
    assertThat(errorsOf(VALID.replace("\"n\": 3", "\"n\": 1e308")))
        .containsExactly(
            "$.payload.n: the number 1e308 is beyond the range of the integers a job may hold"
                + " (-9223372036854775808..9223372036854775807)");
    assertThat(errorsOf(VALID.replace("\"max_tool_calls\": 0", "\"max_tool_calls\": -1E300")))
        .containsExactly(
            "$.budgets.max_tool_calls: the number -1E300 is beyond the range of the integers a job"
                + " may hold (-9223372036854775808..9223372036854775807)");
    assertThat(
            errorsOf(
                VALID.replace(
                    "\"max_tool_calls\": 0", "\"max_tool_calls\": 123456789012345678901234567890")))
        .containsExactly("$.budgets.max_tool_calls: must have a maximum value of 500");
  }

  @Test
  void parse_integralFloatsWithinRangeAreIntegersAsInTheOriginal() {
    Job job =
        validator.parse(VALID.replace("\"max_wall_time_sec\": 60", "\"max_wall_time_sec\": 100.0"));

    assertThat(job.budgets().maxWallTimeSec()).isEqualTo(100);
  }

  @Test
  void parse_aDocumentOverTheLimitIsRefusedBeforeParsing() {
    JobValidator small =
        new JobValidator(
            TaskRegistry.builder()
                .register(new SchemaOnlyPlugin("counted_task", COUNTED_SCHEMA))
                .build(),
            1024);
    String doc = VALID.replace("\"source\": \"test\"", "\"source\": \"" + "x".repeat(1000) + "\"");

    assertThat(errorsOf(small, doc))
        .containsExactly(
            "$: the document is "
                + doc.length()
                + " bytes, more than the limit of 1024 bytes; keep large data in files of the repo"
                + " and name them in the payload");
    assertThat(errorsOf(small, "{\"x\": \"" + "\u00e9".repeat(600) + "\"}"))
        .singleElement()
        .asString()
        .startsWith("$: the document is 1209 bytes");
  }

  @Test
  void validate_aMetaOverSixteenKibIsRefusedAlsoForTrees() {
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = (Map<String, Object>) Json.parse(VALID);
    tree.put("meta", Map.of("note", "m".repeat(16_400)));

    assertThatThrownBy(() -> validator.validate(tree))
        .isInstanceOf(JobValidationException.class)
        .extracting(e -> ((JobValidationException) e).errors())
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .containsExactly(
            "$.meta: 16411 bytes of JSON, more than the limit of 16384 bytes; meta is for short"
                + " labels");
  }

  @Test
  void parse_resourceBudgetsRoundTrip_andOutOfRangeOnesAreRefused() {
    String doc =
        VALID.replace(
            "\"max_concurrency_slots\": 2",
            "\"max_concurrency_slots\": 2, \"max_memory_bytes\": 268435456, \"max_processes\": 64,"
                + " \"max_cpu_sec\": 2, \"max_file_bytes\": 67108864");

    Job job = validator.parse(doc);

    assertThat(job.budgets().resources())
        .isEqualTo(new dev.localexec.api.ResourceLimits(268435456L, 64, 2, 67108864L));
    assertThat(job.budgets().toMap())
        .containsEntry("max_memory_bytes", 268435456L)
        .containsEntry("max_file_bytes", 67108864L);
    assertThat(errorsOf(doc.replace("\"max_processes\": 64", "\"max_processes\": 0")))
        .containsExactly("$.budgets.max_processes: must have a minimum value of 1");
  }
}
