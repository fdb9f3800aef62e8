package dev.localexec.core.integrity;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.VerifyReport.FileCheck;
import dev.localexec.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Recomputes the hash chains of the ledger, the jobs' evidence and the worker event files (see
 * {@link ChainedJsonl}) and reports, per file, the first problem and its line:
 *
 * <ul>
 *   <li>an edited line (its hash does not match), an inserted, deleted or reordered line (a gap in
 *       {@code seq}, or a hash that does not match);
 *   <li>an unchained (legacy) line after chained lines;
 *   <li>a line that is not a JSON object, unless it is a torn write: the file's unterminated last
 *       line, or a line the following {@code torn_line} event names;
 *   <li>a cut-off evidence file: every {@code complete} / {@code fail} ledger event records the
 *       job's evidence head ({@code evidence_head}); the evidence must still hold a line with that
 *       {@code seq} and hash.
 * </ul>
 *
 * <p>Reads only; safe while workers write (a line being written shows as a torn last line).
 */
public final class Verifier {
  private static final Pattern JOB_ID = Pattern.compile("^job-[a-z0-9]{8,32}$");
  private static final Pattern JOB_EVIDENCE = Pattern.compile("^job-[a-z0-9]{8,32}\\.jsonl$");
  private static final Pattern WORKER_EVENTS = Pattern.compile("^worker_.+\\.jsonl$");

  private final Path root;
  private final Path ledger;
  private final Path evidenceDir;
  private final String localHost;

  /**
   * A verifier of one plane's files.
   *
   * @param root the repo root; files are reported relative to it
   * @param ledger the ledger, {@code state/jobs.jsonl}
   * @param evidenceDir the evidence folder
   */
  public Verifier(Path root, Path ledger, Path evidenceDir) {
    this.root = root.toAbsolutePath().normalize();
    this.ledger = ledger.toAbsolutePath().normalize();
    this.evidenceDir = evidenceDir.toAbsolutePath().normalize();
    this.localHost = null;
  }

  /**
   * A verifier of one host's evidence against a ledger shared by several hosts (a copy of a
   * database queue's ledger): a final event whose {@code host} names another host is not checked
   * here, since that job's evidence is in that host's files.
   *
   * @param root the repo root; files are reported relative to it
   * @param ledger the ledger (a copy of the queue's)
   * @param evidenceDir this host's evidence folder
   * @param localHost this host's name, as the queue records it
   */
  public Verifier(Path root, Path ledger, Path evidenceDir, String localHost) {
    this.root = root.toAbsolutePath().normalize();
    this.ledger = ledger.toAbsolutePath().normalize();
    this.evidenceDir = evidenceDir.toAbsolutePath().normalize();
    this.localHost = localHost;
  }

  /**
   * Checks the ledger, every job's evidence (and every job the ledger recorded an evidence head
   * for) and every worker event file.
   *
   * @throws UncheckedIOException if a file cannot be read
   */
  public VerifyReport verifyAll() {
    List<FileCheck> out = new ArrayList<>();
    Scan ledgerScan = scan(ledger);
    out.add(ledgerScan.check(display(ledger)));
    Map<String, List<Head>> heads = heads(ledgerScan);
    TreeSet<String> jobIds = new TreeSet<>(heads.keySet());
    List<Path> workerFiles = new ArrayList<>();
    for (Path p : list(evidenceDir)) {
      String name = p.getFileName().toString();
      if (JOB_EVIDENCE.matcher(name).matches()) {
        jobIds.add(name.substring(0, name.length() - ".jsonl".length()));
      } else if (WORKER_EVENTS.matcher(name).matches()) {
        workerFiles.add(p);
      }
    }
    for (String id : jobIds) {
      out.add(checkEvidence(id, heads.getOrDefault(id, List.of())));
    }
    for (Path p : workerFiles) {
      out.add(scan(p).check(display(p)));
    }
    return new VerifyReport(out);
  }

