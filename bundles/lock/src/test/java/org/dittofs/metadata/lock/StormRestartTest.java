package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC 14: a concurrent lock/unlock storm from many threads on a store-backed manager, then a
 * restart: the store equals memory, memory equals a reference model, and the restarted manager
 * holds exactly the locks held before.
 *
 * <p>Each thread has its own owner and client. Every file has a contested region that all threads
 * fight over (lock, unlock, test, blocking lock then cancel, opens) and, per thread, a private
 * region far from it that only that thread touches: there the outcome is deterministic, so a
 * byte-per-byte model of the thread's own requests predicts exactly the records the manager must
 * hold (coalesced: one record per maximal run of same-type bytes). Unregistering drops all of the
 * thread's state, model included. The run is bounded by operation counts; the scheduler is manual
 * and never advanced during the storm, so no timer fires.
 */
@ExtendWith(QuietLockLog.class)
class StormRestartTest {
  private static final int THREADS = 8;
  private static final int OPS = 2_000;
  private static final int FILES = 4;
  private static final long CONTESTED = 850; // offsets [0, 850), lengths <= 50: bytes < 900
  private static final long PRIVATE_BASE = 1_000;
  private static final int PRIVATE_SIZE = 64;
  private static final int PRIVATE_STRIDE = 100;

  private static String ownerOf(int thread) {
    return "nfs4:client-" + thread + ":owner";
  }

  private static long privateStart(int thread) {
    return PRIVATE_BASE + (long) PRIVATE_STRIDE * thread;
  }

  private static List<Requests> files() {
    List<Requests> out = new ArrayList<>();
    for (int i = 0; i < FILES; i++) {
      out.add(Requests.on("storm-" + i));
    }
    return out;
  }

  /** The model of one thread's private regions: per file, per byte, 0 none, 1 shared, 2 excl. */
  private static final class Model {
    final byte[][] bytes = new byte[FILES][PRIVATE_SIZE];

    void set(int file, int from, int len, byte v) {
      for (int i = from; i < from + len; i++) {
        bytes[file][i] = v;
      }
    }

    void clear() {
      for (byte[] b : bytes) {
        java.util.Arrays.fill(b, (byte) 0);
      }
    }

    /** The records the manager must hold: "TYPE [first, last]" per maximal same-type run. */
    List<String> expected(int file, long base) {
      List<String> out = new ArrayList<>();
      byte[] b = bytes[file];
      int i = 0;
      while (i < b.length) {
        if (b[i] == 0) {
          i++;
          continue;
        }
        int j = i;
        while (j + 1 < b.length && b[j + 1] == b[i]) {
          j++;
        }
        out.add((b[i] == 2 ? "EXCLUSIVE" : "SHARED") + " " + ByteRange.of(base + i, base + j));
        i = j + 1;
      }
      return out;
    }
  }

  private static List<String> heldPrivately(LockManager m, Requests file, int thread) {
    long lo = privateStart(thread);
    long hi = lo + PRIVATE_SIZE - 1;
    return m.locks(file.file()).stream()
        .filter(l -> l.owner().id().equals(ownerOf(thread)))
        .filter(l -> l.range().first() >= lo && l.range().last() <= hi)
        .map(l -> l.type() + " " + l.range())
        .toList();
  }

  private static void checkModel(LockManager m, Model[] models) {
    List<Requests> files = files();
    for (int t = 0; t < THREADS; t++) {
      for (int f = 0; f < FILES; f++) {
        assertThat(heldPrivately(m, files.get(f), t))
            .as("thread %d, file %d", t, f)
            .isEqualTo(models[t].expected(f, privateStart(t)));
      }
    }
  }

  private static Map<FileHandle, List<Lock>> allLocks(LockManager m) {
    Map<FileHandle, List<Lock>> out = new HashMap<>();
    for (Requests f : files()) {
      out.put(f.file(), m.locks(f.file()));
    }
    return out;
  }

  private static Map<FileHandle, List<ShareReservation>> allOpens(LockManager m) {
    Map<FileHandle, List<ShareReservation>> out = new HashMap<>();
    for (Requests f : files()) {
      out.put(f.file(), m.opens(f.file()));
    }
    return out;
  }

