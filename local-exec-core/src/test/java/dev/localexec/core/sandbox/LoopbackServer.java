package dev.localexec.core.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on a host loopback address and a free port: it answers every connection with one
 * line, {@link #greeting()}, and counts the connections. Closing it stops the accept thread.
 */
final class LoopbackServer implements AutoCloseable {

  private final ServerSocket socket;
  private final String greeting = ProcessMarkers.newMarker();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread thread;

  private LoopbackServer(ServerSocket socket) {
    this.socket = socket;
    this.thread = new Thread(this::serve, "loopback-server");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** A server on {@code address} (e.g. {@code 127.0.0.1} or {@code ::1}), port chosen freely. */
  static LoopbackServer on(String address) throws IOException {
    ServerSocket s = new ServerSocket();
    try {
      s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return new LoopbackServer(s);
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        accepted.incrementAndGet();
        OutputStream out = client.getOutputStream();
        out.write((greeting + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (SocketException e) {
        return;
      } catch (IOException e) {
        // one client failed; keep serving
      }
    }
  }

  /** The host address as a client names it. */
  String host() {
    return socket.getInetAddress().getHostAddress();
  }

  /** The port. */
  int port() {
    return socket.getLocalPort();
  }

  /** The line every client receives. */
  String greeting() {
    return greeting;
  }

  /** How many connections were accepted. */
  int accepted() {
    return accepted.get();
  }

  @Override
  public void close() throws IOException {
    socket.close();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
