package org.dittofs.metadata.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Databases on an embedded PostgreSQL server, for this module's tests ({@link PostgresServer}), and
 * through the module's test-jar for the integration tests (JUnit 4), the reliability tests and the
 * benchmarks (servers of their own, which must be durable).
 */
public final class EmbeddedDatabases {
  private EmbeddedDatabases() {}

  /**
   * Fails unless the server {@code c} is connected to commits durably: fsync, synchronous_commit
   * and full_page_writes on (an embedded server may be started without them).
   */
  public static void requireDurable(Connection c) {
    try (Statement s = c.createStatement()) {
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

  /** Creates {@code database} on {@code pg} unless it exists. */
  public static void ensure(EmbeddedPostgres pg, String database) {
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
}
