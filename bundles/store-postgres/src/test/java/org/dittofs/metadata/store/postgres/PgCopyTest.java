package org.dittofs.metadata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dittofs.metadata.store.jdbc.JdbcStoreContract.BULK_MIN;
import static org.dittofs.metadata.store.jdbc.JdbcStoreContract.LOCK_COLUMNS;
import static org.dittofs.metadata.store.jdbc.JdbcStoreContract.awkwardRecords;
import static org.dittofs.metadata.store.jdbc.JdbcStoreContract.rowValues;

import java.io.IOException;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.Transaction;
import org.dittofs.metadata.store.jdbc.BulkInsert;
import org.dittofs.metadata.store.jdbc.Dialect;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.dittofs.metadata.store.jdbc.Records;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link PgCopy} on a real server: that a large list of new records goes by {@code COPY} and comes
 * back as it was, that a row still in the table makes the store upsert instead, and the text form
 * of each kind of value. (What the list does, bulk or not, is {@code JdbcStoreContract}'s.)
 */
@ExtendWith(PostgresServer.class)
class PgCopyTest {
  private static final String DATABASE = "pgcopy";

  /** {@link PgCopy}, counting its calls and the unique violations it met. */
  static final class Counting implements BulkInsert {
    int calls;
    int refused;
    boolean usable = true;

    @Override
    public boolean supports(Connection c) {
      return usable && PgCopy.INSTANCE.supports(c);
    }

    @Override
    public void insert(Connection c, String table, List<String> columns, List<Object[]> rows)
        throws SQLException {
      calls++;
      try {
        PgCopy.INSTANCE.insert(c, table, columns, rows);
      } catch (SQLException e) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
          refused++;
        }
        throw e;
      }
    }
  }

  private final Counting copy = new Counting();
  private JdbcMetadataStore store;

  @BeforeEach
  void open() throws SQLException {
    DataSource db = PostgresServer.dataSource(DATABASE);
    store = JdbcMetadataStore.open(db, Dialect.POSTGRESQL, () -> {}, copy);
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM locks");
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aLargeListOfNewRecordsGoesByCopyAndComesBackAsItWas() {
    List<PersistedLock> records = awkwardRecords(BULK_MIN + 100);
    apply(puts(records));
    assertThat(copy.calls).isEqualTo(1);
    assertThat(copy.refused).isZero();
    assertThat(all()).containsExactlyInAnyOrderElementsOf(records);
  }

  @Test
  void aRowStillInTheTableMakesTheStoreUpsertInstead() {
    List<PersistedLock> records = awkwardRecords(BULK_MIN);
    PersistedLock there = Records.lock(records.get(17).id(), "before", ByteRange.span(3, 4));
    store.inTransaction(
        tx -> {
          tx.locks().putLock(there);
          return null;
        });
    apply(puts(records));
    assertThat(copy.calls).isEqualTo(1);
    assertThat(copy.refused).isEqualTo(1);
    assertThat(all()).containsExactlyInAnyOrderElementsOf(records);
  }

  @Test
  void aSwapBackDeletesEveryRowStillThereInChunks() {
    List<PersistedLock> held = new ArrayList<>();
    for (int i = 0; i < 10_001; i++) { // one more than a chunk of deletes
      held.add(Records.lock("held." + i, "o", ByteRange.span(i, 1)));
    }
    apply(puts(held));
    List<PersistedLock> live = awkwardRecords(BULK_MIN);
    List<LockStoreOp> ops = new ArrayList<>();
    held.forEach(r -> ops.add(new LockStoreOp.Delete(r.id())));
    ops.addAll(puts(live));
    apply(ops);
    assertThat(copy.calls).isEqualTo(2);
    assertThat(copy.refused).isZero();
    assertThat(all()).containsExactlyInAnyOrderElementsOf(live);
  }

  @Test
  void fewerThanTheThresholdGoInBatches() {
    List<PersistedLock> records = awkwardRecords(BULK_MIN - 1);
    apply(puts(records));
    assertThat(copy.calls).isZero();
    assertThat(all()).containsExactlyInAnyOrderElementsOf(records);
  }

  @Test
  void aConnectionTheCopyCannotUseGetsBatches() {
    copy.usable = false;
    List<PersistedLock> records = awkwardRecords(BULK_MIN + 1);
    apply(puts(records));
    assertThat(copy.calls).isZero();
    assertThat(all()).containsExactlyInAnyOrderElementsOf(records);
  }

  @Test
  void aValueWithNoTextFormCancelsTheCopyAndLeavesNothing() throws SQLException {
    DataSource db = PostgresServer.dataSource(DATABASE);
    List<Object[]> rows = new ArrayList<>();
    awkwardRecords(3).forEach(r -> rows.add(rowValues(r)));
    Object[] bad = rows.get(2).clone();
    bad[16] = 1.5; // a double: no text form
    rows.set(2, bad);
    try (Connection c = db.getConnection()) {
      assertThat(PgCopy.INSTANCE.supports(c)).isTrue();
      c.setAutoCommit(false);
      assertThatThrownBy(() -> PgCopy.INSTANCE.insert(c, "locks", LOCK_COLUMNS, rows))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("no COPY text form");
      c.commit(); // the copy was cancelled: the transaction is aborted and commits nothing
    }
    assertThat(PostgresServer.count(db, "SELECT count(*) FROM locks")).isZero();
  }

  @Test
  void eachValueHasItsTextForm() throws IOException {
    assertThat(form(null)).isEqualTo("\\N");
    assertThat(form("plain")).isEqualTo("plain");
    assertThat(form("a\\b\tc\nd\re")).isEqualTo("a\\\\b\\tc\\nd\\re");
    assertThat(form("\\.")).isEqualTo("\\\\.");
    assertThat(form("\\N")).isEqualTo("\\\\N");
    assertThat(form("Grüße 🔒")).isEqualTo("Grüße 🔒");
    assertThat(form(new byte[] {0, 0x5c, (byte) 0xff, 0x0a})).isEqualTo("\\\\x005cff0a");
    assertThat(form(new byte[0])).isEqualTo("\\\\x");
    assertThat(form(Long.MIN_VALUE)).isEqualTo("-9223372036854775808");
    assertThat(form(7)).isEqualTo("7");
    assertThat(form(true)).isEqualTo("t");
    assertThat(form(false)).isEqualTo("f");
  }

  private static String form(Object v) throws IOException {
    StringWriter w = new StringWriter();
    PgCopy.field(w, v);
    return w.toString();
  }

  private static List<LockStoreOp> puts(List<PersistedLock> records) {
    List<LockStoreOp> ops = new ArrayList<>();
    records.forEach(r -> ops.add(new LockStoreOp.Put(r)));
    return ops;
  }

  private void apply(List<LockStoreOp> ops) {
    try (Transaction tx = store.begin()) {
      tx.locks().apply(ops);
      tx.commit();
    }
  }

  private List<PersistedLock> all() {
    return store.inTransaction(tx -> tx.locks().listLocks(LockQuery.all()));
  }
}
