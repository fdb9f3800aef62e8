package dev.localexec.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.localexec.api.Job;
import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.json.Json;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.queue.JobRecord;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStateMachine;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.queue.LedgerEvent;
import dev.localexec.core.queue.LedgerLine;
import dev.localexec.core.queue.QueueContext;
import dev.localexec.core.queue.SharedKillSwitch;
import dev.localexec.core.queue.Timestamps;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job queue on PostgreSQL, for workers on several hosts draining one queue.
 *
 * <p>Two tables in the configured schema, written in one transaction per change: {@code events},
 * append-only, holds the ledger: each row is one line of {@code jobs.jsonl} exactly as the file
 * ledger would write it (the same JSON, its {@code seq} and {@code hash} chain keys included), in
 * ledger order; {@code jobs} holds each job's current state, lease, attempt and fencing token: the
 * {@link dev.localexec.core.queue.JobStateMachine} replay of its events, kept with each append.
 * Every append locks the one-row {@code ledger_head} (the last line number and the chain's head),
 * so the ledger has one order and one unbroken chain, whichever host writes.
 *
 * <p>Claims take the oldest claimable job ({@code queued}, or {@code running} with an expired
 * lease) of the claimer's job types by enqueue order with {@code SELECT ... FOR UPDATE SKIP
 * LOCKED}, so claimers never wait for each other's job. Each claim takes a new fencing token from a
 * sequence; heartbeats and the final event of a claim are accepted only while the job is still
 * running under that token, else they are refused with {@link
 * dev.localexec.core.queue.StaleClaimException}. Leases are judged by the clock of the host that
 * asks (keep hosts' clocks in sync, e.g. with NTP; a lease is much longer than any skew).
 *
 * <p>Besides the ledger's keys, this queue's {@code claim}, {@code heartbeat}, {@code complete} and
 * {@code fail} events carry {@code fence}, and the final events carry {@code host}, the host whose
 * files hold the job's evidence (with {@code evidence_head}, as in the file ledger).
 *
 * <p>Thread-safe. Every method blocks for one or a few database round trips; a database that cannot
 * be reached gives {@link LocalExecException} {@code queue_unavailable} (retryable).
 */
public final class PostgresJobQueue implements JobQueue {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresJobQueue.class);

  /** How often the shared kill switch row is read again. */
  static final Duration KILL_SWITCH_CACHE = Duration.ofMillis(500);

  private final PostgresQueueConfig config;
  private final QueueContext context;
  private final Clock clock;
  private final HikariDataSource ds;
  private final String s;
  private final SharedSwitch killSwitch = new SharedSwitch();

  private PostgresJobQueue(PostgresQueueConfig config, QueueContext context, HikariDataSource ds) {
    this.config = config;
    this.context = context;
    this.clock = context.clock();
    this.ds = ds;
    this.s = config.schema();
  }

  /**
   * Opens the queue: connects and brings the schema up to date (creating it on first use).
   *
   * @param config where the database is
   * @param context the plane's clock, validation and redaction
   * @throws LocalExecException {@code queue_unavailable} if the database cannot be reached or
   *     migrated
   */
  public static PostgresJobQueue open(PostgresQueueConfig config, QueueContext context) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(config.url());
    if (config.user() != null) {
      hc.setUsername(config.user());
    }
    if (config.password() != null) {
      hc.setPassword(config.password());
    }
    hc.setMaximumPoolSize(config.poolSize());
    hc.setMinimumIdle(0);
    hc.setAutoCommit(false);
    hc.setPoolName("local-exec-pg");
    hc.setConnectionTimeout(5_000);
    hc.addDataSourceProperty("ApplicationName", "local-exec");
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw unavailable(config, "connect to", e);
    }
    PostgresJobQueue q = new PostgresJobQueue(config, context, ds);
    try (Connection c = ds.getConnection()) {
      Migrations.migrate(c, config.schema());
    } catch (SQLException | RuntimeException e) {
      ds.close();
      throw unavailable(config, "migrate", e);
    }
    LOG.debug("PostgreSQL queue open: {}", config);
    return q;
  }

  /** A factory for {@code LocalExecPlane.Builder.queue}: this queue with the plane's parts. */
  public static JobQueue.Factory factory(PostgresQueueConfig config) {
    return context -> open(config, context);
  }

  /** The configuration (its {@code toString} leaves out the password). */
  public PostgresQueueConfig config() {
    return config;
  }

  @Override
  public String hostName() {
    return config.host();
  }

  @Override
  public String location() {
    return config.displayUrl() + " (schema " + s + ")";
  }

  @Override
  public String enqueue(Job job) {
    context.validate(job.toMap());
    context.refuseSecretsIn(job.toMap());
    return tx(
        "enqueue",
        c -> {
          LedgerEvent.Enqueued ev = enqueueEvent(job.toMap(), false);
          Map<String, Object> doc = jobOf(ev);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO "
                      + s
                      + ".jobs (job_id, job_type, document, state, first_order, enqueue_order,"
                      + " updated_ts) VALUES (?, ?, ?, 'queued', 0, 0, ?)"
                      + " ON CONFLICT (job_id) DO NOTHING")) {
            ps.setString(1, job.jobId());
            ps.setString(2, job.jobType());
            ps.setString(3, Json.line(doc));
            ps.setString(4, ev.ts());
            if (ps.executeUpdate() == 0) {
              Row existing = row(c, job.jobId(), false);
              throw new LocalExecException(
                  "duplicate_job_id",
                  "job_id '"
                      + job.jobId()
                      + "' is already in the queue (state "
                      + (existing == null
                          ? "unknown"
                          : existing.record().stateAt(nowUnix()).jsonName())
                      + "); choose a new id, or run `requeue "
                      + job.jobId()
                      + "` to run it again",
                  false);
            }
          }
          Appended line = append(c, ev);
          store(c, JobStateMachine.apply(null, line.event()));
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + s
                      + ".jobs SET first_order = ?, enqueue_order = ? WHERE job_id = ?")) {
            ps.setLong(1, line.lineNo());
            ps.setLong(2, line.lineNo());
            ps.setString(3, job.jobId());
            ps.executeUpdate();
          }
          return ev.ts();
        });
  }

  @Override
  public String requeue(String jobId) {
    return tx(
        "requeue",
        c -> {
          Row r = row(c, jobId, true);
          if (r == null) {
            throw new LocalExecException(
                "unknown_job", "job_id '" + jobId + "' is not in the queue " + location(), false);
          }
          JobState st = r.record().stateAt(nowUnix());
          if (!st.terminal()) {
            throw new LocalExecException(
                "job_active",
                "job '"
                    + jobId
                    + "' is "
                    + st.jsonName()
                    + "; only a finished job can be re-queued",
                false);
          }
          LedgerEvent.Enqueued ev = enqueueEvent(parseDocument(r.document), true);
          Appended line = append(c, ev);
          store(c, JobStateMachine.apply(r.record(), line.event()));
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE " + s + ".jobs SET enqueue_order = ?, document = ? WHERE job_id = ?")) {
            ps.setLong(1, line.lineNo());
            ps.setString(2, Json.line(jobOf(ev)));
            ps.setString(3, jobId);
            ps.executeUpdate();
          }
          return ev.ts();
        });
  }

  /** What one claim transaction did. */
  private record ClaimStep(Claim claim, boolean skipped) {}

  @Override
  public Optional<Claim> claim(
      String workerId,
      Duration lease,
      int maxAttempts,
      Set<String> jobTypes,
      ClaimFailures failures) {
    while (true) {
      ClaimStep step =
          tx("claim", c -> claimOne(c, workerId, lease, maxAttempts, jobTypes, failures));
      if (!step.skipped()) {
        return Optional.ofNullable(step.claim());
      }
    }
  }

  private ClaimStep claimOne(
      Connection c,
      String workerId,
      Duration lease,
      int maxAttempts,
      Set<String> jobTypes,
      ClaimFailures failures)
      throws SQLException {
    Instant at = clock.instant();
    Row row;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + Row.COLUMNS
                + " FROM "
                + s
                + ".jobs WHERE state IN ('queued', 'running')"
                + " AND (state = 'queued' OR lease_expires_unix < ?)"
                + (jobTypes == null ? "" : " AND job_type = ANY(?)")
                + " ORDER BY enqueue_order LIMIT 1 FOR UPDATE SKIP LOCKED")) {
      ps.setDouble(1, Timestamps.unix(at));
      if (jobTypes != null) {
        ps.setArray(2, c.createArrayOf("text", jobTypes.toArray()));
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new ClaimStep(null, false);
        }
        row = Row.of(rs);
      }
    }
    JobRecord job = row.record();
    String jobId = job.jobId();
    if (JobStateMachine.attemptsExhausted(job, maxAttempts)) {
      String error = JobQueue.attemptsExhausted(jobId, job.attempts());
      failAtClaim(c, job, workerId, error, job.attempts(), failures);
      LOG.warn("job {}: {}", jobId, error);
      return new ClaimStep(null, true);
    }
    Job valid;
    try {
      valid = context.validate(parseDocument(row.document));
    } catch (IllegalArgumentException | LocalExecException ex) {
      failAtClaim(c, job, workerId, "job_invalid: " + ex.getMessage(), null, failures);
      LOG.warn("job {} failed validation at claim: {}", jobId, ex.getMessage());
      return new ClaimStep(null, true);
    }
    long fence;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT nextval('" + s + ".fence_seq')")) {
      rs.next();
      fence = rs.getLong(1);
    }
    int attempt = job.attempts() + 1;
    double leaseEnd = Timestamps.leaseEnd(at, lease);
    String ts = Timestamps.utc(at);
    Appended line =
        append(c, new LedgerEvent.Claimed(ts, jobId, workerId, leaseEnd, attempt, fence));
    store(c, JobStateMachine.apply(job, line.event()));
    return new ClaimStep(new Claim(valid, workerId, attempt, leaseEnd, ts, fence), false);
  }

  /**
   * Appends the {@code fail} of a job the claim does not hand out, after {@code failures} wrote its
   * evidence (on this host, which the event then names).
   */
  private void failAtClaim(
      Connection c,
      JobRecord job,
      String workerId,
      String error,
      Integer attempt,
      ClaimFailures failures)
      throws SQLException {
    ChainHead head = null;
    try {
      head =
          failures
              .failed(new ClaimFailure(job.jobId(), job.jobType(), workerId, job.attempts(), error))
              .orElse(null);
    } catch (RuntimeException ex) {
      LOG.warn(
          "cannot record the evidence of job {} failed at claim: {}", job.jobId(), ex.toString());
    }
    Appended line =
        append(
            c,
            new LedgerEvent.Failed(
                Timestamps.utc(clock.instant()),
                job.jobId(),
                workerId,
                error,
                attempt,
                null,
                head,
                head == null ? null : config.host()));
    store(c, JobStateMachine.apply(job, line.event()));
  }

  @Override
  public double heartbeat(Claim claim, Duration lease) {
    return tx(
        "heartbeat",
        c -> {
          JobRecord job = requireOwner(c, claim);
          Instant at = clock.instant();
          double leaseEnd = Timestamps.leaseEnd(at, lease);
          Appended line =
              append(
                  c,
                  new LedgerEvent.Heartbeat(
                      Timestamps.utc(at),
                      claim.job().jobId(),
                      claim.workerId(),
                      leaseEnd,
                      claim.attempt(),
                      claim.fence()));
          store(c, JobStateMachine.apply(job, line.event()));
          return leaseEnd;
        });
  }

  @Override
  public String complete(Claim claim, Map<String, ?> result, ChainHead evidenceHead) {
    return finish(
        "complete",
        claim,
        ts ->
            new LedgerEvent.Completed(
                ts,
                claim.job().jobId(),
                claim.workerId(),
                result,
                claim.attempt(),
                claim.fence(),
                evidenceHead,
                config.host()));
  }

  @Override
  public String fail(Claim claim, String error, ChainHead evidenceHead) {
    return finish(
        "fail",
        claim,
        ts ->
            new LedgerEvent.Failed(
                ts,
                claim.job().jobId(),
                claim.workerId(),
                error,
                claim.attempt(),
                claim.fence(),
                evidenceHead,
                config.host()));
  }

  private String finish(
      String what, Claim claim, java.util.function.Function<String, LedgerEvent> event) {
    return tx(
        what,
        c -> {
          JobRecord job = requireOwner(c, claim);
          LedgerEvent ev = event.apply(Timestamps.utc(clock.instant()));
          Appended line = append(c, ev);
          store(c, JobStateMachine.apply(job, line.event()));
          return ev.ts();
        });
  }

  /** Writes a job's record (the replay of its events) into its row of {@code jobs}. */
  private void store(Connection c, JobRecord r) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + s
                + ".jobs SET job_type = ?, state = ?, attempt = ?, worker_id = ?,"
                + " lease_expires_unix = ?, fence = ?, updated_ts = ?, error = ?, host = ?"
                + " WHERE job_id = ?")) {
      ps.setString(1, r.jobType());
      ps.setString(2, r.state().jsonName());
      ps.setInt(3, r.attempts());
      ps.setString(4, r.workerId());
      ps.setDouble(5, r.leaseExpiresUnix());
      ps.setLong(6, r.fence());
      ps.setString(7, r.updatedTs());
      ps.setString(8, r.error());
      ps.setString(9, r.host());
      ps.setString(10, r.jobId());
      ps.executeUpdate();
    }
  }

  /**
   * Locks the job's row and checks the claim is still its running claim (by fencing token); the
   * job's record.
   */
  private JobRecord requireOwner(Connection c, Claim claim) throws SQLException {
    Row r = row(c, claim.job().jobId(), true);
    JobRecord job = r == null ? null : r.record();
    JobStateMachine.requireHeldBy(job, claim);
    return job;
  }

  @Override
  public List<JobStatus> status() {
    return tx(
        "read the status",
        c -> {
          double now = nowUnix();
          List<JobStatus> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT " + Row.COLUMNS + " FROM " + s + ".jobs ORDER BY first_order, job_id")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(Row.of(rs).record().status(now));
              }
            }
          }
          return out;
        });
  }

  @Override
  public Optional<JobStatus> status(String jobId) {
    return tx(
        "read the status",
        c -> {
          Row r = row(c, jobId, false);
          return r == null
              ? Optional.<JobStatus>empty()
              : Optional.of(r.record().status(nowUnix()));
        });
  }

  @Override
  public Optional<LedgerEvent> finalEvent(String jobId) {
    return tx(
        "read the job's final event",
        c -> {
          Row r = row(c, jobId, false);
          if (r == null) {
            return Optional.<LedgerEvent>empty();
          }
          JobState state = r.record().status(nowUnix()).state();
          if (state != JobState.COMPLETE && state != JobState.FAILED) {
            return Optional.<LedgerEvent>empty();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT line FROM "
                      + s
                      + ".events WHERE job_id = ? AND event IN ('complete', 'fail')"
                      + " ORDER BY line_no DESC LIMIT 1")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next() && parseOrNull(rs.getString(1)) instanceof Map<?, ?> m) {
                return Optional.of(LedgerEvent.of(m));
              }
            }
          }
          return Optional.<LedgerEvent>empty();
        });
  }

  @Override
  public List<Integer> unreadableLines() {
    return tx(
        "read the ledger",
        c -> {
          List<Integer> out = new ArrayList<>();
          try (Statement st = c.createStatement();
              ResultSet rs =
                  st.executeQuery(
                      "SELECT line_no FROM " + s + ".events WHERE unreadable ORDER BY line_no")) {
            while (rs.next()) {
              out.add((int) rs.getLong(1));
            }
          }
          return out;
        });
  }

  @Override
  public Optional<SharedKillSwitch> sharedKillSwitch() {
    return Optional.of(killSwitch);
  }

  @Override
  public Map<String, Object> health() {
    return tx(
        "read the ledger",
        c -> {
          Map<String, Object> h = new LinkedHashMap<>();
          h.put("queue", location());
          h.put("queue_kind", "postgresql");
          h.put("queue_schema", s);
          long lines = 0;
          try (Statement st = c.createStatement();
              ResultSet rs = st.executeQuery("SELECT line_no FROM " + s + ".ledger_head")) {
            if (rs.next()) {
              lines = rs.getLong(1);
            }
          }
          h.put("ledger_events", lines);
          Object last = null;
          try (PreparedStatement ps =
              c.prepareStatement("SELECT line FROM " + s + ".events WHERE line_no = ?")) {
            ps.setLong(1, lines);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next() && parseOrNull(rs.getString(1)) instanceof Map<?, ?> m) {
                LedgerEvent ev = LedgerEvent.of(m);
                Map<String, Object> le = new LinkedHashMap<>();
                le.put("ts_utc", ev.ts());
                le.put("event", ev.kind());
                last = le;
              }
            }
          }
          h.put("last_event", last);
          return h;
        });
  }

  /**
   * Writes the queue's ledger as a {@code jobs.jsonl} in the file ledger's format: every event line
   * in ledger order, each ending in a line break. Reads one consistent snapshot; written to a
   * temporary file beside {@code target} and renamed over it.
   *
   * @return the number of lines written
   * @throws UncheckedIOException if the file cannot be written
   */
  @Override
  public long exportLedger(Path target) {
    Path abs = target.toAbsolutePath().normalize();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    return tx(
        "export the ledger",
        c -> {
          try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
          }
          long n = 0;
          try {
            Files.createDirectories(abs.getParent());
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                PreparedStatement ps =
                    c.prepareStatement("SELECT line FROM " + s + ".events ORDER BY line_no")) {
              ps.setFetchSize(2000);
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  w.write(rs.getString(1));
                  w.write('\n');
                  n++;
                }
              }
            }
            try {
              Files.move(
                  tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
              Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
          } catch (IOException e) {
            try {
              Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
              // the original error matters
            }
            throw new UncheckedIOException("cannot write " + abs, e);
          }
          return n;
        });
  }

  /**
   * Loads a file ledger ({@code jobs.jsonl}) into this queue, which must be empty: every line is
   * kept as it is (so an export gives the same bytes back), and each job's state is its replay, as
   * the file ledger replays it. A torn last line (an unterminated line that is not a JSON object)
   * is left out, as replay leaves it out; a line in the middle that is not a JSON object is kept
   * and reported by {@link #unreadableLines()}.
   *
   * @return what was loaded
   * @throws LocalExecException {@code queue_not_empty} if the queue already has events
   * @throws UncheckedIOException if the file cannot be read
   */
  public LedgerImport importLedger(Path source) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(source);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source, e);
    }
    LedgerImport.Plan plan = LedgerImport.plan(bytes);
    return tx(
        "import the ledger",
        c -> {
          long existing;
          try (Statement st = c.createStatement();
              ResultSet rs =
                  st.executeQuery("SELECT line_no FROM " + s + ".ledger_head FOR UPDATE")) {
            rs.next();
            existing = rs.getLong(1);
          }
          if (existing > 0) {
            throw new LocalExecException(
                "queue_not_empty",
                "the queue "
                    + location()
                    + " already has "
                    + existing
                    + " events; import into an empty queue (a new schema or database)",
                false);
          }
          plan.write(c, s);
          return plan.report();
        });
  }

  @Override
  public void close() {
    killSwitch.stop();
    ds.close();
  }

  // ---- internals

  /**
   * A line appended to the ledger.
   *
   * @param lineNo its line number
   * @param event the event as written (redacted)
   */
  private record Appended(long lineNo, LedgerEvent event) {}

  /** Appends one event (redacted) as the next chained ledger line. */
  private Appended append(Connection c, LedgerEvent event) throws SQLException {
    Map<String, Object> redacted = context.redact(event.toMap());
    long lineNo;
    ChainHead head;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT line_no, chain_seq, chain_hash FROM "
                    + s
                    + ".ledger_head WHERE id = 1 FOR UPDATE")) {
      if (!rs.next()) {
        throw new SQLException("the table " + s + ".ledger_head has no row");
      }
      lineNo = rs.getLong(1) + 1;
      head = new ChainHead(rs.getLong(2), rs.getString(3));
    }
    LedgerLine line = LedgerLine.chain(head, redacted);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO " + s + ".events (line_no, line, event, job_id) VALUES (?, ?, ?, ?)")) {
      ps.setLong(1, lineNo);
      ps.setString(2, line.text());
      ps.setString(3, event.kind());
      ps.setString(4, event.jobId());
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + s
                + ".ledger_head SET line_no = ?, chain_seq = ?, chain_hash = ? WHERE id = 1")) {
      ps.setLong(1, lineNo);
      ps.setLong(2, line.head().seq());
      ps.setString(3, line.head().hash());
      ps.executeUpdate();
    }
    return new Appended(lineNo, LedgerEvent.of(redacted));
  }

  private LedgerEvent.Enqueued enqueueEvent(Map<String, Object> jobTree, boolean requeue) {
    return LedgerEvent.Enqueued.of(
        Timestamps.utc(clock.instant()), context.validatorMode(), jobTree, requeue);
  }

  /** The job document as the ledger line will hold it (redacted). */
  @SuppressWarnings("unchecked")
  private Map<String, Object> jobOf(LedgerEvent.Enqueued enqueueEvent) {
    return (Map<String, Object>) context.redact(enqueueEvent.toMap()).get("job");
  }

  private double nowUnix() {
    return Timestamps.unix(clock.instant());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parseDocument(String document) {
    if (Json.parse(document) instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw new IllegalArgumentException("the stored job document is not a JSON object");
  }

  private static Object parseOrNull(String text) {
    try {
      return Json.parse(text);
    } catch (LocalExecException e) {
      return null;
    }
  }

  private Row row(Connection c, String jobId, boolean lock) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + Row.COLUMNS
                + " FROM "
                + s
                + ".jobs WHERE job_id = ?"
                + (lock ? " FOR UPDATE" : ""))) {
      ps.setString(1, jobId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Row.of(rs) : null;
      }
    }
  }

  /** One row of {@code jobs}. */
  private record Row(
      String jobId,
      String jobType,
      String document,
      String state,
      int attempt,
      String workerId,
      double lease,
      long fence,
      String updatedTs,
      String error,
      String host) {
    static final String COLUMNS =
        "job_id, job_type, document, state, attempt, worker_id, lease_expires_unix, fence,"
            + " updated_ts, error, host";

    static Row of(ResultSet rs) throws SQLException {
      return new Row(
          rs.getString(1),
          rs.getString(2),
          rs.getString(3),
          rs.getString(4),
          rs.getInt(5),
          rs.getString(6),
          rs.getDouble(7),
          rs.getLong(8),
          rs.getString(9),
          rs.getString(10),
          rs.getString(11));
    }

    /** The row as the state machine's record. */
    JobRecord record() {
      return new JobRecord(
          jobId,
          jobType,
          JobState.valueOf(state.toUpperCase(Locale.ROOT)),
          attempt,
          workerId,
          lease,
          fence,
          updatedTs,
          error,
          host);
    }
  }

  @FunctionalInterface
  private interface TxBody<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code body} in one transaction, committing at its end; retries a few times on a
   * serialization failure or deadlock.
   */
  private <T> T tx(String what, TxBody<T> body) {
    int tries = 0;
    while (true) {
      try (Connection c = ds.getConnection()) {
        try {
          T result = body.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          rollbackQuietly(c);
          throw e;
        }
      } catch (SQLException e) {
        String state = e.getSQLState();
        if (("40001".equals(state) || "40P01".equals(state)) && ++tries < 5) {
          LOG.debug("{}: {} ({}); retrying", what, e.getMessage(), state);
          continue;
        }
        throw unavailable(config, what, e);
      }
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      LOG.debug("rollback failed: {}", e.getMessage());
    }
  }

  private static LocalExecException unavailable(
      PostgresQueueConfig config, String what, Exception e) {
    return new LocalExecException(
        "queue_unavailable",
        "cannot "
            + what
            + " the PostgreSQL queue at "
            + config.displayUrl()
            + " (schema "
            + config.schema()
            + "): "
            + e.getMessage(),
        true,
        e);
  }

  /**
   * The kill switch row. The first {@link #isOn()} reads it; from then on a daemon thread reads it
   * every {@link #KILL_SWITCH_CACHE} and {@link #isOn()} answers from memory, so the worker's
   * frequent polls never wait on the database; while the database cannot be reached the last answer
   * stands.
   */
  private final class SharedSwitch implements SharedKillSwitch {
    private volatile boolean on;
    private volatile boolean started;
    private boolean stopped;
    private boolean failing;
    private ScheduledExecutorService refresher;

    @Override
    public boolean isOn() {
      if (!started) {
        start();
      }
      return on;
    }

    private synchronized void start() {
      if (started || stopped) {
        return;
      }
      refresh();
      refresher =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "local-exec-pg-kill-switch");
                t.setDaemon(true);
                return t;
              });
      long every = KILL_SWITCH_CACHE.toMillis();
      refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
      started = true;
    }

    /** Stops the poller and waits (a few seconds at most) for its thread to end; for good. */
    private void stop() {
      ScheduledExecutorService r;
      synchronized (this) {
        stopped = true;
        r = refresher;
      }
      if (r == null) {
        return;
      }
      r.shutdownNow();
      try {
        if (!r.awaitTermination(5, TimeUnit.SECONDS)) {
          LOG.warn("the kill switch poller of {} did not end within 5 s", location());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void refresh() {
      try {
        on =
            tx(
                "read the kill switch",
                c -> {
                  try (Statement st = c.createStatement();
                      ResultSet rs =
                          st.executeQuery("SELECT 1 FROM " + s + ".kill_switch WHERE id = 1")) {
                    return rs.next();
                  }
                });
        failing = false;
      } catch (LocalExecException e) {
        if (!failing) {
          LOG.warn(
              "cannot read the shared kill switch, keeping the last answer ({}): {}",
              on,
              e.getMessage());
        }
        failing = true;
      }
    }

    @Override
    public void turnOn(String reason) {
      tx(
          "turn on the kill switch",
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO "
                        + s
                        + ".kill_switch (id, reason, set_by) VALUES (1, ?, ?)"
                        + " ON CONFLICT (id) DO UPDATE SET reason = EXCLUDED.reason,"
                        + " set_at = now(), set_by = EXCLUDED.set_by")) {
              ps.setString(1, reason == null ? "" : context.redact(reason));
              ps.setString(2, config.host());
              ps.executeUpdate();
            }
            return null;
          });
      on = true;
    }

    @Override
    public boolean turnOff() {
      boolean was =
          tx(
              "turn off the kill switch",
              c -> {
                try (Statement st = c.createStatement()) {
                  return st.executeUpdate("DELETE FROM " + s + ".kill_switch WHERE id = 1") > 0;
                }
              });
      on = false;
      return was;
    }

    @Override
    public String location() {
      return PostgresJobQueue.this.location() + " table kill_switch";
    }
  }
}
