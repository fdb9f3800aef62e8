package dev.localexec.bench;

import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.mcporter.cli.McporterBackend;
import dev.localexec.mcporter.config.McpConfig;
import dev.localexec.mcporter.sdk.SdkBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-call latency of one MCP tool ({@code everything.echo} of the reference server) through the
 * mcporter backend (a mcporter process, and a server, per call) and the MCP Java SDK backend (one
 * warm session), in the same run. Prints one JSON line per backend.
 *
 * <p>Arguments: {@code repoRoot calls} (e.g. {@code . 20}); needs Node.js and {@code npm ci
 * --prefix tools/mcp}.
 */
public final class McpBench {
  private McpBench() {}

  /** Runs the measurement. */
  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Path server =
        repo.resolve(
            "tools/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    Path dir = Files.createTempDirectory("local-exec-mcp-bench");
    try {
      Path file = dir.resolve("mcporter.json");
      Files.writeString(
          file,
          "{\"enabled_tools\":[\"everything.echo\"],\"mcpServers\":{\"everything\":{"
              + "\"command\":\"node\",\"args\":[\""
              + server
              + "\",\"stdio\"]}},\"imports\":[]}");
      McpConfig config = McpConfig.load(file);
      try (ToolBackend mcporter =
          McporterBackend.builder(config)
              .mcporter(McporterBackend.defaultMcporter(repo, System.getenv()))
              .workingDirectory(dir)
              .build()) {
        measure(mcporter, calls);
      }
      try (ToolBackend sdk = SdkBackend.builder(config).workingDirectory(dir).build()) {
        measure(sdk, calls);
      }
    } finally {
      BenchSupport.delete(dir);
    }
  }

  private static void measure(ToolBackend backend, int calls) {
    ToolRequest request =
        new ToolRequest(
            "everything.echo",
            "{\"message\":\"hi\"}",
            Duration.ofSeconds(60),
            131_072,
            () -> false);
    long t0 = System.nanoTime();
    backend.call(request);
    double firstMs = (System.nanoTime() - t0) / 1e6;
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      long t = System.nanoTime();
      backend.call(request);
      ms.add((System.nanoTime() - t) / 1e6);
    }
    Collections.sort(ms);
    double mean = ms.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("bench", "mcp_call");
    out.put("backend", backend.name());
    out.put("tool", "everything.echo");
    out.put("calls", calls);
    out.put("first_call_ms", round(firstMs));
    out.put("p50_ms", round(BenchSupport.percentile(ms, 50)));
    out.put("p90_ms", round(BenchSupport.percentile(ms, 90)));
    out.put("mean_ms", round(mean));
    out.put("min_ms", round(ms.get(0)));
    out.put("max_ms", round(ms.get(ms.size() - 1)));
    BenchSupport.print(out);
  }

  private static double round(double v) {
    return Double.parseDouble(String.format(Locale.ROOT, "%.2f", v));
  }
}
