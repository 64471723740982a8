package org.dittofs.metadata.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.store.testkit.AbstractStoreFixtureTest;
import org.dittofs.metadata.store.testkit.LocatedStoreFixture;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the kit relies on from {@link PostgresFixture}: a schema per fixture, reopen, cleanup. */
@ExtendWith(PostgresServer.class)
class PostgresFixtureTest extends AbstractStoreFixtureTest<String> {
  @Override
  protected LocatedStoreFixture<String> newFixture() {
    return new PostgresFixture();
  }

  /** The schema has the store's tables (and is not the public schema). */
  @Override
  protected boolean exists(String schema) {
    try {
      return !schema.equals("public") && schemasWithTable("locks").contains(schema);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> schemasWithTable(String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = PostgresServer.dataSource(PostgresFixture.DATABASE).getConnection();
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
}
