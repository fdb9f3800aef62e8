package dev.localexec.core.internal.queue;

import dev.localexec.core.queue.JobState;
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
   * Applies one ledger object.
   *
   * @param ev the object's fields
   * @param lineStart the byte offset where its line starts
   */
  void apply(LedgerEvent ev, long lineStart) {
    events++;
    String kind = ev.kind();
    String ts = String.valueOf(ev.ts);
    if ("torn_line".equals(kind)) {
      if (ev.line instanceof Number n) {
        badLines.remove(Integer.valueOf(n.intValue()));
      }
      return;
    }
    if ("enqueue".equals(kind)) {
      if (!ev.jobIsObject || !(ev.jobJobId instanceof String id)) {
        return;
      }
      Entry e = jobs.get(id);
      if (e == null) {
        e = new Entry(id);
        jobs.put(id, e);
      } else if (!e.rawState.terminal()) {
        active.remove(e.enqueueOrder);
      }
      e.jobType = shared(String.valueOf(ev.jobJobType));
      e.enqueueOrder = events;
      e.enqueueOffset = lineStart;
      e.rawState = JobState.QUEUED;
      e.attempts = 0;
      e.workerId = null;
      e.lease = 0;
      e.error = null;
      e.updatedTs = ts;
      active.put(e.enqueueOrder, e);
      return;
    }
    Entry e = jobs.get(String.valueOf(ev.jobId));
    if (e == null) {
      return;
    }
    e.updatedTs = ts;
    boolean wasActive = !e.rawState.terminal();
    switch (kind) {
      case "claim" -> {
        e.rawState = JobState.RUNNING;
        e.workerId = shared(String.valueOf(ev.workerId));
        e.lease = number(ev.lease);
        e.attempts = ev.attempt instanceof Number n ? n.intValue() : e.attempts + 1;
      }
      case "heartbeat" -> {
        if (e.rawState == JobState.RUNNING) {
          e.lease = number(ev.lease);
        }
      }
      case "complete" -> e.rawState = JobState.COMPLETE;
      case "fail" -> {
        e.rawState = JobState.FAILED;
        e.error = String.valueOf(ev.error);
      }
      default -> {
        // Events this version does not know are kept in the ledger and ignored here.
      }
    }
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

  private static double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
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

    /** The state at {@code nowUnix}: a running job whose lease has expired is queued again. */
    JobState state(double nowUnix) {
      if (rawState == JobState.RUNNING && lease < nowUnix) {
        return JobState.QUEUED;
      }
      return rawState;
    }
  }
}
