package dev.localexec.core.plane;

import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many jobs are in each state.
 *
 * @param queued jobs waiting for a worker
 * @param running jobs claimed by a worker whose lease has not expired
 * @param complete jobs finished with a result
 * @param failed jobs finished with an error
 */
public record JobCounts(int queued, int running, int complete, int failed) {

  /**
   * Checks the counts.
   *
   * @throws IllegalArgumentException if a count is negative
   */
  public JobCounts {
    if (queued < 0 || running < 0 || complete < 0 || failed < 0) {
      throw new IllegalArgumentException("job counts must be zero or more");
    }
  }

  /** Counts the states of {@code jobs}. */
  public static JobCounts of(Iterable<JobStatus> jobs) {
    int[] n = new int[JobState.values().length];
    for (JobStatus s : jobs) {
      n[s.state().ordinal()]++;
    }
    return new JobCounts(
        n[JobState.QUEUED.ordinal()],
        n[JobState.RUNNING.ordinal()],
        n[JobState.COMPLETE.ordinal()],
        n[JobState.FAILED.ordinal()]);
  }

  /** The jobs in {@code state}. */
  public int count(JobState state) {
    return switch (state) {
      case QUEUED -> queued;
      case RUNNING -> running;
      case COMPLETE -> complete;
      case FAILED -> failed;
    };
  }

  /** All the jobs counted. */
  public int total() {
    return queued + running + complete + failed;
  }

  /** Every state's JSON name, in {@link JobState} order, with its count. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (JobState s : JobState.values()) {
      m.put(s.jsonName(), count(s));
    }
    return m;
  }
}
