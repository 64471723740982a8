package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.host.SwapReport;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hot swap of the lock store while the manager serves (the runtime's store replacement). */
class StoreSwapTest {
  private final ManualScheduler sched = new ManualScheduler();
  private final FaultyLockStore first = new FaultyLockStore();
  private final LockManager locks = LockManagers.builder().scheduler(sched).store(first).build();
  private final Requests on = Requests.on("file");

  @AfterEach
  void invariants() {
    LockTableInvariants.check(locks);
  }

  @Test
  void swapCopiesEveryLockAndOpenWithTheirIdsAndTheEpochIntoTheNewStore() {
    Lock a = granted(on.posix("a").exclusive(0, 10));
    Lock b = granted(on.windows("b").shared(20, 5));
    ShareReservation o = locks.open(on.posix("a").open("R", ""));
    FaultyLockStore next = new FaultyLockStore();

    SwapReport report = locks.swapStore(next, null);

    assertThat(report.records()).isEqualTo(3);
    assertThat(next.records().keySet())
        .containsExactlyInAnyOrder(a.id().toString(), b.id().toString(), o.id().toString());
    assertThat(next.getServerEpoch()).isEqualTo(locks.epoch());
    assertThat(next.isCleanShutdown()).isFalse();
    LockTableInvariants.checkStoreMatches(locks, next);
  }

  @Test
  void afterTheSwapWritesGoToTheNewStoreOnly() {
    granted(on.posix("a").exclusive(0, 10));
    FaultyLockStore next = new FaultyLockStore();
    locks.swapStore(next, null);
    long writesToOld = first.writeCount();

    Lock c = granted(on.posix("c").exclusive(100, 10));
    locks.unlock(on.posix("a").unlock(0, 10));

    assertThat(first.writeCount()).isEqualTo(writesToOld);
    assertThat(next.records()).containsOnlyKeys(c.id().toString());
    LockTableInvariants.checkStoreMatches(locks, next);
  }

  @Test
  void swapReplacesWhatTheNewStoreHeldBefore() {
    FaultyLockStore next = new FaultyLockStore();
    next.putLock(PersistedLock.of(granted(Requests.on("stale").posix("z").shared(0, 1))));
    locks.unlock(Requests.on("stale").posix("z").unlock(0, 1));
    Lock a = granted(on.posix("a").exclusive(0, 10));

    locks.swapStore(next, null);

    assertThat(next.records()).containsOnlyKeys(a.id().toString());
  }

  @Test
  void withoutAStoreGrantsFailReleasesSucceedAndTheNextStoreReceivesTheState() {
    Lock a = granted(on.posix("a").exclusive(0, 100));
    locks.swapStore(null, null);

    assertThatThrownBy(() -> locks.lock(on.posix("b").exclusive(200, 10)))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    assertThatThrownBy(() -> locks.open(on.posix("b").open("R", "")))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    locks.unlock(on.posix("a").unlock(40, 20)); // a release splits: it still takes effect
    assertThat(locks.locks(on.file())).hasSize(2).doesNotContain(a);

    FaultyLockStore next = new FaultyLockStore();
    locks.swapStore(next, null);
    sched.advance(java.time.Duration.ofMinutes(1)); // old retries must not reach the new store

    LockTableInvariants.checkStoreMatches(locks, next);
    assertThat(locks.lock(on.posix("b").exclusive(200, 10)).granted()).isTrue();
    LockTableInvariants.checkStoreMatches(locks, next);
  }

  @Test
  void aFailingCopyLeavesTheManagerOnItsStoreWithNothingLost() {
    Lock a = granted(on.posix("a").exclusive(0, 10));
    FaultyLockStore next = new FaultyLockStore();

    assertThatThrownBy(
            () ->
                locks.swapStore(
                    next,
                    (epoch, records) -> {
                      throw new StoreError(ErrorCode.STORE_UNAVAILABLE, "target went away");
                    }))
        .isInstanceOf(StoreError.class);

    Lock b = granted(on.posix("b").exclusive(20, 10));
    assertThat(first.records()).containsOnlyKeys(a.id().toString(), b.id().toString());
    assertThat(next.records()).isEmpty();
  }

  @Test
  void theCopierReceivesTheEpochAndEveryLiveRecord() {
    granted(on.posix("a").exclusive(0, 10));
    locks.open(on.posix("a").open("RW", "W"));
    List<PersistedLock> seen = new ArrayList<>();
    long[] epoch = new long[1];

    locks.swapStore(
        new FaultyLockStore(),
        (e, records) -> {
          epoch[0] = e;
          seen.addAll(records);
        });

    assertThat(epoch[0]).isEqualTo(locks.epoch());
    assertThat(seen)
        .extracting(PersistedLock::kind)
        .containsExactlyInAnyOrder(PersistedLock.Kind.LOCK, PersistedLock.Kind.OPEN);
  }

  @Test
  void swapsUnderLiveTrafficLoseNoAcknowledgedLock() throws Exception {
    LockManager live =
        LockManagers.builder()
            .store(new FaultyLockStore())
            .scheduler(new ManualScheduler())
            .build();
    List<FaultyLockStore> stores = List.of(new FaultyLockStore(), new FaultyLockStore());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicInteger failures = new AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<StoreError> firstFailure =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(4);
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong grants = new java.util.concurrent.atomic.AtomicLong();
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Requests.Owner o = Requests.on("f" + t).posix("owner-" + t);
        workers.add(
            pool.submit(
                () -> {
                  for (int i = 0; !stop.get(); i++) {
                    try {
                      live.lock(o.exclusive(i % 50, 1));
                      grants.incrementAndGet();
                      if (i % 3 == 0) {
                        live.unlock(o.unlock(i % 50, 1));
                      }
                    } catch (StoreError e) {
                      if (failures.incrementAndGet() == 1) {
                        firstFailure.set(e);
                      }
                    }
                    if (i == 10) {
                      running.countDown(); // this worker's traffic is under way
                    }
                  }
                }));
      }
      // each swap starts once every worker is running, and traffic goes on across it
      assertThat(running.await(1, TimeUnit.MINUTES)).as("workers running").isTrue();
      for (FaultyLockStore s : stores) {
        long before = grants.get();
        SwapReport r = live.swapStore(s, null);
        assertThat(r.duration()).isNotNull();
        awaitGrowth(grants, before + 400);
        assertThat(workers).noneMatch(Future::isDone);
      }
      stop.set(true);
      for (Future<?> w : workers) {
        w.get(2, TimeUnit.MINUTES);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    assertThat(failures.get()).as("failures, first: %s", firstFailure.get()).isZero();
    LockTableInvariants.checkStoreMatches(live, stores.get(1));
    LockTableInvariants.check(live);
  }

  /** Polls (bounded) until {@code counter} reaches {@code target}. */
  private static void awaitGrowth(java.util.concurrent.atomic.AtomicLong counter, long target) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (counter.get() < target && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.yield();
    }
    assertThat(counter.get()).as("grants after the swap").isGreaterThanOrEqualTo(target);
  }

  private Lock granted(LockRequest r) {
    LockResult res = locks.lock(r);
    assertThat(res.granted()).as("granted %s", r).isTrue();
    return ((LockResult.Granted) res).lock();
  }
}
