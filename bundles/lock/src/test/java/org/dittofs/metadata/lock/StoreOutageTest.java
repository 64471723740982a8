package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.internal.SystemLockScheduler;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A store that is away for a while, as a database server that stopped: each attempt waits (a pool
 * waiting for a connection) and then fails with STORE_UNAVAILABLE. Found by the reliability
 * module's PostgreSQL outage test, where the service stalled for the whole outage: grants waited
 * for one attempt of the store per queued request, a release leading the group commit waited for
 * the store, and the retries ran on the timer thread, so blocking requests timed out only once the
 * database was back. Grants must fail within a bound, releases must not wait, timers must run.
 */
@ExtendWith(QuietLockLog.class)
class StoreOutageTest {
  /** Down: every commit waits for {@code hold} (if set), then fails before it reaches the store. */
  private static final class Outage implements Consumer<List<LockStoreOp>> {
    volatile boolean down;
    volatile CountDownLatch hold;
    final AtomicInteger attempts = new AtomicInteger();
    final BlockingQueue<Thread> held = new LinkedBlockingQueue<>();

    @Override
    public void accept(List<LockStoreOp> ops) {
      if (!down) {
        return;
      }
      attempts.incrementAndGet();
      CountDownLatch h = hold;
      if (h != null) {
        held.add(Thread.currentThread());
        try {
          h.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      throw new StoreError(ErrorCode.STORE_UNAVAILABLE, "connection not available, timed out");
    }
  }

  private final Outage outage = new Outage();
  private final FaultyLockStore store = new FaultyLockStore();

  StoreOutageTest() {
    store.beforeEachCommit(outage);
  }

  private final Requests on = Requests.on("away");
  private final Requests.Owner a = on.posix("nlm:host:1:a");
  private final Requests.Owner b = on.posix("nlm:host:1:b");

  @Test
  void releasesDoNotWaitForAStoreThatFailedUntilAWriteLandsAgain() {
    ManualScheduler sched = new ManualScheduler();
    Duration retry = Duration.ofMillis(100);
    LockManager locks =
        LockManagers.builder()
            .scheduler(sched)
            .store(store)
            .config(LockConfig.builder().storeRetryInterval(retry).build())
            .build();
    locks.lock(a.exclusive(0, 10));
    locks.lock(a.exclusive(20, 10));
    outage.down = true;

    locks.unlock(a.unlock(0, 10)); // leads its round: the store fails, a retry is scheduled
    assertThat(outage.attempts).hasValue(1);
    locks.unlock(a.unlock(20, 10)); // queued behind the retry, not tried
    assertThat(outage.attempts).as("the second release did not try the store").hasValue(1);
    assertThat(locks.pendingStoreWrites()).isEqualTo(2);

    outage.down = false;
    sched.advance(retry);
    LockTableInvariants.checkStoreMatches(locks, store);
  }

  @Test
  void grantsQueuedBehindAnUnreachableStoreFailWithTheRoundTheyWaitedFor() throws Exception {
    LockManager locks =
        LockManagers.builder().scheduler(new ManualScheduler()).store(store).build();
    outage.hold = new CountDownLatch(1);
    outage.down = true;
    List<CompletableFuture<Void>> grants = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(5);
    for (int i = 0; i < 5; i++) {
      // one file each: grants of one file wait for each other at the file's table, not at the store
      Requests.Owner owner = Requests.on("away-" + i).posix("nlm:host:1:b");
      grants.add(CompletableFuture.runAsync(() -> locks.lock(owner.exclusive(0, 1)), clients));
      if (i == 0) {
        assertThat(outage.held.poll(30, TimeUnit.SECONDS)).as("the leader waits").isNotNull();
      }
    }
    for (int n = 0; n < 3000 && locks.pendingStoreWrites() < 5; n++) {
      Thread.sleep(10);
    }
    assertThat(locks.pendingStoreWrites()).as("four grants queued behind the leader").isEqualTo(5);
    outage.hold.countDown();
    for (CompletableFuture<Void> g : grants) {
      assertThatThrownBy(() -> g.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    }
    clients.shutdown();
    assertThat(outage.attempts).as("one attempt of the store for all five").hasValue(1);
    assertThat(locks.lockCount()).isZero();
  }

  @Test
  void aStoreThatTookLongToRefuseIsAwayAndLaterGrantsAreRefusedWithoutWaitingForIt()
      throws Exception {
    SystemLockScheduler time = new SystemLockScheduler();
    LockManager locks =
        LockManagers.builder()
            .scheduler(time)
            .store(store)
            .config(LockConfig.builder().storeRetryInterval(Duration.ofHours(1)).build())
            .build();
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      outage.hold = new CountDownLatch(1);
      outage.down = true;
      CompletableFuture<Void> first =
          CompletableFuture.runAsync(() -> locks.lock(a.exclusive(0, 1)), client);
      assertThat(outage.held.poll(30, TimeUnit.SECONDS)).as("the grant waits").isNotNull();
      Thread.sleep(1200); // the attempt waits longer than a store that is merely refusing
      outage.hold.countDown();
      assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));

      outage.hold = new CountDownLatch(1); // a second attempt would wait: it must not happen
      CompletableFuture<Void> second =
          CompletableFuture.runAsync(() -> locks.lock(b.exclusive(100, 1)), client);
      assertThatThrownBy(() -> second.get(30, TimeUnit.SECONDS))
          .as("refused without waiting for the store")
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
      assertThat(outage.attempts).as("the second grant did not try the store").hasValue(1);
    } finally {
      outage.hold.countDown();
      outage.down = false;
      client.shutdown();
      locks.close();
      time.close();
    }
    assertThat(store.records()).isEmpty();
  }

