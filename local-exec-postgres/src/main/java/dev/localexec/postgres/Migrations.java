package dev.localexec.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue's schema, versioned: numbered SQL scripts ({@code migrations/V1__init.sql}, ...)
 * applied in order, each once, recorded in {@code schema_version} with its SHA-256. All of it runs
 * in one transaction under an advisory lock, so several processes starting at once apply each
 * script once; a script whose recorded checksum no longer matches stops the queue from opening.
 */
final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** The scripts, in order; a new one is appended, never edited once released. */
  static final List<String> SCRIPTS = List.of("V1__init.sql");

  private Migrations() {}

  /**
   * Brings {@code schema} up to the newest version.
   *
   * @return the version it is at afterwards
   */
  static int migrate(Connection c, String schema) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("SELECT pg_advisory_xact_lock(hashtext('local-exec:migrate:" + schema + "'))");
      st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + schema
              + ".schema_version (version integer PRIMARY KEY, script text NOT NULL,"
              + " sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
      int version = 0;
      for (int i = 0; i < SCRIPTS.size(); i++) {
        String name = SCRIPTS.get(i);
        int v = i + 1;
        String sql = read(name);
        String sha = sha256(sql);
        String recorded = recorded(c, schema, v);
        if (recorded != null) {
          if (!recorded.equals(sha)) {
            throw new SQLException(
                "schema "
                    + schema
                    + " version "
                    + v
                    + " ("
                    + name
                    + ") was applied with another script (sha256 "
                    + recorded
                    + ", this build's is "
                    + sha
                    + "); this build cannot use that database");
          }
        } else {
          st.execute(sql.replace("${schema}", schema));
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO "
                      + schema
                      + ".schema_version (version, script, sha256) VALUES (?, ?, ?)")) {
            ps.setInt(1, v);
            ps.setString(2, name);
            ps.setString(3, sha);
            ps.executeUpdate();
          }
          LOG.info("queue schema {}: applied {}", schema, name);
        }
        version = v;
      }
      c.commit();
      return version;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  private static String recorded(Connection c, String schema, int version) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT sha256 FROM " + schema + ".schema_version WHERE version = ?")) {
      ps.setInt(1, version);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  static String read(String name) {
    String path = "migrations/" + name;
    try (InputStream in = Migrations.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("migration " + path + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read migration " + path, e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
