package org.dittofs.metadata.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.testkit.LocatedStoreFixture;

/**
 * The PostgreSQL store for the kit's suites, on the embedded server of {@link PostgresServer}
 * (which the test class must extend with). Every {@link #create()} creates a new schema in the
 * database {@value #DATABASE} and opens a store whose connections use it ({@code currentSchema=} in
 * the URL), so each test starts from a freshly migrated, empty schema of its own; a schema costs a
 * fraction of a database (no template copy, no checkpoint). {@link #reopen()} opens a store over
 * the same schema once the suite has closed the previous one; {@link #dispose()} closes what is
 * open and drops the schema with everything in it.
 */
final class PostgresFixture extends LocatedStoreFixture<String> {
  /** The database every fixture makes its schemas in. */
  static final String DATABASE = "kit";

  private static final AtomicLong SCHEMAS = new AtomicLong();

  @Override
  public String name() {
    return "postgres";
  }

  /** The embedded server is up: the test class started it through {@link PostgresServer}. */
  @Override
  public boolean isAvailable() {
    try {
      PostgresServer.url(DATABASE);
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  @Override
  protected String newLocation() {
    String name = "kit_" + SCHEMAS.incrementAndGet();
    admin("CREATE SCHEMA " + name);
    return name;
  }

  @Override
  protected MetadataStore open(String schema) {
    String url = PostgresServer.url(DATABASE);
    url += (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return PostgresStores.open(url, PostgresServer.user(), null);
  }

  @Override
  protected void delete(String schema) {
    admin("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  /** The schema has the store's tables (and is not the public schema). */
  @Override
  public boolean exists(String schema) {
    try {
      return !schema.equals("public") && schemasWithTable("locks").contains(schema);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> schemasWithTable(String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = PostgresServer.dataSource(DATABASE).getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /** Runs DDL on an admin connection to the fixtures' database. */
  private static void admin(String ddl) {
    try (Connection c = PostgresServer.dataSource(DATABASE).getConnection();
        Statement s = c.createStatement()) {
      s.execute(ddl);
    } catch (SQLException e) {
      throw new IllegalStateException(ddl + " failed", e);
    }
  }
}
