package dev.localexec.core.internal.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.integrity.VerifyReport;
import dev.localexec.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainedJsonlTest {
  /** SHA-256 of 64 zeros, "\n" and {"a":1,"seq":1}. */
  private static final String H1 =
      "437e78a3187002229d1d96f5728fb2cd8822273132bb450ddcb58ecb28fd10c2";

  /** SHA-256 of H1, "\n" and {"b":[true,"x"],"seq":2}. */
  private static final String H2 =
      "ce601577e16dbe1d20ce0ee7a8234b2222280bf2d8830f4386fe7b1524129529";

  @TempDir Path dir;

  private ChainedJsonl writer(Path file) {
    return new ChainedJsonl(
        file,
        Redactor.none(),
        (line, bytes) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("event", "torn_line");
          m.put("line", line);
          m.put("bytes", bytes);
          return m;
        },
        false);
  }

  private static Map<String, Object> obj(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String line) {
    return (Map<String, Object>) Json.parse(line);
  }

  private static void appendRaw(Path file, String text) throws IOException {
    Files.writeString(
        file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Test
  void append_addsSeqAndHashAtTheEndInTheLedgersSpacing() throws IOException {
    Path file = dir.resolve("sub/chain.jsonl");
    ChainedJsonl w = writer(file);

    ChainHead first = w.append(obj("a", 1));
    ChainHead second = w.append(obj("b", List.of(true, "x")));

    assertThat(Files.readString(file))
        .isEqualTo(
            "{\"a\": 1, \"seq\": 1, \"hash\": \""
                + H1
                + "\"}\n{\"b\": [true, \"x\"], \"seq\": 2, \"hash\": \""
                + H2
                + "\"}\n");
    assertThat(first).isEqualTo(new ChainHead(1, H1));
    assertThat(second).isEqualTo(new ChainHead(2, H2));
    assertThat(w.head()).isEqualTo(second);
  }

  @Test
  void hash_isSha256OfThePreviousHashALineBreakAndTheCanonicalObject() {
    assertThat(ChainedJsonl.hash(ChainHead.GENESIS.hash(), obj("seq", 1, "a", 1))).isEqualTo(H1);
    assertThat(ChainHead.GENESIS).isEqualTo(new ChainHead(0, "0".repeat(64)));
  }

  @Test
  void append_aNewWriterContinuesTheChainFromTheFilesTail() throws IOException {
    Path file = dir.resolve("chain.jsonl");
    writer(file).append(obj("a", 1));

    ChainHead head = writer(file).append(obj("b", List.of(true, "x")));

    assertThat(head).isEqualTo(new ChainHead(2, H2));
    assertThat(Verifier.scan(file).chained).hasSize(2);
  }

  @Test
  void append_seesLinesAnotherWriterAppendedInBetween() throws IOException {
    Path file = dir.resolve("chain.jsonl");
    ChainedJsonl one = writer(file);
    ChainedJsonl two = writer(file);

    one.append(obj("a", 1));
    two.append(obj("b", List.of(true, "x")));
    ChainHead third = one.append(obj("c", 3));

    assertThat(third.seq()).isEqualTo(3);
    assertThat(new Verifier(dir, dir.resolve("none"), dir).verifyFile(file))
        .isEqualTo(VerifyReport.FileCheck.ok("chain.jsonl", 3));
  }

  @Test
  void append_replacesSeqAndHashKeysOfTheObjectAndPutsThemLast() throws IOException {
    Path file = dir.resolve("chain.jsonl");

    writer(file).append(obj("hash", "forged", "a", 1, "seq", 99));

    assertThat(Files.readString(file))
        .isEqualTo("{\"a\": 1, \"seq\": 1, \"hash\": \"" + H1 + "\"}\n");
  }

  @Test
  void append_afterLegacyLinesStartsTheChainAtSeqOne() throws IOException {
    Path file = dir.resolve("chain.jsonl");
    appendRaw(file, "{\"legacy\": 1}\n{\"legacy\": 2}\n");

    ChainHead head = writer(file).append(obj("a", 1));

    assertThat(head).isEqualTo(new ChainHead(1, H1));
    assertThat(Files.readAllLines(file))
        .containsExactly(
            "{\"legacy\": 1}",
            "{\"legacy\": 2}",
            "{\"a\": 1, \"seq\": 1, \"hash\": \"" + H1 + "\"}");
  }

  @Test
  void append_afterATornLineWritesAChainedMarkerNamingIt() throws IOException {
    Path file = dir.resolve("chain.jsonl");
    ChainedJsonl w = writer(file);
    w.append(obj("a", 1));
    appendRaw(file, "{\"b\": [tr");

    ChainHead head = w.append(obj("c", 3));

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(1)).isEqualTo("{\"b\": [tr");
    assertThat(lines.get(2)).startsWith("{\"event\": \"torn_line\", \"line\": 2, \"bytes\": 9,");
    assertThat(parse(lines.get(2))).containsEntry("seq", 2);
    assertThat(head.seq()).isEqualTo(3);
    assertThat(new Verifier(dir, dir.resolve("none"), dir).verifyFile(file))
        .isEqualTo(VerifyReport.FileCheck.ok("chain.jsonl", 4));
  }

  @Test
  void append_afterAnUnterminatedCompleteLineOnlyAddsTheLineBreak() throws IOException {
    Path file = dir.resolve("chain.jsonl");
    appendRaw(file, "{\"legacy\": 1}");

    writer(file).append(obj("a", 1));

    assertThat(Files.readString(file))
        .isEqualTo("{\"legacy\": 1}\n{\"a\": 1, \"seq\": 1, \"hash\": \"" + H1 + "\"}\n");
  }

  @Test
  void append_redactsBeforeHashing() throws IOException {
    Path file = dir.resolve("chain.jsonl");
    ChainedJsonl w = new ChainedJsonl(file, Redactor.of(List.of("hunter2-secret")), null, true);

    w.append(obj("hunter2-secret", List.of("x hunter2-secret y")));

    String line = Files.readString(file);
    assertThat(line)
        .startsWith("{\"[REDACTED]\": [\"x [REDACTED] y\"], \"seq\": 1, \"hash\": \"")
        .doesNotContain("hunter2");
    assertThat(new Verifier(dir, dir.resolve("none"), dir).verifyFile(file).ok()).isTrue();
  }

  @Test
  void append_manyThreadsAndWritersKeepOneUnbrokenChain() throws Exception {
    Path file = dir.resolve("chain.jsonl");
    List<ChainedJsonl> writers = List.of(writer(file), writer(file));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        ChainedJsonl w = writers.get(t % 2);
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    w.append(obj("thread", thread, "i", i));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    assertThat(new Verifier(dir, dir.resolve("none"), dir).verifyFile(file))
        .isEqualTo(VerifyReport.FileCheck.ok("chain.jsonl", 200));
    assertThat(writers.get(0).head().seq()).isEqualTo(200);
  }

  @Test
  void head_ofAMissingFileIsGenesis() throws IOException {
    assertThat(writer(dir.resolve("missing.jsonl")).head()).isEqualTo(ChainHead.GENESIS);
    assertThat(Files.exists(dir.resolve("missing.jsonl"))).isFalse();
  }
}
