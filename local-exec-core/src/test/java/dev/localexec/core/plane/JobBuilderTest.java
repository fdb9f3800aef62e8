package dev.localexec.core.plane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.ToolPolicy;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Job#builder}: a new id, the time in the ledger's format, safe defaults. */
class JobBuilderTest {

  @Test
  void defaults_areANewIdNowAndAPolicyThatAllowsNothing() {
    Job job =
        Job.builder("repo_index_task")
            .createdAt(Instant.parse("2026-12-04T05:06:07.123456789Z"))
            .build();

    assertThat(job.jobId()).matches("job-[a-z0-9]{24}");
    assertThat(job.jobType()).isEqualTo("repo_index_task");
    assertThat(job.createdAtUtc()).isEqualTo("2026-12-04T05:06:07.123456Z");
    assertThat(job.payload()).isEmpty();
    assertThat(job.budgets()).isEqualTo(Budget.of(300, 0, 1L << 20, 1));
    assertThat(job.toolPolicy()).isEqualTo(ToolPolicy.denyAll());
    assertThat(job.meta()).isNull();
  }

  @Test
  void everyBuild_hasItsOwnId_andGivenFieldsAreKept() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      ids.add(Job.builder("t").build().jobId());
    }
    assertThat(ids).hasSize(1000);

    Job job =
        Job.builder("test_runner_task")
            .id("job-mine0001")
            .payload(Map.of("commands", java.util.List.of(java.util.List.of("true"))))
            .budgets(Budget.of(60, 5, 65_536, 1))
            .toolPolicy(new ToolPolicy(false, true, java.util.List.of()))
            .meta(Map.of("by", "a test"))
            .build();
    assertThat(job.jobId()).isEqualTo("job-mine0001");
    assertThat(job.toolPolicy().allowSubprocess()).isTrue();
    assertThat(job.meta()).isEqualTo(Map.of("by", "a test"));
  }
}
