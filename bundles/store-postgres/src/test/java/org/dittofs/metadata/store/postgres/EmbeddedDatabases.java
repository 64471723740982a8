package org.dittofs.metadata.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Databases on an embedded PostgreSQL server, for this module's tests ({@link PostgresServer}) and
 * the integration tests, which run JUnit 4 and get this class through the module's test-jar.
 */
public final class EmbeddedDatabases {
  private EmbeddedDatabases() {}

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
