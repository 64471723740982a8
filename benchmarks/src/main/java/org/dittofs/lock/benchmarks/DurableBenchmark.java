package org.dittofs.lock.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.store.h2.H2Stores;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * (d) Durable grant + release pairs per second through a real store, against raw JDBC commits on
 * the same database. Each thread is one client with a file of its own.
 *
 * <ul>
 *   <li>{@code managed1}/{@code managed8}: {@code lock} then {@code unlock} on the lock manager of
 *       a {@link MetadataManager} over the store (H2 with {@code WRITE_DELAY=0}; PostgreSQL with
 *       fsync and synchronous_commit on). The grant returns once its commit is durable; the release
 *       is committed by the releasing thread unless another thread's commit round takes it (group
 *       commit), so with one client a pair is two commits.
 *   <li>{@code raw1}/{@code raw8}: one connection per thread, {@code INSERT} of the same row shape
 *       into the same table and commit, then {@code DELETE} and commit: two commits per pair.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 3)
public class DurableBenchmark {
  @Param({"h2", "postgres"})
  public String store;

  private Path dir;
  private Postgres postgres;
  private String database;
  private String rawUrl;
  private String rawUser;
  private JdbcMetadataStore metadataStore;
  private MetadataManager service;
  LockManager locks;

  @Setup(Level.Trial)
  public void setUp() {
    Fixtures.quietLogs();
    switch (store) {
      case "h2" -> {
        dir = Fixtures.tempDir("dittofs-bench-durable-h2");
        metadataStore = H2Stores.open(dir);
        rawUrl = H2Stores.url(dir);
        rawUser = H2Stores.DEFAULT_USER;
      }
      case "postgres" -> {
        postgres = Postgres.shared();
        database = postgres.createDatabase("bench_durable");
        rawUrl = postgres.url(database);
        rawUser = Postgres.USER;
        metadataStore = PostgresStores.open(rawUrl, rawUser, null);
      }
      default -> throw new IllegalArgumentException("unknown store " + store);
    }
    service =
        MetadataServices.over(metadataStore)
            .config(Fixtures.unlimited())
            .sweepInterval(Duration.ZERO)
            .start();
    locks = service.lockManager();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    service.close();
    metadataStore.close();
    Fixtures.deleteTree(dir);
    if (postgres != null) {
      postgres.dropDatabase(database);
      postgres.close();
    }
  }

  /** One client of the lock manager. */
  @State(Scope.Thread)
  public static class Client {
    LockRequest lock;
    UnlockRequest unlock;

    @Setup(Level.Trial)
    public void setUp(ThreadParams thread) {
      int i = thread.getThreadIndex();
      FileHandle file = Fixtures.file("durable-" + i);
      LockOwner owner = Fixtures.owner("durable-" + i);
      lock =
          Fixtures.posix(
              file, owner, Fixtures.client("durable-" + i), LockType.EXCLUSIVE, Fixtures.gap(0));
      unlock = Fixtures.unlock(file, owner, lock.range());
    }
  }

  /** One raw JDBC connection. */
  @State(Scope.Thread)
  public static class RawClient {
    private final Clock clock = Clock.systemUTC();
    Connection connection;
    PreparedStatement insert;
    PreparedStatement delete;
    FileHandle file;
    String prefix;
    long sequence;

    @Setup(Level.Trial)
    public void setUp(DurableBenchmark b, ThreadParams thread) throws SQLException {
      connection = DriverManager.getConnection(b.rawUrl, b.rawUser, "");
      connection.setAutoCommit(false);
      insert = connection.prepareStatement(RawLocks.INSERT);
      delete = connection.prepareStatement(RawLocks.DELETE);
      file = Fixtures.file("raw-" + thread.getThreadIndex());
      prefix = "raw-" + thread.getThreadIndex() + ".";
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
      connection.close();
    }

    void pair() throws SQLException {
      String id = prefix + sequence++;
      RawLocks.bind(
          insert,
          new PersistedLock(
              id,
              PersistedLock.Kind.LOCK,
              Fixtures.SHARE,
              file,
              "nlm:bench:raw",
              "bench-raw",
              "nlm",
              LockFlavour.POSIX,
              LockType.EXCLUSIVE,
              ByteRange.span(5, 5),
              null,
              null,
              clock.instant(),
              1));
      insert.executeUpdate();
      connection.commit();
      delete.setString(1, id);
      delete.executeUpdate();
      connection.commit();
    }
  }

  @Benchmark
  @Threads(1)
  public LockResult managed1(Client c) {
    return pair(c);
  }

  @Benchmark
  @Threads(8)
  public LockResult managed8(Client c) {
    return pair(c);
  }

  @Benchmark
  @Threads(1)
  public void raw1(RawClient c) throws SQLException {
    c.pair();
  }

  @Benchmark
  @Threads(8)
  public void raw8(RawClient c) throws SQLException {
    c.pair();
  }

  private LockResult pair(Client c) {
    LockResult r = locks.lock(c.lock);
    if (!r.granted()) {
      throw new IllegalStateException("uncontended lock refused: " + r);
    }
    locks.unlock(c.unlock);
    return r;
  }
}
