package org.dittofs.lock.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.SwapReport;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.store.h2.H2Stores;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.dittofs.metadata.store.postgres.PostgresStores;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (e) Hot swap of a serving metadata service from its H2 store to PostgreSQL (durable settings)
 * with {@code locks} live locks: {@link MetadataManager#swapStore} from call to return, which is
 * the time lock traffic is held plus the log line. The locks are granted through the lock manager
 * ({@value #LOCKS_PER_FILE} per file, 10 owners per file) while it runs on a memory store, which is
 * then swapped to H2; before each measured swap the service is back on H2 and the PostgreSQL table
 * is empty.
 *
 * <p>Baseline {@link #rawCopy}: the same records inserted into the same PostgreSQL table by plain
 * JDBC in one transaction (batches of 1000), i.e. the copy alone with nothing around it.
 *
 * <p>{@code rewrite}: the value of pgjdbc's {@code reWriteBatchedInserts} in the PostgreSQL JDBC
 * URL of both (the store's and the raw copy's); it sends a batch of inserts as multi-row inserts.
 * The store turns it on unless the URL says otherwise, so {@code true} is the store's default.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 1)
@Measurement(iterations = 4)
public class SwapBenchmark {
  static final int LOCKS_PER_FILE = 100;

  @Param({"100000"})
  public int locks;

  @Param({"false", "true"})
  public boolean rewrite;

  private Path dir;
  private Postgres postgres;
  private String database;
  private String url;
  private JdbcMetadataStore h2;
  private JdbcMetadataStore pg;
  private MetadataManager service;
  private List<PersistedLock> records;

  @Setup(Level.Trial)
  public void setUp() {
    Fixtures.quietLogs();
    postgres = Postgres.shared();
    database = postgres.createDatabase("bench_swap");
    url = postgres.url(database) + "?reWriteBatchedInserts=" + rewrite;
    pg = PostgresStores.open(url, Postgres.USER, null);
    dir = Fixtures.tempDir("dittofs-bench-swap-h2");
    h2 = H2Stores.open(dir);
    service =
        MetadataServices.over(new MemoryMetadataStore())
            .config(Fixtures.unlimited())
            .sweepInterval(Duration.ZERO)
            .start();
    grant(service.lockManager(), locks);
    service.swapStore(h2);
    records = h2.inTransaction(tx -> tx.locks().listLocks(LockQuery.all()));
    if (records.size() != locks) {
      throw new IllegalStateException("expected " + locks + " records in h2, found " + records);
    }
  }

  /**
   * Grants {@code count} POSIX locks: 100 per file, from 10 owners (owner k holds slots k, k+10,
   * ...), alternately SHARED and EXCLUSIVE.
   */
  static void grant(LockManager m, int count) {
    for (int i = 0; i < count; i++) {
      int f = i / LOCKS_PER_FILE;
      int k = i % LOCKS_PER_FILE;
      FileHandle file = Fixtures.file("swap-" + f);
      LockOwner owner = Fixtures.owner("swap-" + (k % 10));
      LockClient client = Fixtures.client("swap-" + (k % 10));
      LockType type = (k / 10) % 2 == 0 ? LockType.SHARED : LockType.EXCLUSIVE;
      Fixtures.granted(m.lock(Fixtures.posix(file, owner, client, type, Fixtures.slot(k))));
    }
  }

  @Setup(Level.Iteration)
  public void backToH2() throws SQLException {
    if (service.store() != h2) {
      service.swapStore(h2);
    }
    try (Connection c = DriverManager.getConnection(url, Postgres.USER, "")) {
      RawLocks.deleteAll(c);
    }
  }

  @TearDown(Level.Iteration)
  public void check() {
    long n = pg.inTransaction(tx -> tx.locks().listLocks(LockQuery.all())).size();
    if (n != locks) {
      throw new IllegalStateException("expected " + locks + " records in postgres, found " + n);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    service.close();
    h2.close();
    pg.close();
    Fixtures.deleteTree(dir);
    postgres.dropDatabase(database);
    postgres.close();
  }

  /** (e) The swap h2 -> postgres of every live lock. */
  @Benchmark
  public SwapReport swap() {
    return service.swapStore(pg);
  }

  /** (e) baseline: the same rows into the same table by plain JDBC, one transaction. */
  @Benchmark
  public int rawCopy() throws SQLException {
    try (Connection c = DriverManager.getConnection(url, Postgres.USER, "")) {
      RawLocks.insertAll(c, records, 1000);
    }
    return records.size();
  }
}
