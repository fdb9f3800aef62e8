package dev.localexec.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The PostgreSQL server the tests use: {@code LOCAL_EXEC_PG_URL} when it is set (CI starts one),
 * else a private cluster this extension makes with {@code initdb} and starts with {@code pg_ctl} on
 * 127.0.0.1 and a free port, with trust authentication, once per test JVM, stopped when the test
 * run ends. As root, the cluster runs as the {@code postgres} user (PostgreSQL refuses root).
 * Without any PostgreSQL binary the tests are skipped with that reason, except under {@code
 * CI=true}, where they fail.
 *
 * <p>Use with {@code @ExtendWith(PostgresServer.class)}, then {@link #url()} and {@link
 * #freshSchema()}.
 */
public final class PostgresServer implements BeforeAllCallback {
  /** The environment variable with a JDBC URL of a running server to use. */
  public static final String URL_ENV = "LOCAL_EXEC_PG_URL";

  private static volatile String url;

  /** Creates the extension. */
  public PostgresServer() {}

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start(context);
  }

  /** Starts (or finds) the server for this test run. */
  static synchronized void start(ExtensionContext context) throws Exception {
    if (url != null) {
      return;
    }
    String env = System.getenv(URL_ENV);
    if (env != null && !env.isBlank()) {
      url = env;
      return;
    }
    Optional<Path> bin = binDir();
    if (bin.isEmpty()) {
      String reason =
          "no PostgreSQL binary (initdb, pg_ctl) on PATH, in /usr/lib/postgresql/*/bin or"
              + " /usr/local/bin, and "
              + URL_ENV
              + " is not set; install Debian's postgresql package to run these tests";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(reason + " (CI=true: not skipping)");
      }
      Assumptions.abort(reason);
    }
    Cluster cluster = Cluster.start(bin.get());
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .put(PostgresServer.class.getName(), cluster);
    url = cluster.url;
  }

  /** The server's JDBC URL (a superuser, trust authentication). */
  public static String url() {
    if (url == null) {
      throw new IllegalStateException("use @ExtendWith(PostgresServer.class) first");
    }
    return url;
  }

  /** A configuration on a new, unused schema, so each test has its own queue. */
  public static PostgresQueueConfig freshSchema() {
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    return PostgresQueueConfig.fromEnvironment(url(), Map.of()).withSchema(schema);
  }

  /** Drops a schema a test made. */
  public static void drop(PostgresQueueConfig config) {
    try (Connection c = DriverManager.getConnection(url());
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + config.schema() + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop schema " + config.schema(), e);
    }
  }

  /** The folder of {@code initdb} and {@code pg_ctl}, if PostgreSQL is installed. */
  static Optional<Path> binDir() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String p : path.split(":")) {
        if (!p.isEmpty()) {
          candidates.add(Path.of(p));
        }
      }
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        versions
            .map(v -> v.resolve("bin"))
            .sorted(Comparator.comparing((Path v) -> versionOf(v)).reversed())
            .forEach(candidates::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    candidates.add(Path.of("/usr/local/bin"));
    return candidates.stream()
        .filter(
            d -> Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("pg_ctl")))
        .findFirst();
  }

  private static int versionOf(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A private cluster in a temporary folder, stopped and deleted when the test run ends. */
  static final class Cluster implements AutoCloseable {
    final Path dir;
    final Path bin;
    final String url;
    final List<String> asUser;

    private Cluster(Path dir, Path bin, String url, List<String> asUser) {
      this.dir = dir;
      this.bin = bin;
      this.url = url;
      this.asUser = asUser;
    }

    static Cluster start(Path bin) throws Exception {
      Path dir = Files.createTempDirectory("local-exec-pg");
      List<String> asUser = List.of();
      if ("root".equals(System.getProperty("user.name"))) {
        asUser = List.of("runuser", "-u", "postgres", "--");
        run(List.of("chown", "-R", "postgres", dir.toString()), List.of(), dir);
      }
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path data = dir.resolve("data");
      run(
          List.of(
              bin.resolve("initdb").toString(),
              "-D",
              data.toString(),
              "-U",
              "localexec",
              "--auth=trust",
              "-E",
              "UTF8",
              "--locale=C",
              "--no-sync"),
          asUser,
          dir);
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-l",
              dir.resolve("server.log").toString(),
              "-o",
              "-k " + dir + " -h 127.0.0.1 -p " + port + " -F -c max_connections=200",
              "-w",
              "-t",
              "60",
              "start"),
          asUser,
          dir);
      return new Cluster(
          dir, bin, "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=localexec", asUser);
    }

    @Override
    public void close() throws IOException {
      try {
        stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while stopping the cluster in " + dir, e);
      }
    }

    private void stop() throws IOException, InterruptedException {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "immediate",
              "-w",
              "stop"),
          asUser,
          dir);
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }

    private static void run(List<String> cmd, List<String> asUser, Path dir)
        throws IOException, InterruptedException {
      List<String> full = new ArrayList<>(asUser);
      full.addAll(cmd);
      Path log = Files.createTempFile("local-exec-pg-cmd", ".log");
      try {
        Process p =
            new ProcessBuilder(full)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
          throw new IllegalStateException("timed out: " + String.join(" ", full));
        }
        if (p.exitValue() != 0) {
          throw new IllegalStateException(
              String.join(" ", full)
                  + " exited "
                  + p.exitValue()
                  + ": "
                  + Files.readString(log, StandardCharsets.UTF_8).strip().toLowerCase(Locale.ROOT));
        }
      } finally {
        Files.deleteIfExists(log);
      }
    }
  }
}