  /**
   * Checks the ledger and one job's evidence.
   *
   * @throws LocalExecException {@code unknown_job} if neither the ledger nor the evidence folder
   *     knows the job
   * @throws UncheckedIOException if a file cannot be read
   */
  public VerifyReport verifyJob(String jobId) {
    Path evidence = evidenceDir.resolve(jobId + ".jsonl");
    if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
      throw new LocalExecException(
          "unknown_job",
          "'" + jobId + "' is not a job id (job ids match " + JOB_ID.pattern() + ")",
          false);
    }
    if (!Files.exists(evidence) && !ledgerMentions(jobId)) {
      throw new LocalExecException(
          "unknown_job",
          "job_id '" + jobId + "' is neither in the ledger " + ledger + " nor in " + evidenceDir,
          false);
    }
    Scan ledgerScan = scan(ledger);
    List<FileCheck> out = new ArrayList<>();
    out.add(ledgerScan.check(display(ledger)));
    out.add(checkEvidence(jobId, heads(ledgerScan).getOrDefault(jobId, List.of())));
    return new VerifyReport(out);
  }

  /** Checks one file's chain alone (no evidence heads). */
  public FileCheck verifyFile(Path file) {
    return scan(file.toAbsolutePath().normalize()).check(display(file));
  }

  private FileCheck checkEvidence(String jobId, List<Head> heads) {
    Path file = evidenceDir.resolve(jobId + ".jsonl");
    String name = display(file);
    if (!Files.exists(file)) {
      if (heads.isEmpty()) {
        return FileCheck.ok(name, 0);
      }
      Head h = heads.get(0);
      return FileCheck.problem(
          name,
          0,
          1,
          "missing: the ledger's "
              + h.event
              + " event (ledger line "
              + h.ledgerLine
              + ") recorded evidence_head seq "
              + h.seq);
    }
    Scan s = scan(file);
    if (s.problem != null) {
      return s.check(name);
    }
    for (Head h : heads) {
      int chainLength = s.chained.size();
      if (h.seq > chainLength) {
        int line = chainLength == 0 ? s.physicalLines + 1 : s.chained.get(chainLength - 1).line + 1;
        return FileCheck.problem(
            name,
            s.lines,
            line,
            "truncated: the chain ends at seq "
                + chainLength
                + " but the ledger's "
                + h.event
                + " event (ledger line "
                + h.ledgerLine
                + ") recorded evidence_head seq "
                + h.seq
                + " (lines cut off the end or deleted)");
      }
      Link at = s.chained.get((int) h.seq - 1);
      if (!at.hash.equals(h.hash)) {
        return FileCheck.problem(
            name,
            s.lines,
            at.line,
            "evidence head mismatch: seq "
                + h.seq
                + " has another hash than the ledger's "
                + h.event
                + " event (ledger line "
                + h.ledgerLine
                + ") recorded (evidence rewritten)");
      }
    }
    return s.check(name);
  }

  /** The evidence heads the ledger's complete / fail events recorded, by job id. */
  private Map<String, List<Head>> heads(Scan ledgerScan) {
    Map<String, List<Head>> out = new LinkedHashMap<>();
    for (Parsed p : ledgerScan.objects) {
      Object event = p.object.get("event");
      if (("complete".equals(event) || "fail".equals(event))
          && p.object.get("job_id") instanceof String id
          && p.object.get("evidence_head") instanceof Map<?, ?> head
          && integral(head.get(ChainedJsonl.SEQ)) != null
          && head.get(ChainedJsonl.HASH) instanceof String hash
          && (localHost == null
              || !(p.object.get("host") instanceof String host)
              || host.equals(localHost))) {
        long seq = integral(head.get(ChainedJsonl.SEQ));
        if (seq >= 1) {
          out.computeIfAbsent(id, k -> new ArrayList<>())
              .add(new Head((String) event, p.line, seq, hash));
        }
      }
    }
    return out;
  }

  private boolean ledgerMentions(String jobId) {
    try {
      return Files.exists(ledger)
          && Files.readString(ledger, StandardCharsets.UTF_8).contains("\"" + jobId + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ledger, e);
    }
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private String display(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    if (abs.startsWith(root)) {
      return root.relativize(abs).toString().replace('\\', '/');
    }
    return abs.toString();
  }

  /** Reads a file and checks its chain up to the first problem. */
  static Scan scan(Path file) {
    Scan s = new Scan();
    if (!Files.exists(file)) {
      return s;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Raw> raws = new ArrayList<>();
    int start = 0;
    int lineNo = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      lineNo++;
      String text = new String(bytes, start, end - start, StandardCharsets.UTF_8).strip();
      raws.add(new Raw(lineNo, text, end < bytes.length));
      start = end + 1;
    }
    s.physicalLines = lineNo;
    s.lines = (int) raws.stream().filter(r -> !r.text.isEmpty()).count();
    ChainHead previous = ChainHead.GENESIS;
    boolean chained = false;
    for (int i = 0; i < raws.size(); i++) {
      Raw r = raws.get(i);
      if (r.text.isEmpty()) {
        continue;
      }
      Object parsed = parseOrNull(r.text);
      if (!(parsed instanceof Map<?, ?> object)) {
        if (!r.terminated || namesTornLine(next(raws, i), r.line)) {
          continue;
        }
        return s.fail(
            r.line, "not a JSON object (garbage, or a torn write that no torn_line event names)");
      }
      boolean hasSeq = object.containsKey(ChainedJsonl.SEQ);
      boolean hasHash = object.containsKey(ChainedJsonl.HASH);
      if (!hasSeq && !hasHash) {
        if (chained) {
          return s.fail(r.line, "unchained (legacy) line after chained lines");
        }
        s.objects.add(new Parsed(r.line, object));
        continue;
      }
      Long seq = integral(object.get(ChainedJsonl.SEQ));
      if (seq == null || !(object.get(ChainedJsonl.HASH) instanceof String hash)) {
        return s.fail(r.line, "malformed chain fields: seq must be an integer and hash a string");
      }
      if (seq != previous.seq() + 1) {
        return s.fail(
            r.line,
            "seq "
                + seq
                + " where "
                + (previous.seq() + 1)
                + " was expected (line inserted, deleted or reordered)");
      }
      Map<Object, Object> withoutHash = new LinkedHashMap<>(object);
      withoutHash.remove(ChainedJsonl.HASH);
      String expected = ChainedJsonl.hash(previous.hash(), withoutHash);
      if (!expected.equals(hash)) {
        return s.fail(r.line, "hash mismatch (line edited, inserted or reordered)");
      }
      previous = new ChainHead(seq, expected);
      chained = true;
      s.chained.add(new Link(r.line, expected));
      s.objects.add(new Parsed(r.line, object));
    }
    return s;
  }

  private static String next(List<Raw> raws, int i) {
    for (int j = i + 1; j < raws.size(); j++) {
      if (!raws.get(j).text.isEmpty()) {
        return raws.get(j).text;
      }
    }
    return null;
  }

  /** Whether {@code text} is a {@code torn_line} event (ledger or evidence shape) naming line. */
  private static boolean namesTornLine(String text, int line) {
    if (text == null || !(parseOrNull(text) instanceof Map<?, ?> m)) {
      return false;
    }
    Object named = null;
    if ("torn_line".equals(m.get("event"))) {
      named = m.get("line");
    } else if ("torn_line".equals(m.get("kind")) && m.get("payload") instanceof Map<?, ?> p) {
      named = p.get("line");
    }
    Long n = integral(named);
    return n != null && n == line;
  }

  private static Long integral(Object o) {
    if (o instanceof Integer || o instanceof Long) {
      return ((Number) o).longValue();
    }
    if (o instanceof BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    return null;
  }

  private static Object parseOrNull(String text) {
    try {
      return Json.parse(text);
    } catch (LocalExecException e) {
      return null;
    }
  }

  /** One physical line. */
  private record Raw(int line, String text, boolean terminated) {}

  /** A parsed object and its line. */
  private record Parsed(int line, Map<?, ?> object) {}

  /** A chained line: its line number and hash; the list index is {@code seq - 1}. */
  private record Link(int line, String hash) {}

  /** An evidence head a ledger event recorded. */
  private record Head(String event, int ledgerLine, long seq, String hash) {}

  /** What reading one file found. */
  static final class Scan {
    int lines;
    int physicalLines;
    int problemLine;
    String problem;
    final List<Link> chained = new ArrayList<>();
    final List<Parsed> objects = new ArrayList<>();

    Scan fail(int line, String what) {
      this.problemLine = line;
      this.problem = what;
      return this;
    }

    FileCheck check(String name) {
      return problem == null
          ? FileCheck.ok(name, lines)
          : FileCheck.problem(name, lines, problemLine, problem);
    }
  }
}
