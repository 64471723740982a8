package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.Requests;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.junit.jupiter.api.Test;

/**
 * Many threads on many files and on one hot file, then the invariants: no two conflicting locks of
 * different owners, counters equal to records, every record reachable through the index. The run is
 * bounded by operation counts, never by time.
 */
class ConcurrentLockTableTest {
  private static final int THREADS = 8;
  private static final int OPS_PER_THREAD = 20_000;

  @Test
  void stormOnManyFilesAndOneHotFileKeepsEveryInvariant() throws Exception {
    LockManager m = LockManagers.builder().build();
    AtomicLong granted = new AtomicLong();
    AtomicLong denied = new AtomicLong();
    AtomicLong limited = new AtomicLong();
    runThreads(
        THREADS,
        t -> {
          SplittableRandom rnd = new SplittableRandom(1000 + t);
          List<ShareReservation> myOpens = new ArrayList<>();
          for (int i = 0; i < OPS_PER_THREAD; i++) {
            // a quarter of the traffic goes to one hot file, the rest spreads over 64 files
            Requests on = Requests.on(rnd.nextInt(4) == 0 ? "hot" : "file-" + rnd.nextInt(64));
            boolean windows = t % 2 == 1;
            Requests.Owner o = windows ? on.windows("w" + t) : on.posix("p" + t);
            long off = rnd.nextLong(200);
            long len = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextLong(20);
            ByteRange r = Requests.range(off, windows && len == 0 ? 5 : len);
            LockType type = rnd.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
            switch (rnd.nextInt(7)) {
              case 0, 1, 2 -> {
                try {
                  LockResult res = m.lock(o.request(type, r));
                  (res.granted() ? granted : denied).incrementAndGet();
                } catch (StoreError e) {
                  // stacked WINDOWS locks on the hot file can reach the per-file limit
                  assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED);
                  limited.incrementAndGet();
                }
              }
              case 3 -> {
                if (windows) {
                  List<Lock> mine =
                      m.locks(on.file()).stream().filter(l -> l.owner().equals(o.owner())).toList();
                  if (!mine.isEmpty()) {
                    try {
                      m.unlock(o.unlock(mine.get(rnd.nextInt(mine.size())).range()));
                    } catch (StoreError e) {
                      // a lock seen in the snapshot may be gone only if this thread released it
                      throw new AssertionError("own lock vanished", e);
                    }
                  }
                } else {
                  m.unlock(o.unlock(r));
                }
              }
              case 4 -> m.test(o.request(type, r));
              case 5 -> {
                try {
                  m.checkWrite(on.file(), o.owner(), r, LockingMode.MANDATORY);
                } catch (StoreError e) {
                  assertThat(e.code()).isEqualTo(ErrorCode.LOCK_CONFLICT);
                }
              }
              default -> {
                if (myOpens.size() > 4 || (!myOpens.isEmpty() && rnd.nextBoolean())) {
                  ShareReservation s = myOpens.remove(rnd.nextInt(myOpens.size()));
                  m.close(s.file(), s.id());
                } else {
                  try {
                    myOpens.add(
                        m.open(
                            o.open(rnd.nextBoolean() ? "R" : "RW", rnd.nextBoolean() ? "" : "W")));
                  } catch (StoreError e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.SHARE_DENIED);
                  }
                }
              }
            }
          }
          for (ShareReservation s : myOpens) {
            m.close(s.file(), s.id());
          }
        });

    assertThat(granted.get()).isPositive();
    assertThat(denied.get()).isPositive();
    LockTableInvariants.check(m);

    // release everything: every table retires and nothing is left behind
    for (FileLockTableSnapshot s : FileLockTableSnapshot.of(m)) {
      for (Lock l : s.locks()) {
        if (l.flavour() == org.dittofs.metadata.lock.LockFlavour.POSIX) {
          m.unlock(
              new org.dittofs.metadata.lock.UnlockRequest(
                  l.file(), l.owner(), l.flavour(), ByteRange.whole()));
        } else {
          m.unlock(
              new org.dittofs.metadata.lock.UnlockRequest(
                  l.file(), l.owner(), l.flavour(), l.range()));
        }
      }
    }
    assertThat(m.lockCount()).isZero();
    assertThat(((DefaultLockManager) m).tables()).isEmpty();
    LockTableInvariants.check(m);
  }

  @Test
  void concurrentExclusiveRequestsOnOneRangeGrantExactlyOne() throws Exception {
    for (int round = 0; round < 200; round++) {
      LockManager m = LockManagers.builder().build();
      Requests on = Requests.on("contended");
      AtomicLong wins = new AtomicLong();
      runThreads(
          4,
          t -> {
            Requests.Owner o = t % 2 == 0 ? on.posix("p" + t) : on.windows("w" + t);
            if (m.lock(o.exclusive(10, 10)).granted()) {
              wins.incrementAndGet();
            }
          });
      assertThat(wins.get()).as("round %d", round).isEqualTo(1);
      LockTableInvariants.check(m);
    }
  }

  @Test
  void oneOwnerWithBothFlavoursOnTwoFilesIsAdmittedOnlyOnce() throws Exception {
    for (int round = 0; round < 200; round++) {
      LockManager m = LockManagers.builder().build();
      AtomicLong ok = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      runThreads(
          2,
          t -> {
            Requests on = Requests.on("file-" + t);
            Requests.Owner o = t == 0 ? on.posix("same-owner") : on.windows("same-owner");
            try {
              m.lock(o.shared(0, 1));
              ok.incrementAndGet();
            } catch (StoreError e) {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              refused.incrementAndGet();
            }
          });
      assertThat(ok.get()).isEqualTo(1);
      assertThat(refused.get()).isEqualTo(1);
      LockTableInvariants.check(m);
    }
  }

  @Test
  void lockAndReleaseRacingOnRetiringTablesLoseNothing() throws Exception {
    // each thread locks and releases on the same few files while one more thread sweeps idle
    // tables, so tables retire and re-form constantly under the lockers
    DefaultLockManager m = (DefaultLockManager) LockManagers.builder().build();
    AtomicLong lockersLeft = new AtomicLong(THREADS);
    AtomicLong sweeps = new AtomicLong();
    runThreads(
        THREADS + 1,
        t -> {
          if (t == THREADS) {
            while (lockersLeft.get() > 0) {
              m.lockTables().sweepIdle();
              sweeps.incrementAndGet();
            }
            return;
          }
          try {
            Requests on = Requests.on("churn-" + (t % 2));
            Requests.Owner o = on.posix("owner-" + t);
            for (int i = 0; i < 20_000; i++) {
              LockResult r = m.lock(o.shared(t * 10L, 5));
              assertThat(r.granted()).isTrue();
              assertThat(m.locks(on.file())).anyMatch(l -> l.owner().equals(o.owner()));
              m.unlock(o.unlock(t * 10L, 5));
            }
          } finally {
            lockersLeft.decrementAndGet();
          }
        });
    assertThat(sweeps.get()).isPositive();
    assertThat(m.lockCount()).isZero();
    assertThat(m.tables()).isEmpty();
    m.lockTables().sweepIdle();
    assertThat(m.lockTables().map()).isEmpty();
  }

  @Test
  void idleTablesAreKeptForReuseAndSweptAsTheMapGrows() {
    DefaultLockManager m = (DefaultLockManager) LockManagers.builder().build();
    Requests.Owner o = Requests.on("idle").posix("o");
    m.lock(o.exclusive(0, 10));
    m.unlock(o.unlock(0, 10));
    FileLockTable idle = m.lockTables().map().get(Requests.on("idle").file());
    assertThat(idle).as("an emptied table stays mapped").isNotNull();
    m.lock(o.exclusive(0, 10));
    assertThat(m.lockTables().map().get(Requests.on("idle").file()))
        .as("and is used again")
        .isSameAs(idle);
    m.unlock(o.unlock(0, 10));

    // a lock and an unlock on each of many files: the map never holds more than twice the
    // tables it held after the last sweep (or the minimum), whatever number of files was touched
    int files = 10 * LockTables.MIN_SWEEP;
    long most = 0;
    for (int f = 0; f < files; f++) {
      Requests.Owner x = Requests.on("many-" + f).posix("o");
      m.lock(x.shared(0, 1));
      m.unlock(x.unlock(0, 1));
      most = Math.max(most, m.lockTables().map().size());
    }
    assertThat(most).isLessThanOrEqualTo(LockTables.MIN_SWEEP + 1);
    assertThat(idle.isRetired()).as("the first idle table was swept").isTrue();
    assertThat(m.tables()).isEmpty();
    LockTableInvariants.check(m);
  }

  interface ThreadBody {
    void run(int thread) throws Exception;
  }

  static void runThreads(int n, ThreadBody body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CyclicBarrier start = new CyclicBarrier(n);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  body.run(id);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The locks of one file, copied out of the manager. */
  record FileLockTableSnapshot(List<Lock> locks) {
    static List<FileLockTableSnapshot> of(LockManager m) {
      List<FileLockTableSnapshot> out = new ArrayList<>();
      ((DefaultLockManager) m)
          .tables()
          .keySet()
          .forEach(f -> out.add(new FileLockTableSnapshot(m.locks(f))));
      return out;
    }
  }
}
