package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.Requests;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.junit.jupiter.api.Test;

/**
 * The total limit's count ({@link TotalQuota}): threads grant from allowances of their own, and the
 * limit is still exact, never passed and never refused while records fit (bounded by counts).
 */
class TotalQuotaTest {
  private static <T> List<T> onThreads(int threads, Callable<T> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(work));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get(5, TimeUnit.MINUTES));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long takeUntilRefused(TotalQuota q, long max) {
    long n = 0;
    while (q.take(1, max)) {
      n++;
    }
    return n;
  }

  @Test
  void threadsGrantingAtOnceStopExactlyAtTheLimit() throws Exception {
    long max = 20 * TotalQuota.far();
    TotalQuota q = new TotalQuota();
    CyclicBarrier start = new CyclicBarrier(4);
    List<Long> got =
        onThreads(
            4,
            () -> {
              start.await();
              return takeUntilRefused(q, max);
            });
    assertThat(got.stream().mapToLong(Long::longValue).sum()).isEqualTo(max);
    assertThat(q.records()).isEqualTo(max);
  }

  /**
   * No refusal while the records fit, with threads refused at the same time: each of 24 threads
   * (more than cells, so some share one) takes one record at a time and stops at its first refusal,
   * when the successes counted so far, plus one grant under way per other thread, must reach the
   * limit (the records only grow). Forty rounds, each a fresh count near its limit from the start.
   */
  @Test
  void aRefusalComesOnlyWhenTheRecordsReachTheLimit() throws Exception {
    int threads = 24;
    for (int round = 0; round < 40; round++) {
      long max = TotalQuota.far() + 200 + round;
      TotalQuota q = new TotalQuota();
      AtomicLong ok = new AtomicLong();
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Long> seenAtRefusal =
          onThreads(
              threads,
              () -> {
                start.await();
                while (q.take(1, max)) {
                  ok.incrementAndGet();
                }
                return ok.get();
              });
      for (long seen : seenAtRefusal) {
        assertThat(seen + threads - 1).as("round %s", round).isGreaterThanOrEqualTo(max);
      }
      assertThat(ok.get()).isEqualTo(max);
      assertThat(q.records()).isEqualTo(max);
    }
  }

  /** A release of many records at once far from the limit: all of it can be granted again. */
  @Test
  void aLargeReleaseIsGrantedAgainInFull() throws Exception {
    long max = 10 * TotalQuota.far();
    TotalQuota q = new TotalQuota();
    assertThat(takeUntilRefused(q, max)).isEqualTo(max);
    onThreads(
        1,
        () -> {
          q.give(1000, max);
          return null;
        });
    assertThat(q.records()).isEqualTo(max - 1000);
    long regranted = 0;
    while (q.take(2, max)) {
      regranted += 2;
    }
    assertThat(regranted).isEqualTo(1000);
  }

  @Test
  void allowancesHeldByOtherThreadsAreTakenBackBeforeARefusal() throws Exception {
    long max = 2000;
    TotalQuota q = new TotalQuota();
    assertThat(onThreads(1, () -> q.take(1, max))).containsExactly(true); // its cell: a chunk
    assertThat(q.records()).isEqualTo(1);

    assertThat(takeUntilRefused(q, max)).isEqualTo(max - 1);

    onThreads( // another thread releases 100: its cell, or straight back near the limit
        1,
        () -> {
          for (int i = 0; i < 100; i++) {
            q.give(1, max);
          }
          return null;
        });
    assertThat(takeUntilRefused(q, max)).isEqualTo(100);
    assertThat(q.records()).isEqualTo(max);
  }

  @Test
  void grantsAndReleasesOfManyThreadsNeverPassTheLimit() throws Exception {
    long max = 3 * TotalQuota.far();
    TotalQuota q = new TotalQuota();
    AtomicLong held = new AtomicLong(); // records granted and not released, counted by the threads
    AtomicLong over = new AtomicLong();
    CyclicBarrier start = new CyclicBarrier(4);
    List<Long> mine =
        onThreads(
            4,
            () -> {
              SplittableRandom rnd = new SplittableRandom(Thread.currentThread().getId());
              long own = 0;
              start.await();
              for (int i = 0; i < 200_000; i++) {
                if (own > 0 && rnd.nextInt(2) == 0) {
                  held.decrementAndGet(); // released first, then given back
                  q.give(1, max);
                  own--;
                } else {
                  int n = 1 + rnd.nextInt(2);
                  if (q.take(n, max)) {
                    if (held.addAndGet(n) > max) {
                      over.incrementAndGet();
                    }
                    own += n;
                  }
                }
              }
              return own;
            });
    assertThat(over.get()).as("times the records passed the limit").isZero();
    long records = q.records();
    assertThat(records).isEqualTo(mine.stream().mapToLong(Long::longValue).sum());
    assertThat(takeUntilRefused(q, max)).as("the room left").isEqualTo(max - records);
  }

  /**
   * Lowering the total limit drops the allowances taken under the old one: a thread that took a
   * chunk when the limit was high grants nothing past the new one.
   */
  @Test
  void aLoweredTotalLimitIsNotPassedWithAllowancesOfTheOldOne() {
    LockConfig high =
        LockConfig.builder().maxLocksPerFile(0).maxLocksPerClient(0).maxLocksTotal(100_000).build();
    LockManager m = LockManagers.builder().config(high).build();
    try {
      Requests.Owner a = Requests.on("quota").posix("a");
      for (int i = 0; i < 10; i++) {
        assertThat(m.lock(a.exclusive(10L * i, 5)).granted()).isTrue();
      }
      m.reconfigure(high.toBuilder().maxLocksTotal(10).build());

      assertThatThrownBy(() -> m.lock(a.exclusive(500, 5)))
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED));
      assertThat(m.locks(Requests.on("quota").file())).hasSize(10);
      m.unlock(a.unlock(0, 5));
      assertThat(m.lock(a.exclusive(500, 5)).granted()).isTrue(); // one released, one fits
    } finally {
      m.close();
    }
  }
}
