package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The timed tasks of one node (a waiter's timeout, a client's ttl release, the end of grace, the
 * lease re-check of waiters blocked by a registered client, SPEC 9) that fire while a store swap
 * holds traffic for longer than the lock timeout: each meets the closed gate (STORE_UNAVAILABLE)
 * and is tried again every store retry interval until it takes effect, with the answer and the
 * events it would have had on time. The swap's copy blocks until the test lets it end; time is
 * virtual ({@link ManualScheduler}), and the lock timeout (the real wait at the gate) is 1 ms. The
 * lease re-check's retry is in {@link CourtesyWaitersTest}.
 */
class TimedTasksDuringSwapTest {
  private static final Duration RETRY = Duration.ofSeconds(2);
  private static final LockConfig CONFIG =
      LockConfig.DEFAULTS.toBuilder()
          .lockTimeout(Duration.ofMillis(1))
          .storeRetryInterval(RETRY)
          .build();

  private final ManualScheduler clock = new ManualScheduler();
  private final List<LockEvent> events = new CopyOnWriteArrayList<>();
  private final FaultyLockStore store = new FaultyLockStore();
  private final ExecutorService swapper = Executors.newSingleThreadExecutor();
  private final CountDownLatch endSwap = new CountDownLatch(1);

  private final Requests on = Requests.on("timed-swap-file");
  private final Requests other = Requests.on("timed-swap-other-file");
  private final Requests.Owner a = on.posix("nlm:host-a:1:a");
  private final Requests.Owner aOther = other.posix("nlm:host-a:1:a");
  private final Requests.Owner b = on.posix("nlm:host-b:1:b");

  private LockManager locks = manager(store);

  private LockManager manager(FaultyLockStore over) {
    return ManagerOnManualClock.over(clock, over, CONFIG, events::add);
  }

  @AfterEach
  void stop() {
    endSwap.countDown();
    swapper.shutdownNow();
    locks.close();
  }

  /** Starts a swap whose copy blocks until {@link #endSwap}; returns once traffic is held. */
  private Future<?> swapHeldOpen() throws InterruptedException {
    CountDownLatch copying = new CountDownLatch(1);
    Future<?> swap =
        swapper.submit(
            () ->
                locks.swapStore(
                    new FaultyLockStore(),
                    (epoch, records) -> {
                      copying.countDown();
                      awaitUninterruptibly(endSwap);
                    }));
    assertThat(copying.await(1, TimeUnit.MINUTES)).isTrue();
    return swap;
  }

  /** Moves the clock; a timed task that meets the closed gate must not fail the timer thread. */
  private void advance(Duration d) {
    assertThatCode(() -> clock.advance(d)).doesNotThrowAnyException();
  }

  private void finishSwap(Future<?> swap) throws Exception {
    endSwap.countDown();
    swap.get(1, TimeUnit.MINUTES);
  }

