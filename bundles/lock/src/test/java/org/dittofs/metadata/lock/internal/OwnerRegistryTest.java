package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.junit.jupiter.api.Test;

/** The owners' flavour and count registry, with idle entries kept and swept. */
class OwnerRegistryTest {
  private final OwnerRegistry r = new OwnerRegistry();
  private final LockOwner owner = LockOwner.of("o");

  @Test
  void theFlavourBindsWhileTheOwnerHoldsLocksAndNotOnceItHoldsNone() {
    r.adjust(owner, LockFlavour.POSIX, 2);
    assertThatThrownBy(() -> r.checkFlavour(owner, LockFlavour.WINDOWS))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> r.adjust(owner, LockFlavour.WINDOWS, 1))
        .isInstanceOf(StoreError.class);
    assertThat(r.count(owner)).isEqualTo(2);

    r.adjust(owner, LockFlavour.POSIX, -2);
    assertThat(r.count(owner)).isZero();
    r.checkFlavour(owner, LockFlavour.WINDOWS); // an idle entry binds nothing
    r.adjust(owner, LockFlavour.WINDOWS, 1);
    assertThat(r.count(owner)).isEqualTo(1);
    assertThatThrownBy(() -> r.checkFlavour(owner, LockFlavour.POSIX))
        .isInstanceOf(StoreError.class);
  }

  @Test
  void aCountNeverGoesNegative() {
    assertThatThrownBy(() -> r.adjust(owner, LockFlavour.POSIX, -1))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void idleEntriesAreSweptOnceTheyOutnumberTheLimitAndHoldersAreKept() {
    LockOwner holder = LockOwner.of("holder");
    r.adjust(holder, LockFlavour.WINDOWS, 3);
    for (int i = 0; i < 3 * OwnerRegistry.MIN_SWEEP; i++) {
      LockOwner o = LockOwner.of("transient-" + i);
      r.adjust(o, LockFlavour.POSIX, 1);
      r.adjust(o, LockFlavour.POSIX, -1);
    }
    assertThat(r.entries()).isLessThanOrEqualTo(OwnerRegistry.MIN_SWEEP + 1);
    assertThat(r.count(holder)).isEqualTo(3);
    assertThatThrownBy(() -> r.checkFlavour(holder, LockFlavour.POSIX))
        .isInstanceOf(StoreError.class);
  }

  @Test
  void sweepsRacingWithAdjustmentsLoseNoCount() throws Exception {
    int threads = 4;
    int rounds = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      Future<?>[] done = new Future<?>[threads];
      for (int t = 0; t < threads; t++) {
        int id = t;
        done[t] =
            pool.submit(
                () -> {
                  start.await();
                  LockOwner mine = LockOwner.of("worker-" + id);
                  for (int i = 0; i < rounds; i++) {
                    // a new owner on every round forces sweeps while the others adjust theirs
                    LockOwner once = LockOwner.of("once-" + id + "-" + i);
                    r.adjust(once, LockFlavour.POSIX, 1);
                    r.adjust(mine, LockFlavour.POSIX, 1);
                    r.adjust(once, LockFlavour.POSIX, -1);
                    r.adjust(mine, LockFlavour.POSIX, -1);
                  }
                  r.adjust(mine, LockFlavour.POSIX, 1);
                  return null;
                });
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int t = 0; t < threads; t++) {
      assertThat(r.count(LockOwner.of("worker-" + t))).isEqualTo(1);
    }
    assertThat(r.entries()).isLessThanOrEqualTo(2L * OwnerRegistry.MIN_SWEEP + threads);
  }
}
