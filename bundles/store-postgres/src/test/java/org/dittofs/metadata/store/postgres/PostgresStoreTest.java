package org.dittofs.metadata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.spi.Transaction;
import org.dittofs.metadata.store.jdbc.Dialect;
import org.dittofs.metadata.store.jdbc.FaultyDataSource;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.dittofs.metadata.store.jdbc.JdbcStoreContract;
import org.dittofs.metadata.store.jdbc.Migrations;
import org.dittofs.metadata.store.jdbc.Records;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The JDBC store contract on a real PostgreSQL server, and what is PostgreSQL's own. */
@ExtendWith(PostgresServer.class)
class PostgresStoreTest extends JdbcStoreContract {
  private static final String DATABASE = "contract";

  @Override
  protected Dialect dialect() {
    return Dialect.POSTGRESQL;
  }

  @Override
  protected DataSource rawDataSource() {
    return PostgresServer.dataSource(DATABASE);
  }

  @Override
  protected JdbcMetadataStore openStore() {
    return PostgresStores.open(PostgresServer.url(DATABASE), PostgresServer.user(), null);
  }

  @Test
  void textPostgresCannotHoldIsInvalidArgumentAndNeverMatches() {
    try (Transaction tx = store.begin()) {
      assertThatThrownBy(() -> tx.locks().putLock(Records.lock("a\u0000b", "o", ByteRange.whole())))
          .isInstanceOfSatisfying(
              StoreError.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains("lock record id", "NUL");
              });
      assertThatThrownBy(
              () ->
                  tx.locks()
                      .putLock(
                          Records.lock("1.1", "export", FileHandle.of("f"), "x\uD800", "c", "nlm")))
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.getMessage()).contains("owner id", "surrogate"));
      assertThat(tx.locks().getLock("a\u0000b")).isEmpty();
      assertThat(tx.locks().listLocks(LockQuery.all().withOwner("x\uD800"))).isEmpty();
      assertThat(tx.locks().deleteLocksByClient("\u0000")).isZero();
      assertThat(tx.locks().deleteLock("\u0000")).isFalse();
      assertThat(tx.getShare("\u0000")).isEmpty();
      tx.locks()
          .apply(List.of(new LockStoreOp.Delete("\u0000"))); // nothing to delete, not an error
      tx.locks().putLock(Records.lock("1.2", "o", ByteRange.whole()));
      tx.commit();
    }
    assertThat(store.inTransaction(tx -> tx.locks().getLock("1.2").isPresent()).booleanValue())
        .isTrue();
  }

  /**
   * Two SERIALIZABLE transactions read the epoch, then both increment it: PostgreSQL fails the
   * second with a real serialization failure (40001), and inTransaction runs it again.
   */
  @Test
  void realSerializationFailureIsRetried() throws Exception {
    FaultyDataSource serializable =
        new FaultyDataSource(rawDataSource()).isolation(Connection.TRANSACTION_SERIALIZABLE);
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch bothRead = new CountDownLatch(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (JdbcMetadataStore strict =
        JdbcMetadataStore.open(serializable, Dialect.POSTGRESQL, () -> {})) {
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        results.add(
            pool.submit(
                () ->
                    strict.inTransaction(
                        tx -> {
                          runs.incrementAndGet();
                          tx.locks().getServerEpoch(); // takes the snapshot
                          bothRead.countDown();
                          await(bothRead);
                          return tx.locks().incrementServerEpoch();
                        })));
      }
      List<Long> epochs = new ArrayList<>();
      for (Future<Long> f : results) {
        epochs.add(f.get(30, TimeUnit.SECONDS));
      }
      assertThat(epochs).containsExactlyInAnyOrder(1L, 2L);
      assertThat(runs.get()).isGreaterThanOrEqualTo(3);
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.inTransaction(tx -> tx.locks().getServerEpoch()).longValue()).isEqualTo(2);
  }

  @Test
  void concurrentStartersMigrateAFreshDatabaseOnce() throws Exception {
    String url = PostgresServer.url("race");
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<JdbcMetadataStore>> opened = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        opened.add(pool.submit(() -> PostgresStores.open(url, PostgresServer.user(), null)));
      }
      for (Future<JdbcMetadataStore> f : opened) {
        try (JdbcMetadataStore s = f.get(30, TimeUnit.SECONDS)) {
          assertThat(s.inTransaction(tx -> tx.locks().getServerEpoch()).longValue()).isZero();
        }
      }
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = PostgresServer.dataSource("race").getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM schema_version")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(new Migrations(Dialect.POSTGRESQL).latestVersion());
    }
  }

  @Test
  void unreachableServerIsStoreUnavailableAndAForeignUrlInvalid() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                PostgresStores.open(
                    "jdbc:postgresql://127.0.0.1:" + closedPort + "/x?password=hunter2", "u", null))
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
              assertThat(e.getMessage()).doesNotContain("hunter2");
            });
    assertThatThrownBy(() -> PostgresStores.open("jdbc:mysql://db/x?password=hunter2", "u", null))
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("jdbc:mysql://db/x").doesNotContain("hunter2");
            });
  }

  @Test
  void indexesServeTheLockQueries() throws SQLException {
    List<String> indexes = new ArrayList<>();
    try (Connection c = rawDataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT indexdef FROM pg_indexes WHERE tablename = 'locks'")) {
      while (rs.next()) {
        indexes.add(rs.getString(1));
      }
    }
    assertThat(indexes)
        .anyMatch(d -> d.contains("(file)"))
        .anyMatch(d -> d.contains("(owner)"))
        .anyMatch(d -> d.contains("(client_id)"))
        .anyMatch(d -> d.contains("(share)"));
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the other transaction never read");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void batchedInsertsAreRewrittenUnlessTheUrlSaysOtherwise() {
    assertThat(PostgresStores.withBatchRewrite("jdbc:postgresql://h:5432/db"))
        .isEqualTo("jdbc:postgresql://h:5432/db?reWriteBatchedInserts=true");
    assertThat(PostgresStores.withBatchRewrite("jdbc:postgresql://h/db?ssl=true"))
        .isEqualTo("jdbc:postgresql://h/db?ssl=true&reWriteBatchedInserts=true");
    assertThat(
            PostgresStores.withBatchRewrite("jdbc:postgresql://h/db?rewritebatchedinserts=false"))
        .isEqualTo("jdbc:postgresql://h/db?rewritebatchedinserts=false");
    assertThat(PostgresStores.withBatchRewrite(null)).isNull();
  }
}
