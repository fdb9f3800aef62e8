package dev.localexec.core.internal.queue;

import dev.localexec.core.queue.JobRecord;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStateMachine;
import dev.localexec.core.queue.LedgerEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state the ledger replays to, up to a byte offset: each job's state (without its document,
 * which stays in the ledger at {@link Entry#enqueueOffset}), the jobs not yet finished in enqueue
 * order, the unreadable lines, and where the replay stands in the file. Not thread-safe: the queue
 * uses it under its lock.
 */
final class Replay {
  /** At most this many distinct job types and worker ids are shared instead of copied. */
  private static final int MAX_SHARED_NAMES = 4096;

  /** Every job, in the order of its first enqueue. */
  final Map<String, Entry> jobs;

  /** The jobs queued or running (lease expired or not), by enqueue order: what claim looks at. */
  final TreeMap<Long, Entry> active = new TreeMap<>();

  /** The 1-based numbers of unreadable lines, in file order. */
  final List<Integer> badLines = new ArrayList<>();

  private final Map<String, String> names = new HashMap<>();

  /** How many JSON objects were applied: the next enqueue's order is one more. */
  long events;

  /** The byte offset just after the last complete line applied. */
  long offset;

  /** How many lines (complete, counted by their line break) lie before {@link #offset}. */
  int lineNo;

  /** Where the line that ends at {@link #offset} starts, or -1 when the offset is 0. */
  long lastLineStart = -1;

  /** The hex SHA-256 of that line's bytes (its line break included), or {@code null}. */
  String lastLineSha256;

  /** The ledger's file key when this replay began, as text, or {@code null}. */
  String fileKey;

  /** Lines and bytes applied since the snapshot this replay started from or last wrote. */
  long linesSinceSnapshot;

  long bytesSinceSnapshot;

  /** An empty replay. */
  Replay() {
    this(16);
  }

  /** An empty replay with room for {@code expectedJobs} jobs. */
  Replay(int expectedJobs) {
    jobs = new LinkedHashMap<>(Math.max(16, (int) Math.min(1 << 30, expectedJobs * 4L / 3 + 1)));
  }

  /** A deep copy (the view of a ledger ending in an unterminated line). */
  Replay copy() {
    Replay c = new Replay(jobs.size());
    jobs.forEach((k, v) -> c.add(v.copy()));
    c.badLines.addAll(badLines);
    c.events = events;
    c.offset = offset;
    c.lineNo = lineNo;
    c.lastLineStart = lastLineStart;
    c.lastLineSha256 = lastLineSha256;
    c.fileKey = fileKey;
    return c;
  }

  /** Adds a job read from a snapshot (or copied), indexing it if it is not finished. */
  void add(Entry e) {
    e.jobType = shared(e.jobType);
    e.workerId = shared(e.workerId);
    jobs.put(e.jobId, e);
    if (!e.rawState.terminal()) {
      active.put(e.enqueueOrder, e);
    }
  }

  /**
   * Applies one ledger event through the {@link JobStateMachine}, and keeps the index of the jobs
   * not yet finished and the unreadable lines a {@code torn_line} names.
   *
   * @param ev the event
   * @param lineStart the byte offset where its line starts
   */
  void apply(LedgerEvent ev, long lineStart) {
    events++;
    if (ev instanceof LedgerEvent.TornLine torn) {
      if (torn.line() != null) {
        badLines.remove(torn.line());
      }
      return;
    }
    String id = ev.jobId();
    if (id == null) {
      return;
    }
    Entry e = jobs.get(id);
    JobRecord after = JobStateMachine.apply(e == null ? null : e.record(), ev);
    if (after == null) {
      return;
    }
    boolean wasActive = e != null && !e.rawState.terminal();
    if (e == null) {
      e = new Entry(id);
      jobs.put(id, e);
    }
    if (ev instanceof LedgerEvent.Enqueued) {
      if (wasActive) {
        active.remove(e.enqueueOrder);
        wasActive = false;
      }
      e.enqueueOrder = events;
      e.enqueueOffset = lineStart;
    }
    e.jobType = shared(after.jobType());
    e.rawState = after.state();
    e.attempts = after.attempts();
    e.workerId = shared(after.workerId());
    e.lease = after.leaseExpiresUnix();
    e.updatedTs = after.updatedTs();
    e.error = after.error();
    boolean isActive = !e.rawState.terminal();
    if (wasActive && !isActive) {
      active.remove(e.enqueueOrder);
    } else if (!wasActive && isActive) {
      active.put(e.enqueueOrder, e);
    }
  }

  /** One shared instance per distinct short name (job types, worker ids), up to a bound. */
  private String shared(String s) {
    if (s == null) {
      return null;
    }
    String known = names.get(s);
    if (known != null) {
      return known;
    }
    if (names.size() < MAX_SHARED_NAMES) {
      names.put(s, s);
    }
    return s;
  }

  /** One job's replayed state. */
  static final class Entry {
    final String jobId;
    String jobType;

    /** The order of its latest enqueue among all ledger objects (1-based). */
    long enqueueOrder;

    /** The byte offset of its latest {@code enqueue} line, where its document is. */
    long enqueueOffset;

    JobState rawState = JobState.QUEUED;
    int attempts;
    String workerId;
    double lease;
    String updatedTs;
    String error;

    Entry(String jobId) {
      this.jobId = jobId;
    }

    Entry copy() {
      Entry c = new Entry(jobId);
      c.jobType = jobType;
      c.enqueueOrder = enqueueOrder;
      c.enqueueOffset = enqueueOffset;
      c.rawState = rawState;
      c.attempts = attempts;
      c.workerId = workerId;
      c.lease = lease;
      c.updatedTs = updatedTs;
      c.error = error;
      return c;
    }

    /**
     * The job's record for the state machine; the file ledger keeps neither fencing tokens (it
     * fences by worker id and attempt) nor hosts (it serves one).
     */
    JobRecord record() {
      return new JobRecord(
          jobId, jobType, rawState, attempts, workerId, lease, 0, updatedTs, error, null);
    }

    /** The state at {@code nowUnix}: a running job whose lease has expired is queued again. */
    JobState state(double nowUnix) {
      if (rawState == JobState.RUNNING && lease < nowUnix) {
        return JobState.QUEUED;
      }
      return rawState;
    }
  }
}