  /**
   * Takes the store down and makes {@code release}, which fails at once; from then on the retries
   * wait for the store: returns the thread of the retry round that waits.
   */
  private Thread retryWaitingForTheStore(LockManager locks, UnlockRequest release)
      throws InterruptedException {
    outage.down = true;
    locks.unlock(release);
    outage.hold = new CountDownLatch(1);
    Thread retrying = outage.held.poll(30, TimeUnit.SECONDS);
    assertThat(retrying).as("a retry round waits for the store").isNotNull();
    return retrying;
  }

  @Test
  void aRetryWaitingForTheStoreDoesNotHoldUpLockTimeouts() throws Exception {
    SystemLockScheduler time = new SystemLockScheduler();
    LockManager locks = retryingEvery10Millis(time);
    try {
      locks.lock(a.exclusive(0, 10));
      locks.lock(a.exclusive(20, 10));
      Thread retrying = retryWaitingForTheStore(locks, a.unlock(20, 10));
      assertThat(retrying.getName()).isNotEqualTo(SystemLockScheduler.THREAD_NAME);

      PendingLock p = locks.lockBlocking(b.exclusive(0, 1), Duration.ofMillis(50));
      assertThatThrownBy(() -> p.completion().toCompletableFuture().get(30, TimeUnit.SECONDS))
          .as("the blocking request times out while the retry still waits")
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMED_OUT));
    } finally {
      outage.hold.countDown();
      outage.down = false;
      locks.close();
      time.close();
    }
  }

  /**
   * The manager closes (and then its scheduler) while a retry round waits for the store on the
   * retry thread: once the store answers, the round ends quietly. It used to fail scheduling its
   * next retry on the closed scheduler ("the lock scheduler is closed"), an uncaught exception that
   * killed the retry thread.
   */
  @Test
  void aRetryRoundStillWaitingForTheStoreWhenTheManagerClosesEndsQuietly() throws Exception {
    List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(
        (t, e) -> {
          uncaught.add(e);
          if (before != null) {
            before.uncaughtException(t, e);
          }
        });
    SystemLockScheduler time = new SystemLockScheduler();
    LockManager locks = retryingEvery10Millis(time);
    try {
      locks.lock(a.exclusive(0, 10));
      Thread retrying = retryWaitingForTheStore(locks, a.unlock(0, 10));
      locks.close();
      time.close();
      outage.hold.countDown(); // the round's attempt fails now, after the close

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!roundOver(retrying) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(roundOver(retrying)).as("the retry round ended").isTrue();
      assertThat(uncaught).isEmpty();
    } finally {
      outage.hold.countDown();
      outage.down = false;
      locks.close();
      time.close();
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  /** Whether {@code t} is done with its round: gone, or idle in its pool (no store frame left). */
  private static boolean roundOver(Thread t) {
    Thread.State state = t.getState();
    if (state == Thread.State.TERMINATED) {
      return true;
    }
    if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().contains("StoreWriter") || e.getClassName().contains("AwayStore")) {
        return false;
      }
    }
    return true;
  }

  /** A manager over the away store on real time, retrying every 10 ms. */
  private LockManager retryingEvery10Millis(SystemLockScheduler time) {
    return LockManagers.builder()
        .scheduler(time)
        .store(store)
        .config(LockConfig.builder().storeRetryInterval(Duration.ofMillis(10)).build())
        .build();
  }
}
