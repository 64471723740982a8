package org.dittofs.metadata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.Records;
import org.dittofs.metadata.spi.MetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the kit relies on from {@link PostgresFixture}: isolation, reopen, and cleanup. */
@ExtendWith(PostgresServer.class)
class PostgresFixtureTest {

  @Test
  void eachFixtureHasASchemaOfItsOwnThatReopenKeepsAndDisposeDrops() throws SQLException {
    PostgresFixture one = new PostgresFixture();
    PostgresFixture two = new PostgresFixture();
    try {
      MetadataStore first = one.create();
      first.inTransaction(
          tx -> {
            tx.locks().putLock(Records.lock("1.1").build());
            return tx.locks().incrementServerEpoch();
          });
      MetadataStore second = two.create();
      List<PersistedLock> inSecond =
          second.inTransaction(tx -> tx.locks().listLocks(LockQuery.all()));
      assertThat(inSecond).isEmpty();
      long secondEpoch = second.inTransaction(tx -> tx.locks().getServerEpoch());
      assertThat(secondEpoch).isZero();
      assertThat(schemasWithTable("locks")).hasSize(2).noneMatch("public"::equals);

      ((AutoCloseable) first).close();
      MetadataStore again = one.reopen();
      Optional<PersistedLock> kept = again.inTransaction(tx -> tx.locks().getLock("1.1"));
      assertThat(kept).isPresent();
      long epoch = again.inTransaction(tx -> tx.locks().getServerEpoch());
      assertThat(epoch).isEqualTo(1);
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      one.dispose();
      two.dispose();
    }
    assertThat(schemasWithTable("locks")).isEmpty();
    one.dispose(); // idempotent
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
