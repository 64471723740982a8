package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A lane's lock: exclusive, reentrant, released only by its holder. A broken lock hangs rather than
 * fails (a second lock() that does not see its own hold), hence the timeout, on a thread of its own
 * since a thread parked in {@code acquire} ignores interrupts.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LaneLockTest {
  @Test
  void countsHoldsOfItsHolderOnly() throws Exception {
    LaneLock lock = new LaneLock();
    assertThat(lock.getHoldCount()).isZero();
    lock.lock();
    lock.lock();
    assertThat(lock.getHoldCount()).isEqualTo(2);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      assertThat(other.submit(lock::getHoldCount).get(10, TimeUnit.SECONDS)).isZero();
      lock.unlock();
      assertThat(lock.getHoldCount()).isEqualTo(1);
      lock.unlock();
      assertThat(lock.getHoldCount()).isZero();
      Future<?> taken = other.submit(lock::lock); // free now
      taken.get(10, TimeUnit.SECONDS);
      assertThat(other.submit(lock::getHoldCount).get(10, TimeUnit.SECONDS)).isEqualTo(1);
      other.submit(lock::unlock).get(10, TimeUnit.SECONDS);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void aThreadNotHoldingItCannotReleaseIt() throws Exception {
    LaneLock lock = new LaneLock();
    assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
    lock.lock();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<?> release = other.submit(lock::unlock);
      assertThatThrownBy(() -> release.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalMonitorStateException.class);
      assertThat(lock.getHoldCount()).as("still held").isEqualTo(1);
    } finally {
      lock.unlock();
      other.shutdownNow();
    }
  }

  @Test
  void aWaitingThreadGetsItWhenTheHolderLetsGo() throws Exception {
    LaneLock lock = new LaneLock();
    lock.lock();
    AtomicBoolean inside = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(1);
    Thread waiter =
        new Thread(
            () -> {
              started.countDown();
              lock.lock();
              inside.set(true);
              lock.unlock();
            });
    waiter.start();
    started.await();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!lock.hasQueuedThreads()) { // parked behind the holder
      assertThat(System.nanoTime() - deadline)
          .as("the waiter queued behind the holder (not let in, not lost)")
          .isNegative();
      Thread.onSpinWait();
    }
    assertThat(inside).isFalse();
    lock.unlock();
    waiter.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(waiter.isAlive()).isFalse();
    assertThat(inside).isTrue();
  }

  @Test
  void threadsIncrementingUnderItLoseNoUpdate() throws Exception {
    LaneLock lock = new LaneLock();
    long[] count = {0}; // guarded by lock
    int threads = 4;
    int rounds = 50_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < rounds; i++) {
                    lock.lock();
                    try {
                      count[0]++;
                    } finally {
                      lock.unlock();
                    }
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    lock.lock();
    try {
      assertThat(count[0]).isEqualTo((long) threads * rounds);
    } finally {
      lock.unlock();
    }
  }
}
