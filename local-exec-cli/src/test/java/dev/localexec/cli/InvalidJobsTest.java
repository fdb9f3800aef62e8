package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 200 generated invalid job documents (seeded): each is refused at enqueue with exit code 3 and a
 * one-line error naming the JSON path of what is wrong, and none reaches the ledger.
 */
class InvalidJobsTest {
  private static final long SEED = 20261124L;
  private static final int COUNT = 200;

  @TempDir static Path root;

  record Case(String name, String text, String expectedPath) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    Random rnd = new Random(SEED);
    List<Function<Random, Case>> kinds =
        List.of(
            InvalidJobsTest::wrongType,
            InvalidJobsTest::outOfRange,
            InvalidJobsTest::extraProperty,
            InvalidJobsTest::missingField,
            InvalidJobsTest::badId,
            InvalidJobsTest::notJson,
            InvalidJobsTest::badTimestamp,
            InvalidJobsTest::unknownType);
    return IntStream.range(0, COUNT)
        .mapToObj(i -> kinds.get(i % kinds.size()).apply(rnd))
        .map(c -> Arguments.of(c));
  }

  @BeforeAll
  static void seed() {
    Fixtures.seedRoot(root);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void invalidDocument_isRefusedWithItsPathAndNothingReachesTheLedger(Case c) throws Exception {
    Path f = Fixtures.write(root, "jobs/invalid.json", c.text());

    Cli.Result r = new Cli(root).run("enqueue", "--job-file", f.toString());

    assertThat(r.code()).as(r.err()).isEqualTo(LocalExecCli.INVALID);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).startsWith("local-exec: invalid job: ").contains(c.expectedPath() + ": ");
    assertThat(Files.exists(Fixtures.ledger(root))).isFalse();
  }

  @AfterAll
  static void nothingReachedTheLedger() {
    assertThat(Files.exists(Fixtures.ledger(root))).isFalse();
  }

  // --- generators -------------------------------------------------------------------------

  static Map<String, Object> valid() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("include_globs", new ArrayList<>(List.of("**/*.md")));
    payload.put("exclude_globs", new ArrayList<>(List.of("**/*.bak.*")));
    payload.put("max_files", 200);
    payload.put("max_file_bytes", 32768);
    payload.put("keywords", new ArrayList<>(List.of("policy")));
    Map<String, Object> budgets = new LinkedHashMap<>();
    budgets.put("max_wall_time_sec", 300);
    budgets.put("max_tool_calls", 10);
    budgets.put("max_output_bytes", 262144);
    budgets.put("max_concurrency_slots", 1);
    Map<String, Object> policy = new LinkedHashMap<>();
    policy.put("allow_network", false);
    policy.put("allow_subprocess", false);
    policy.put("allowed_tools", new ArrayList<>(List.of("model.chat")));
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("job_id", "job-valid0001");
    job.put("job_type", "repo_index_task");
    job.put("created_at_utc", "2026-11-24T04:22:04.926399Z");
    job.put("payload", payload);
    job.put("budgets", budgets);
    job.put("tool_policy", policy);
    job.put("meta", new LinkedHashMap<>(Map.of("source", "test")));
    return job;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Map<String, Object> job, String key) {
    return (Map<String, Object>) job.get(key);
  }

  static <T> T pick(Random rnd, List<T> items) {
    return items.get(rnd.nextInt(items.size()));
  }

  static Case wrongType(Random rnd) {
    Map<String, Object> j = valid();
    String[][] spots = {
      {"", "job_id"},
      {"", "job_type"},
      {"", "created_at_utc"},
      {"", "payload"},
      {"", "budgets"},
      {"", "tool_policy"},
      {"", "meta"},
      {"budgets", "max_wall_time_sec"},
      {"budgets", "max_tool_calls"},
      {"budgets", "max_output_bytes"},
      {"budgets", "max_concurrency_slots"},
      {"tool_policy", "allow_network"},
      {"tool_policy", "allow_subprocess"},
      {"tool_policy", "allowed_tools"},
      {"payload", "include_globs"},
      {"payload", "max_files"},
      {"payload", "max_file_bytes"},
      {"payload", "keywords"},
      {"payload", "exclude_globs"}
    };
    String[] s = spots[rnd.nextInt(spots.length)];
    Map<String, Object> target = s[0].isEmpty() ? j : obj(j, s[0]);
    Object current = target.get(s[1]);
    Object wrong;
    if (current instanceof String) {
      wrong = pick(rnd, List.of(7, true, List.of("x")));
    } else if (current instanceof Integer) {
      wrong = pick(rnd, List.of("12", 1.5, false, List.of(1)));
    } else if (current instanceof Boolean) {
      wrong = pick(rnd, List.of("false", 0, List.of()));
    } else if (current instanceof List) {
      wrong = pick(rnd, List.of("*.md", 3, Map.of()));
    } else {
      wrong = pick(rnd, List.of("x", 1, List.of()));
    }
    target.put(s[1], wrong);
    String path = s[0].isEmpty() ? "$." + s[1] : "$." + s[0] + "." + s[1];
    return new Case("wrong type " + path + "=" + Json.line(wrong), Json.line(j), path);
  }

  static Case outOfRange(Random rnd) {
    Map<String, Object> j = valid();
    Object[][] ranges = {
      {"budgets", "max_wall_time_sec", 1, 7200},
      {"budgets", "max_tool_calls", 0, 500},
      {"budgets", "max_output_bytes", 1024, 104857600},
      {"budgets", "max_concurrency_slots", 1, 8},
      {"payload", "max_files", 1, 50000},
      {"payload", "max_file_bytes", 128, 1048576}
    };
    int choice = rnd.nextInt(ranges.length + 5);
    if (choice < ranges.length) {
      Object[] r = ranges[choice];
      boolean low = rnd.nextBoolean();
      int v = low ? (Integer) r[2] - 1 - rnd.nextInt(3) : (Integer) r[3] + 1 + rnd.nextInt(1000);
      obj(j, (String) r[0]).put((String) r[1], v);
      String path = "$." + r[0] + "." + r[1];
      return new Case("out of range " + path + "=" + v, Json.line(j), path);
    }
    switch (choice - ranges.length) {
      case 0 -> {
        obj(j, "tool_policy").put("allowed_tools", Collections.nCopies(33, "a.b"));
        return new Case("33 allowed tools", Json.line(j), "$.tool_policy.allowed_tools");
      }
      case 1 -> {
        obj(j, "tool_policy")
            .put("allowed_tools", List.of(rnd.nextBoolean() ? "" : "t".repeat(65)));
        return new Case("tool name length", Json.line(j), "$.tool_policy.allowed_tools[0]");
      }
      case 2 -> {
        obj(j, "payload").put("include_globs", List.of());
        return new Case("no include globs", Json.line(j), "$.payload.include_globs");
      }
      case 3 -> {
        obj(j, "payload").put("keywords", List.of("k".repeat(65)));
        return new Case("keyword too long", Json.line(j), "$.payload.keywords[0]");
      }
      default -> {
        Map<String, Object> meta = new LinkedHashMap<>();
        for (int i = 0; i < 17; i++) {
          meta.put("k" + i, i);
        }
        j.put("meta", meta);
        return new Case("meta with 17 properties", Json.line(j), "$.meta");
      }
    }
  }

  static Case extraProperty(Random rnd) {
    Map<String, Object> j = valid();
    String where = pick(rnd, List.of("", "budgets", "tool_policy", "payload"));
    String name = pick(rnd, List.of("extra", "max_memory", "shell", "allow_all"));
    (where.isEmpty() ? j : obj(j, where)).put(name, rnd.nextInt(100));
    String path = where.isEmpty() ? "$" : "$." + where;
    return new Case("extra property " + path + "." + name, Json.line(j), path);
  }

  static Case missingField(Random rnd) {
    Map<String, Object> j = valid();
    String[][] required = {
      {"", "job_id"},
      {"", "job_type"},
      {"", "created_at_utc"},
      {"", "payload"},
      {"", "budgets"},
      {"", "tool_policy"},
      {"budgets", "max_wall_time_sec"},
      {"budgets", "max_tool_calls"},
      {"budgets", "max_output_bytes"},
      {"budgets", "max_concurrency_slots"},
      {"tool_policy", "allow_network"},
      {"tool_policy", "allow_subprocess"},
      {"tool_policy", "allowed_tools"},
      {"payload", "include_globs"},
      {"payload", "max_files"},
      {"payload", "max_file_bytes"}
    };
    String[] r = required[rnd.nextInt(required.length)];
    (r[0].isEmpty() ? j : obj(j, r[0])).remove(r[1]);
    String path = r[0].isEmpty() ? "$" : "$." + r[0];
    if (r[1].equals("job_type") || r[1].equals("payload")) {
      // Without a type or payload the payload schema cannot apply; the root error remains.
      path = "$";
    }
    return new Case("missing " + r[1], Json.line(j), path);
  }

  static Case badId(Random rnd) {
    Map<String, Object> j = valid();
    String id =
        pick(
            rnd,
            List.of(
                "job-BAD",
                "job-ABCDEFGH",
                "job-abc",
                "job-" + "a".repeat(33),
                "task-abcdefgh",
                "job_abcdefgh",
                "job-abcdefgh!",
                "",
                " job-abcdefgh",
                "job-abcdéfgh"));
    j.put("job_id", id);
    return new Case("bad id '" + id + "'", Json.line(j), "$.job_id");
  }

  static Case notJson(Random rnd) {
    String text =
        pick(
            rnd,
            List.of(
                "",
                "{",
                "{\"job_id\": }",
                "[1, 2",
                "not json",
                "{'job_id': 'job-abcdefgh'}",
                Json.line(valid()).substring(0, 40),
                "{\"job_id\": \"job-abcdefgh\",}",
                "\u0000\u0001",
                Json.line(valid()) + " trailing"));
    return new Case("not JSON: " + text.length() + " chars", text, "$");
  }

  static Case badTimestamp(Random rnd) {
    Map<String, Object> j = valid();
    String ts =
        pick(
            rnd,
            List.of(
                "2026-01-01",
                "yesterday",
                "2026-11-24T04:22:16+02:00",
                "2026-11-24 04:22:16Z",
                "2026-13-24T04:22:16Z",
                "2026-11-24T04:22:16"));
    j.put("created_at_utc", ts);
    return new Case("bad created_at_utc '" + ts + "'", Json.line(j), "$.created_at_utc");
  }

  static Case unknownType(Random rnd) {
    Map<String, Object> j = valid();
    String type = pick(rnd, List.of("shell_task", "rm_rf_task", "repo_index", "Repo_Index_Task"));
    j.put("job_type", type);
    return new Case("unknown type " + type, Json.line(j), "$.job_type");
  }
}
