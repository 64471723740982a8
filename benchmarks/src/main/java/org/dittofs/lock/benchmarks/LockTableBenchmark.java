package org.dittofs.lock.benchmarks;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * (a) and (b): one client on a file that already holds {@code n} POSIX locks of another owner
 * (alternately SHARED and EXCLUSIVE, 5 bytes every 10), single-threaded, in memory.
 *
 * <ul>
 *   <li>{@link #lockUnlock}: an EXCLUSIVE lock of the free 5-byte gap in the middle of the file and
 *       its release; granted every time (uncontended). Both trees of the manager are searched.
 *   <li>{@link #testFree}: F_GETLK of that free gap by a third owner: no conflict.
 *   <li>{@link #testConflict}: F_GETLK of the middle lock's bytes: one conflict (for n = 0, none).
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class LockTableBenchmark {
  @Param({Fixtures.DITTOFS, Fixtures.BASELINE})
  public String impl;

  @Param({"0", "10", "1000", "100000"})
  public int n;

  private Table table;
  private LockRequest mine;
  private UnlockRequest release;
  private LockRequest probeFree;
  private LockRequest probeConflict;

  @Setup(Level.Trial)
  public void setUp() {
    table = Table.of(impl);
    FileHandle file = Fixtures.file("a");
    Fixtures.fill(table, file, Fixtures.owner("other"), Fixtures.client("other"), n);
    LockOwner me = Fixtures.owner("me");
    LockClient client = Fixtures.client("me");
    mine = Fixtures.posix(file, me, client, LockType.EXCLUSIVE, Fixtures.gap(n / 2));
    release = Fixtures.unlock(file, me, mine.range());
    LockOwner prober = Fixtures.owner("prober");
    probeFree = Fixtures.posix(file, prober, client, LockType.EXCLUSIVE, Fixtures.gap(n / 2));
    probeConflict = Fixtures.posix(file, prober, client, LockType.EXCLUSIVE, Fixtures.slot(n / 2));
    // the workload is what it says
    Fixtures.granted(table.lock(mine));
    table.unlock(release);
    if (table.test(probeFree).isPresent() || table.test(probeConflict).isPresent() != (n > 0)) {
      throw new IllegalStateException("benchmark setup: unexpected test answers");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    table.close();
  }

  /** (a) One uncontended lock + unlock pair. */
  @Benchmark
  public void lockUnlock(Blackhole bh) {
    LockResult r = table.lock(mine);
    table.unlock(release);
    bh.consume(r);
  }

  /** (b) A test that finds no conflict. */
  @Benchmark
  public Optional<Lock> testFree() {
    return table.test(probeFree);
  }

  /** (b) A test that finds one conflict. */
  @Benchmark
  public Optional<Lock> testConflict() {
    return table.test(probeConflict);
  }
}