  /** One thread's storm. */
  private static void storm(LockManager m, int t, Model model, AtomicLong refused)
      throws InterruptedException {
    SplittableRandom rnd = new SplittableRandom(7_000 + t);
    List<Requests> files = files();
    LockClient client = files.get(0).posix(ownerOf(t)).client();
    m.registerClient(client, "10.0.0." + t, Duration.ZERO);
    List<ShareReservation> myOpens = new ArrayList<>();
    for (int i = 0; i < OPS; i++) {
      int fi = rnd.nextInt(FILES);
      Requests on = files.get(fi);
      Requests.Owner o = on.posix(ownerOf(t));
      LockType type = rnd.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
      int op = rnd.nextInt(100);
      try {
        if (op < 25) {
          int from = rnd.nextInt(PRIVATE_SIZE);
          int len = 1 + rnd.nextInt(PRIVATE_SIZE - from);
          LockResult r = m.lock(o.request(type, ByteRange.span(privateStart(t) + from, len)));
          assertThat(r.granted()).as("a private lock is never denied").isTrue();
          model.set(fi, from, len, (byte) (type == LockType.EXCLUSIVE ? 2 : 1));
        } else if (op < 40) {
          int from = rnd.nextInt(PRIVATE_SIZE);
          int len = 1 + rnd.nextInt(PRIVATE_SIZE - from);
          m.unlock(o.unlock(privateStart(t) + from, len));
          model.set(fi, from, len, (byte) 0);
        } else if (op < 60) {
          m.lock(o.request(type, ByteRange.span(rnd.nextLong(CONTESTED), 1 + rnd.nextLong(50))));
        } else if (op < 72) {
          m.unlock(o.unlock(rnd.nextLong(CONTESTED), 1 + rnd.nextLong(50)));
        } else if (op < 80) {
          m.test(o.request(type, ByteRange.span(rnd.nextLong(CONTESTED), 1 + rnd.nextLong(50))));
        } else if (op < 90) {
          PendingLock p =
              m.lockBlocking(
                  o.request(type, ByteRange.span(rnd.nextLong(CONTESTED), 1 + rnd.nextLong(50))),
                  Duration.ofSeconds(30));
          if (!p.isDone()) {
            Thread.yield();
            if (!p.cancel()) {
              // granted or failed by another thread meanwhile: its completion is on its way
              p.await(Duration.ofSeconds(30));
            }
          }
          assertThat(p.isDone()).isTrue();
        } else if (op < 95) {
          if (!myOpens.isEmpty() && rnd.nextBoolean()) {
            ShareReservation r = myOpens.remove(rnd.nextInt(myOpens.size()));
            m.close(r.file(), r.id());
          } else {
            String access = rnd.nextBoolean() ? "R" : "RW";
            String deny = rnd.nextInt(4) == 0 ? "W" : "";
            myOpens.add(m.open(o.open(access, deny)));
          }
        } else if (op < 98) {
          m.unregisterClient(client);
          model.clear();
          myOpens.clear();
          m.registerClient(client, "10.0.0." + t, Duration.ZERO);
        } else {
          m.keepAlive(client);
        }
      } catch (StoreError e) {
        assertThat(e.code())
            .isIn(
                ErrorCode.DEADLOCK,
                ErrorCode.SHARE_DENIED,
                ErrorCode.CANCELLED,
                ErrorCode.LOCK_LIMIT_EXCEEDED,
                ErrorCode.STORE_UNAVAILABLE);
        if (e.code() == ErrorCode.STORE_UNAVAILABLE) {
          refused.incrementAndGet();
        }
      }
    }
  }

  private static void runThreads(LockManager m, Model[] models, AtomicLong refused)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  storm(m, thread, models[thread], refused);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void restartAndCompare(
      LockManager m, FaultyLockStore store, Model[] models, ManualScheduler sched) {
    Map<FileHandle, List<Lock>> beforeLocks = allLocks(m);
    Map<FileHandle, List<ShareReservation>> beforeOpens = allOpens(m);
    long count = m.lockCount();
    assertThat(count).isPositive();

    m.close();
    assertThat(store.isCleanShutdown()).isTrue();

    FaultyLockStore reopened = store.reopen();
    LockManager next =
        LockManagers.builder().scheduler(new ManualScheduler()).store(reopened).build();
    assertThat(allLocks(next)).isEqualTo(beforeLocks);
    assertThat(allOpens(next)).isEqualTo(beforeOpens);
    assertThat(next.lockCount()).isEqualTo(count);
    assertThat(next.epoch()).isEqualTo(m.epoch() + 1);
    assertThat(next.graceStatus().active()).isTrue();
    LockTableInvariants.check(next);
    LockTableInvariants.checkStoreMatches(next, reopened);
    checkModel(next, models);
  }

  @Test
  void aConcurrentStormThenARestartLeavesStoreMemoryAndModelEqual() throws Exception {
    FaultyLockStore store = new FaultyLockStore();
    ManualScheduler sched = new ManualScheduler();
    LockManager m = LockManagers.builder().scheduler(sched).store(store).build();
    Model[] models = new Model[THREADS];
    for (int t = 0; t < THREADS; t++) {
      models[t] = new Model();
    }
    AtomicLong refused = new AtomicLong();

    runThreads(m, models, refused);

    assertThat(refused.get()).isZero();
    assertThat(m.pendingStoreWrites()).isZero();
    LockTableInvariants.check(m);
    LockTableInvariants.checkStoreMatches(m, store);
    checkModel(m, models);
    restartAndCompare(m, store, models, sched);
  }

  @Test
  void aStormWithFailingStoreWritesConvergesAndSurvivesARestart() throws Exception {
    FaultyLockStore store = new FaultyLockStore();
    ManualScheduler sched = new ManualScheduler();
    LockManager m = LockManagers.builder().scheduler(sched).store(store).build();
    store.failEveryNthWrite(7);
    Model[] models = new Model[THREADS];
    for (int t = 0; t < THREADS; t++) {
      models[t] = new Model();
    }
    AtomicLong refused = new AtomicLong();

    runThreads(m, models, refused);

    assertThat(refused.get()).isPositive();
    LockTableInvariants.check(m);
    checkModel(m, models); // refused grants changed nothing: the model skipped them too
    for (int i = 0; i < 50 && m.pendingStoreWrites() > 0; i++) {
      sched.advance(LockConfig.DEFAULTS.storeRetryInterval());
    }
    assertThat(m.pendingStoreWrites()).isZero();
    LockTableInvariants.checkStoreMatches(m, store);
    store.failEveryNthWrite(0);
    restartAndCompare(m, store, models, sched);
  }
}
