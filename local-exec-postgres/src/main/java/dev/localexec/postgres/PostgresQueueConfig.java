package dev.localexec.postgres;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the PostgreSQL queue lives and how to reach it. The JDBC URL names the server and database
 * ({@code jdbc:postgresql://db.example:5432/jobs}); credentials never go in it: they come from the
 * environment ({@link #USER_ENV}, {@link #PASSWORD_ENV}, or libpq's {@code PGUSER} / {@code
 * PGPASSWORD}), and the password is never logged, printed or written to the ledger ({@link
 * #toString()} leaves it out).
 *
 * @param url the JDBC URL, {@code jdbc:postgresql:...}, without a password
 * @param user the database user, or {@code null} for the driver's default
 * @param password the password, or {@code null}
 * @param schema the schema holding the queue's tables (created on first use)
 * @param poolSize the most connections this process opens, 1..64
 * @param host the name of this host, recorded in each job's final event (where its evidence is)
 */
public record PostgresQueueConfig(
    String url, String user, String password, String schema, int poolSize, String host) {

  /** The environment variable naming the JDBC URL that selects the PostgreSQL queue. */
  public static final String URL_ENV = "LOCAL_EXEC_QUEUE_URL";

  /** The environment variable with the database user. */
  public static final String USER_ENV = "LOCAL_EXEC_PG_USER";

  /** The environment variable with the database password. */
  public static final String PASSWORD_ENV = "LOCAL_EXEC_PG_PASSWORD";

  /** The environment variable with the schema, if not {@link #DEFAULT_SCHEMA}. */
  public static final String SCHEMA_ENV = "LOCAL_EXEC_PG_SCHEMA";

  /**
   * The environment variable with this host's name as the queue records it, if not the system's
   * host name (e.g. in containers whose host names are not stable).
   */
  public static final String HOST_ENV = "LOCAL_EXEC_HOST_NAME";

  /** The default schema. */
  public static final String DEFAULT_SCHEMA = "local_exec";

  /** The default pool size: a worker's claims, heartbeats and finishes rarely need more. */
  public static final int DEFAULT_POOL_SIZE = 4;

  private static final Pattern SCHEMA = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");

  /** Validates. */
  public PostgresQueueConfig {
    Objects.requireNonNull(url, "url");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "the queue URL must be a PostgreSQL JDBC URL (jdbc:postgresql://HOST:PORT/DB), got '"
              + displayUrl(url)
              + "'");
    }
    if (url.toLowerCase(Locale.ROOT).contains("password=")) {
      throw new IllegalArgumentException(
          "the queue URL must not carry a password; set "
              + PASSWORD_ENV
              + " (or PGPASSWORD) in the environment instead");
    }
    Objects.requireNonNull(schema, "schema");
    if (!SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "schema must match " + SCHEMA.pattern() + " (lower-case SQL name), got '" + schema + "'");
    }
    if (poolSize < 1 || poolSize > 64) {
      throw new IllegalArgumentException("poolSize must be in 1..64, got " + poolSize);
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
  }

  /**
   * The configuration for {@code url} with credentials, schema and host name from {@code env} (the
   * host name defaults to the system's), and the default pool size.
   */
  public static PostgresQueueConfig fromEnvironment(String url, Map<String, String> env) {
    String user = first(env, USER_ENV, "PGUSER");
    String password = first(env, PASSWORD_ENV, "PGPASSWORD");
    String schema = env.getOrDefault(SCHEMA_ENV, DEFAULT_SCHEMA);
    String host = env.get(HOST_ENV);
    return new PostgresQueueConfig(
        url,
        user,
        password,
        schema,
        DEFAULT_POOL_SIZE,
        host == null || host.isBlank() ? localHost() : host.strip());
  }

  /** This configuration with another schema. */
  public PostgresQueueConfig withSchema(String s) {
    return new PostgresQueueConfig(url, user, password, s, poolSize, host);
  }

  /** This configuration with another pool size. */
  public PostgresQueueConfig withPoolSize(int n) {
    return new PostgresQueueConfig(url, user, password, schema, n, host);
  }

  /** This configuration with another host name (e.g. to stand in for several hosts in tests). */
  public PostgresQueueConfig withHost(String h) {
    return new PostgresQueueConfig(url, user, password, schema, poolSize, h);
  }

  /** The URL without its query (where a driver option could hold something private). */
  public String displayUrl() {
    return displayUrl(url);
  }

  private static String displayUrl(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  /** The name of this host, as {@code hostname} prints it. */
  public static String localHost() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      if (name != null && !name.isBlank()) {
        return name;
      }
    } catch (UnknownHostException e) {
      // fall through to the environment
    }
    String env = System.getenv("HOSTNAME");
    return env == null || env.isBlank() ? "localhost" : env;
  }

  private static String first(Map<String, String> env, String a, String b) {
    String v = env.get(a);
    if (v == null || v.isEmpty()) {
      v = env.get(b);
    }
    return v == null || v.isEmpty() ? null : v;
  }

  /** Everything but the password. */
  @Override
  public String toString() {
    return "PostgresQueueConfig[url="
        + displayUrl()
        + ", user="
        + user
        + ", password="
        + (password == null ? "none" : "(set)")
        + ", schema="
        + schema
        + ", poolSize="
        + poolSize
        + ", host="
        + host
        + "]";
  }
}
