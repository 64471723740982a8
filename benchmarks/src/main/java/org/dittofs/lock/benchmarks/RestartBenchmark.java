package org.dittofs.lock.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dittofs.lock.benchmarks.baseline.ListLockTable;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.store.h2.H2Stores;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
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
 * (f) Restart recovery: from opening the H2 store that holds {@code locks} persisted lock records
 * (over {@code files} files, 10 owners and clients) to a started {@link MetadataManager} whose lock
 * manager holds them all and serves (in its grace period, as after any restart with state).
 *
 * <p>Baseline {@link #rawRestore}: one plain JDBC query over the same table of the same database,
 * each row turned into the same {@link Lock} record and appended to the {@link ListLockTable}.
 *
 * <p>The database is written once per suite run (through the store's own {@code commit} in
 * transactions of 10,000 records) in the directory named by the {@value #WORKDIR_PROPERTY} system
 * property, or in a temporary directory of the fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class RestartBenchmark {
  static final String WORKDIR_PROPERTY = "dittofs.bench.workdir";

  @Param({"1000000"})
  public int locks;

  @Param({"10000"})
  public int files;

  private Path dir;
  private boolean ownDir;
  private JdbcMetadataStore store;
  private MetadataManager service;
  private ListLockTable baseline;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Fixtures.quietLogs();
    String work = System.getProperty(WORKDIR_PROPERTY);
    ownDir = work == null;
    dir =
        ownDir
            ? Fixtures.tempDir("dittofs-bench-restart")
            : Path.of(work, "restart-h2-" + locks + "-" + files);
    Path ready = dir.resolve("READY");
    if (!Files.exists(ready)) {
      populate(dir, locks, files);
      Files.writeString(ready, "populated\n");
    }
  }

  /** Writes the records through the store, 10,000 per transaction, and marks a clean shutdown. */
  static void populate(Path dir, int locks, int files) {
    try (JdbcMetadataStore s = H2Stores.open(dir)) {
      Instant now = Clock.systemUTC().instant();
      int perFile = Math.max(1, locks / files);
      List<LockStoreOp> batch = new ArrayList<>(10_000);
      for (int i = 0; i < locks; i++) {
        int f = i / perFile;
        int k = i % perFile;
        Lock l =
            new Lock(
                new LockId(1, i + 1),
                LockOwner.of("nlm:restart:" + (k % 10)),
                new LockClient("restart-" + (k % 10), "nlm"),
                Fixtures.SHARE,
                FileHandle.of("restart-file-" + f),
                Fixtures.slot(k),
                (k / 10) % 2 == 0 ? LockType.SHARED : LockType.EXCLUSIVE,
                LockFlavour.POSIX,
                now,
                1);
        batch.add(new LockStoreOp.Put(PersistedLock.of(l)));
        if (batch.size() == 10_000 || i == locks - 1) {
          List<LockStoreOp> ops = List.copyOf(batch);
          s.inTransaction(
              tx -> {
                tx.locks().apply(ops);
                return null;
              });
          batch.clear();
        }
      }
      s.inTransaction(
          tx -> {
            tx.locks().setServerEpoch(1);
            tx.locks().setCleanShutdown(true);
            return null;
          });
    }
  }

  @TearDown(Level.Iteration)
  public void stop() {
    if (service != null) {
      service.close();
      service = null;
    }
    if (store != null) {
      store.close();
      store = null;
    }
    baseline = null;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (ownDir) {
      Fixtures.deleteTree(dir);
    }
  }

  /** (f) Open the store and start the service: the lock manager restores every record. */
  @Benchmark
  public MetadataManager recover() {
    store = H2Stores.open(dir);
    service =
        MetadataServices.over(store)
            .config(Fixtures.unlimited())
            .sweepInterval(Duration.ZERO)
            .start();
    long held = service.lockManager().lockCount();
    if (held != locks) {
      throw new IllegalStateException("restored " + held + " of " + locks + " locks");
    }
    return service;
  }

  /** (f) baseline: one raw query into the list-per-file table. */
  @Benchmark
  public ListLockTable rawRestore() throws SQLException {
    baseline = new ListLockTable(2);
    try (Connection c = DriverManager.getConnection(H2Stores.url(dir), H2Stores.DEFAULT_USER, "")) {
      long n = RawLocks.restoreInto(c, baseline);
      if (n != locks) {
        throw new IllegalStateException("read " + n + " of " + locks + " locks");
      }
    }
    return baseline;
  }
}
