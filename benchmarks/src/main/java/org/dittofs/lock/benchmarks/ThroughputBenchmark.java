package org.dittofs.lock.benchmarks;

import java.util.concurrent.TimeUnit;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;
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
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * (c) Throughput of lock + unlock pairs, in memory, with 1 and 2 threads. Every thread is its own
 * client and owner. Every file already holds {@value #BACKGROUND} locks of another owner, so its
 * table stays alive between pairs.
 *
 * <ul>
 *   <li>{@code disjoint}: each thread locks a free gap of a file of its own.
 *   <li>{@code hot}: all threads lock different free gaps of one file (never conflicting, but
 *       serialised by the file's mutex).
 *   <li>{@code readers}: all threads lock one range of one file SHARED, so their locks meet (the
 *       readers of a database file: SQLite's clients all hold its shared-lock bytes), never
 *       conflicting; the workload where lanes do not pay ({@code Lanes}, "colliding owners").
 * </ul>
 *
 * <p>Three forks: with two threads the figure depends on which of their objects the collector put
 * in one cache line, drawn anew in every JVM (benchmarks/README.md, "Targets missed"); one fork is
 * one draw. The score is over all forks' iterations, and the report lists each fork's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(3)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class ThroughputBenchmark {
  static final int BACKGROUND = 10;

  @Param({Fixtures.DITTOFS, Fixtures.BASELINE})
  public String impl;

  Table table;
  FileHandle hot;
  FileHandle readers;

  @Setup(Level.Trial)
  public void setUp() {
    table = Table.of(impl);
    hot = Fixtures.file("hot");
    Fixtures.fill(table, hot, Fixtures.owner("other"), Fixtures.client("other"), BACKGROUND);
    readers = Fixtures.file("readers");
    Fixtures.fill(table, readers, Fixtures.owner("other"), Fixtures.client("other"), BACKGROUND);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    table.close();
  }

  /** One thread's requests. */
  @State(Scope.Thread)
  public static class Worker {
    LockRequest disjointLock;
    UnlockRequest disjointUnlock;
    LockRequest hotLock;
    UnlockRequest hotUnlock;
    LockRequest readerLock;
    UnlockRequest readerUnlock;

    @Setup(Level.Trial)
    public void setUp(ThroughputBenchmark b, ThreadParams thread) {
      int i = thread.getThreadIndex();
      LockOwner owner = Fixtures.owner("worker-" + i);
      LockClient client = Fixtures.client("worker-" + i);
      FileHandle own = Fixtures.file("own-" + i);
      Fixtures.fill(
          b.table, own, Fixtures.owner("other-" + i), Fixtures.client("other"), BACKGROUND);
      disjointLock =
          Fixtures.posix(own, owner, client, LockType.EXCLUSIVE, Fixtures.gap(BACKGROUND / 2));
      disjointUnlock = Fixtures.unlock(own, owner, disjointLock.range());
      hotLock = Fixtures.posix(b.hot, owner, client, LockType.EXCLUSIVE, Fixtures.gap(i));
      hotUnlock = Fixtures.unlock(b.hot, owner, hotLock.range());
      readerLock = Fixtures.posix(b.readers, owner, client, LockType.SHARED, Fixtures.gap(0));
      readerUnlock = Fixtures.unlock(b.readers, owner, readerLock.range());
    }
  }

  @Benchmark
  @Threads(1)
  public void disjoint1(Worker w, Blackhole bh) {
    pair(w.disjointLock, w.disjointUnlock, bh);
  }

  @Benchmark
  @Threads(2)
  public void disjoint2(Worker w, Blackhole bh) {
    pair(w.disjointLock, w.disjointUnlock, bh);
  }

  @Benchmark
  @Threads(1)
  public void hot1(Worker w, Blackhole bh) {
    pair(w.hotLock, w.hotUnlock, bh);
  }

  @Benchmark
  @Threads(2)
  public void hot2(Worker w, Blackhole bh) {
    pair(w.hotLock, w.hotUnlock, bh);
  }

  @Benchmark
  @Threads(1)
  public void readers1(Worker w, Blackhole bh) {
    pair(w.readerLock, w.readerUnlock, bh);
  }

  @Benchmark
  @Threads(2)
  public void readers2(Worker w, Blackhole bh) {
    pair(w.readerLock, w.readerUnlock, bh);
  }

  private void pair(LockRequest lock, UnlockRequest unlock, Blackhole bh) {
    LockResult r = table.lock(lock);
    if (!r.granted()) {
      throw new IllegalStateException("uncontended lock refused: " + r);
    }
    table.unlock(unlock);
    bh.consume(r);
  }
}