  private <E extends LockEvent> List<E> eventsOf(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void aWaitersTimeoutHeldUpByALongStoreSwapIsTriedAgainUntilItTimesOut() throws Exception {
    Lock held = grant(a.exclusive(0, 100));
    Duration timeout = Duration.ofSeconds(5);
    PendingLock p = locks.lockBlocking(b.exclusive(10, 10), timeout);
    Future<?> swap = swapHeldOpen();
    long before = clock.scheduledTasks();

    advance(timeout); // the timeout meets the closed gate
    assertThat(p.isDone()).isFalse();
    assertThat(clock.scheduledTasks()).as("the retry").isEqualTo(before + 1);
    advance(RETRY); // and again
    assertThat(p.isDone()).isFalse();

    finishSwap(swap);
    advance(RETRY);

    assertThat(p.isDone()).isTrue();
    StoreError e = failure(p);
    assertThat(e.code()).isEqualTo(ErrorCode.TIMED_OUT);
    assertThat(eventsOf(LockEvent.Waited.class))
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.request()).isEqualTo(b.exclusive(10, 10));
              assertThat(w.outcome()).isEqualTo(LockEvent.WaitOutcome.TIMED_OUT);
            });
    assertThat(locks.waiters(on.file())).isEmpty();
    assertThat(locks.locks(on.file())).containsExactly(held);
    assertThat(clock.pendingTasks()).as("no retry left").isZero();
  }

  /**
   * A lease timer that fires while a store swap holds traffic is tried again every store retry
   * interval: the waiter is served once the swap is over, not left stuck.
   */
  @Test
  void aLeaseRecheckHeldUpByALongStoreSwapIsTriedAgainAfterTheRetryInterval() throws Exception {
    locks.registerClient(a.client(), "", Duration.ZERO);
    grant(a.exclusive(0, 100));
    PendingLock p = locks.lockBlocking(b.exclusive(10, 10), Duration.ofMinutes(10));
    Future<?> swap = swapHeldOpen();
    long before = clock.scheduledTasks();

    advance(LockConfig.DEFAULTS.leaseTime().plusNanos(1)); // the re-check meets the closed gate
    assertThat(p.isDone()).isFalse();
    assertThat(clock.scheduledTasks()).as("the retry").isEqualTo(before + 1);
    advance(RETRY); // and again
    assertThat(p.isDone()).isFalse();
    assertThat(clock.scheduledTasks()).isEqualTo(before + 2);

    finishSwap(swap);
    advance(RETRY);

    assertThat(p.poll()).isPresent();
    assertThat(locks.locks(on.file())).extracting(Lock::owner).containsExactly(b.owner());
  }

  @Test
  void aTtlReleaseHeldUpByALongStoreSwapReleasesEveryFileOfTheClientOnceTheSwapIsOver()
      throws Exception {
    Duration ttl = Duration.ofSeconds(30);
    locks.registerClient(a.client(), "10.0.0.1", ttl);
    grant(a.exclusive(0, 100));
    grant(aOther.exclusive(0, 100));
    locks.unregisterClient(a.client());
    Future<?> swap = swapHeldOpen();

    advance(ttl); // the release meets the closed gate on the first of the client's files
    advance(RETRY);
    assertThat(eventsOf(LockEvent.Released.class)).isEmpty(); // (reads wait for the swap too)
    assertThat(eventsOf(LockEvent.ClientUnregistered.class)).isEmpty();

    finishSwap(swap);
    advance(RETRY);

    assertThat(locks.locks(on.file())).isEmpty();
    assertThat(locks.locks(other.file())).isEmpty();
    assertThat(eventsOf(LockEvent.Released.class))
        .extracting(LockEvent.Released::reason)
        .containsExactly(LockEvent.ReleaseReason.TIMEOUT, LockEvent.ReleaseReason.TIMEOUT);
    assertThat(eventsOf(LockEvent.ClientUnregistered.class))
        .containsExactly(new LockEvent.ClientUnregistered(a.client(), 2));
    assertThat(locks.clients()).isEmpty();
    assertThat(clock.pendingTasks()).as("no retry left").isZero();
  }

  @Test
  void theEndOfGraceHeldUpByALongStoreSwapReleasesTheUnreclaimedRecordsOnceTheSwapIsOver()
      throws Exception {
    grant(a.exclusive(0, 100));
    grant(aOther.exclusive(0, 100));
    locks.close();
    events.clear();
    FaultyLockStore durable = store.reopen();
    locks = manager(durable);
    assertThat(locks.graceStatus().active()).isTrue();
    Duration grace = LockConfig.DEFAULTS.gracePeriod();
    Future<?> swap = swapHeldOpen();

    advance(grace); // the end meets the closed gate on the first restored file
    advance(RETRY);
    assertThat(eventsOf(LockEvent.Released.class)).isEmpty(); // (reads wait for the swap too)
    assertThat(eventsOf(LockEvent.GraceEnded.class)).isEmpty();

    finishSwap(swap);
    advance(RETRY);

    assertThat(locks.graceStatus().active()).isFalse();
    assertThat(locks.locks(on.file())).isEmpty();
    assertThat(locks.locks(other.file())).isEmpty();
    assertThat(eventsOf(LockEvent.Released.class))
        .extracting(LockEvent.Released::reason)
        .containsExactly(
            LockEvent.ReleaseReason.GRACE_EXPIRED, LockEvent.ReleaseReason.GRACE_EXPIRED);
    assertThat(eventsOf(LockEvent.GraceEnded.class))
        .containsExactly(new LockEvent.GraceEnded(false, 0, 2));
    assertThat(clock.pendingTasks()).as("no retry left").isZero();
  }

  private Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  private static StoreError failure(PendingLock p) {
    try {
      p.poll();
    } catch (StoreError e) {
      return e;
    }
    throw new AssertionError("expected " + p + " to have failed");
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // the test ends the wait with the latch
      }
    }
  }
}
