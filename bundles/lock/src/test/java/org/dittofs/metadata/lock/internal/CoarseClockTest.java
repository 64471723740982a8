package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.Requests;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The request path's clock with its real ticker thread. Waits poll a condition with a generous
 * bound; no test asserts how long anything took.
 */
class CoarseClockTest {
  private static final long WAIT_NANOS = Duration.ofSeconds(20).toNanos();

  /** Wall time: a fixed origin plus the monotonic reading, so a tick's instant is checkable. */
  private static Instant wall(long nanos) {
    return Instant.EPOCH.plusNanos(nanos);
  }

  /** Ends its ticker after 3 periods without a reading. */
  private final CoarseClock clock = new CoarseClock(CoarseClockTest::wall, 3);

  /** Ends its ticker after a second without a reading, as in production. */
  private final CoarseClock busy = new CoarseClock(CoarseClockTest::wall);

  @AfterEach
  void close() {
    clock.close();
    busy.close();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
      Thread.sleep(1);
    }
  }

  @Test
  void aReadingIsAPastMonotonicTimeWithItsWallTimeAndStartsTheTicker() {
    long before = System.nanoTime();
    CoarseClock.Tick t = clock.now();
    long after = System.nanoTime();
    assertThat(t.nanos()).isBetween(before, after); // the first reading is precise
    assertThat(t.instant()).isEqualTo(wall(t.nanos()));
    Instant published = clock.instantOf(t.nanos()); // null once the ticker replaced the tick
    assertThat(published == null || published == t.instant()).isTrue();
    assertThat(clock.ticking()).isTrue();
    assertThat(clock.now().nanos()).isLessThanOrEqualTo(System.nanoTime());
  }

  @Test
  void readingsAdvanceWhileRequestsReadTheClock() throws InterruptedException {
    long first = busy.now().nanos();
    await("a later tick", () -> busy.now().nanos() > first);
    CoarseClock.Tick t = busy.now();
    assertThat(t.instant()).isEqualTo(wall(t.nanos()));
    assertThat(busy.ticking()).isTrue(); // the same ticker all along: it was read every period
  }

  @Test
  void theTickerEndsWhenNobodyReadsAndTheNextReadingStartsAnother() throws InterruptedException {
    clock.now();
    await("the idle ticker to end", () -> !clock.ticking());
    assertThat(clock.instantOf(0)).isNull();
    long before = System.nanoTime();
    CoarseClock.Tick t = clock.now();
    assertThat(t.nanos()).isGreaterThanOrEqualTo(before); // precise, not the last tick
    assertThat(clock.ticking()).isTrue();
  }

  @Test
  void afterCloseEveryReadingIsPreciseAndNoTickerRuns() throws InterruptedException {
    clock.now();
    clock.close();
    await("the ticker to end", () -> !clock.ticking());
    for (int i = 0; i < 3; i++) {
      long before = System.nanoTime();
      CoarseClock.Tick t = clock.now();
      assertThat(t.nanos()).isGreaterThanOrEqualTo(before);
      assertThat(clock.instantOf(t.nanos())).isNull(); // never published
    }
    assertThat(clock.ticking()).isFalse();
  }

  @Test
  void theSystemSchedulerStampsRequestsWithTheTickItMapsToWallTime() {
    SystemLockScheduler s = new SystemLockScheduler();
    try {
      long n = s.requestNanoTime();
      Instant at = s.instantAt(n);
      assertThat(Duration.between(at, s.now()).abs()).isLessThan(Duration.ofSeconds(1));
      assertThat(n).isLessThanOrEqualTo(s.nanoTime());
    } finally {
      s.close();
    }
  }

  @Test
  void aManagerOnTheSystemClockStampsGrantsFromTheRequestClock() {
    // grants within one tick share the tick's Instant; precise stamps are a new Instant each time
    try (LockManager m = LockManagers.builder().build()) {
      Requests.Owner owner = Requests.on("coarse-clock-file").posix("nlm:host:1");
      LockRequest lock = owner.exclusive(0, 10);
      UnlockRequest unlock = owner.unlock(0, 10);
      Instant last = null;
      boolean shared = false;
      for (int i = 0; i < 10_000 && !shared; i++) {
        Instant at = ((LockResult.Granted) m.lock(lock)).lock().acquiredAt();
        m.unlock(unlock);
        shared = at == last;
        last = at;
      }
      assertThat(shared).as("two grants in a row stamped with one tick's Instant").isTrue();
    }
  }
}
