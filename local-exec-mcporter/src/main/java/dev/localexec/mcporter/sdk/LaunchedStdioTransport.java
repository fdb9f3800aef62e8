package dev.localexec.mcporter.sdk;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The MCP stdio transport over a server process the backend started itself (through its {@code
 * ToolProcesses}, so in the plane's sandbox): one JSON-RPC message per line on the server's
 * standard input and output, its standard error handed line by line to a consumer. Unlike the SDK's
 * own stdio transport it starts nothing, so the backend owns the process and knows when the
 * server's output has ended without reading any private state.
 *
 * <p>A line longer than the bound stops the reading: no answer arrives after it, and {@link
 * #inboundClosed()} turns true, as it does at the end of the output. Thread-safe.
 */
final class LaunchedStdioTransport implements McpClientTransport {
  private static final Logger LOG = LoggerFactory.getLogger(LaunchedStdioTransport.class);
  private static final int STDERR_LINE = 8192;

  private final Process process;
  private final McpJsonMapper mapper;
  private final int maxLine;
  private final Consumer<String> stderr;
  private final OutputStream toServer;
  private final Object writeLock = new Object();
  private volatile boolean inboundClosed;
  private volatile boolean closing;

  /**
   * @param process the started server: standard input, output and error are pipes
   * @param mapper the SDK's JSON mapper
   * @param maxLine the longest message line read, in bytes
   * @param stderr gets each line the server writes to its standard error
   */
  LaunchedStdioTransport(
      Process process, McpJsonMapper mapper, int maxLine, Consumer<String> stderr) {
    this.process = process;
    this.mapper = mapper;
    this.maxLine = maxLine;
    this.stderr = stderr;
    this.toServer = process.getOutputStream();
  }

  /** The server process. */
  Process process() {
    return process;
  }

  /** The longest message line read, in bytes. */
  int maxLine() {
    return maxLine;
  }

  /**
   * Whether the server's output ended, or a line longer than {@link #maxLine()} stopped the
   * reading: no answer arrives after it.
   */
  boolean inboundClosed() {
    return inboundClosed;
  }

  @Override
  public Mono<Void> connect(
      Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
    return Mono.fromRunnable(
        () -> {
          daemon(() -> readMessages(handler), "mcp-server-stdout-" + process.pid()).start();
          daemon(this::readErrors, "mcp-server-stderr-" + process.pid()).start();
        });
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private void readMessages(
      Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
    try (InputStream in = process.getInputStream()) {
      while (true) {
        String line = readLine(in, maxLine);
        if (line == null) {
          break;
        }
        if (line.isBlank()) {
          continue;
        }
        McpSchema.JSONRPCMessage message;
        try {
          message = McpSchema.deserializeJsonRpcMessage(mapper, line);
        } catch (IOException | RuntimeException e) {
          LOG.debug("MCP server {} wrote a line that is no JSON-RPC message", process.pid());
          continue;
        }
        try {
          handler
              .apply(Mono.just(message))
              .subscribe(
                  reply -> {},
                  e -> LOG.debug("handling a message of server {}: {}", process.pid(), e));
        } catch (RuntimeException e) {
          LOG.debug("handling a message of server {}: {}", process.pid(), e.toString());
        }
      }
    } catch (LineTooLong e) {
      LOG.debug("MCP server {} sent a line longer than {} bytes", process.pid(), maxLine);
    } catch (IOException e) {
      if (!closing) {
        LOG.debug("reading MCP server {}: {}", process.pid(), e.toString());
      }
    } finally {
      inboundClosed = true;
    }
  }

  private void readErrors() {
    try (InputStream in = process.getErrorStream()) {
      while (true) {
        String line;
        try {
          line = readLine(in, STDERR_LINE);
        } catch (LineTooLong e) {
          line = e.start;
        }
        if (line == null) {
          break;
        }
        stderr.accept(line);
      }
    } catch (IOException e) {
      // the server ended
    }
  }

  /** A line (without its end) of at most {@code max} bytes, or {@code null} at the end. */
  private static String readLine(InputStream in, int max) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    boolean any = false;
    while ((b = in.read()) >= 0) {
      any = true;
      if (b == '\n') {
        break;
      }
      if (line.size() >= max) {
        throw new LineTooLong(line.toString(StandardCharsets.UTF_8));
      }
      line.write(b);
    }
    if (!any) {
      return null;
    }
    String s = line.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  /** A line over the bound; {@link #start} is what was read of it. */
  private static final class LineTooLong extends IOException {
    private static final long serialVersionUID = 1L;
    final transient String start;

    LineTooLong(String start) {
      super("line too long");
      this.start = start;
    }
  }

  @Override
  public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
    return Mono.fromCallable(
            () -> {
              byte[] json = mapper.writeValueAsBytes(message);
              synchronized (writeLock) {
                toServer.write(json);
                toServer.write('\n');
                toServer.flush();
              }
              return Boolean.TRUE;
            })
        .then();
  }

  /** Closes the server's standard input: a well-behaved server then exits. */
  @Override
  public Mono<Void> closeGracefully() {
    return Mono.fromRunnable(
        () -> {
          closing = true;
          synchronized (writeLock) {
            try {
              toServer.close();
            } catch (IOException e) {
              LOG.debug("closing the input of MCP server {}: {}", process.pid(), e.toString());
            }
          }
        });
  }

  @Override
  public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
    return mapper.convertValue(data, typeRef);
  }
}
