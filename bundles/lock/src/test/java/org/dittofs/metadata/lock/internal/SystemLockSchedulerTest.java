package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.dittofs.metadata.lock.host.LockScheduler.Timer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real timer thread. Every wait is on a latch with a generous bound; no test asserts how long
 * anything took.
 */
class SystemLockSchedulerTest {
  private static final long WAIT_SECONDS = 10;
  private static final Duration FAR = Duration.ofHours(1);

  private final SystemLockScheduler s = new SystemLockScheduler();

  // System.Logger goes to java.util.logging by default: capture it, and keep stderr quiet.
  private final Logger jul = Logger.getLogger(SystemLockScheduler.class.getName());
  private final List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch loggedOne = new CountDownLatch(1);
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logged.add(r);
          loggedOne.countDown();
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private boolean useParentHandlers;

  @BeforeEach
  void captureLog() {
    useParentHandlers = jul.getUseParentHandlers();
    jul.setUseParentHandlers(false);
    jul.addHandler(capture);
  }

  @AfterEach
  void closeAndRestoreLog() throws InterruptedException {
    if (!s.isClosed()) {
      // A task may still be inside Logger.log after the capture released the test: JUL reads
      // useParentHandlers after calling the handlers. The timer is one thread, so a task queued
      // now runs only once that call has returned.
      CountDownLatch drained = new CountDownLatch(1);
      s.schedule(drained::countDown, Duration.ZERO);
      await(drained);
    }
    s.close();
    jul.removeHandler(capture);
    jul.setUseParentHandlers(useParentHandlers);
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    assertThat(latch.await(WAIT_SECONDS, TimeUnit.SECONDS))
        .as("timer task ran within %d s", WAIT_SECONDS)
        .isTrue();
  }

  @Test
  void runsTasksOnOneDaemonThreadNamedDittofsLockTimer() throws Exception {
    AtomicReference<Thread> first = new AtomicReference<>();
    AtomicReference<Thread> second = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(2);
    s.schedule(
        () -> {
          first.set(Thread.currentThread());
          done.countDown();
        },
        Duration.ZERO);
    s.schedule(
        () -> {
          second.set(Thread.currentThread());
          done.countDown();
        },
        Duration.ofMillis(1));

    await(done);

    assertThat(first.get()).isNotSameAs(Thread.currentThread()).isSameAs(second.get());
    assertThat(first.get().getName()).isEqualTo("dittofs-lock-timer");
    assertThat(first.get().isDaemon()).isTrue();
  }

  @Test
  void tasksDueTogetherRunInSchedulingOrder() throws Exception {
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(3);
    // Hold the timer thread so the three tasks below are all queued and due before any runs.
    s.schedule(
        () -> {
          try {
            gate.await(WAIT_SECONDS, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        Duration.ZERO);
    for (String name : List.of("a", "b", "c")) {
      s.schedule(
          () -> {
            ran.add(name);
            done.countDown();
          },
          Duration.ZERO);
    }
    gate.countDown();

    await(done);

    assertThat(ran).containsExactly("a", "b", "c");
  }

  @Test
  void taskThatThrowsDoesNotKillTheTimerThread() throws Exception {
    AtomicReference<Thread> failed = new AtomicReference<>();
    AtomicReference<Thread> after = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    s.schedule(
        () -> {
          failed.set(Thread.currentThread());
          throw new IllegalStateException("boom");
        },
        Duration.ZERO);
    s.schedule(
        () -> {
          after.set(Thread.currentThread());
          done.countDown();
        },
        Duration.ZERO);

    await(done);

    assertThat(after.get()).isSameAs(failed.get());
    assertThat(after.get().isAlive()).isTrue();
  }

  @Test
  void taskFailureIsReportedThroughTheSystemLogger() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    s.schedule(
        () -> {
          throw boom;
        },
        Duration.ZERO);

    await(loggedOne);

    LogRecord r = logged.get(0);
    assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
    assertThat(r.getThrown()).isSameAs(boom);
  }

  @Test
  void errorThrownByATaskIsReportedAndTheTimerCarriesOn() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    s.schedule(
        () -> {
          throw new AssertionError("bad");
        },
        Duration.ZERO);
    s.schedule(done::countDown, Duration.ZERO);

    await(done);
    await(loggedOne);

    assertThat(logged.get(0).getThrown()).isInstanceOf(AssertionError.class);
  }

  @Test
  void cancelBeforeRunReturnsTrueDequeuesAndTheTaskNeverRuns() throws Exception {
    AtomicBoolean ran = new AtomicBoolean();
    Timer t = s.schedule(() -> ran.set(true), FAR);
    assertThat(s.queuedTasks()).isEqualTo(1);

    assertThat(t.cancel()).isTrue();

    assertThat(s.queuedTasks()).isZero();
    assertThat(t.cancel()).isFalse();
    CountDownLatch later = new CountDownLatch(1);
    s.schedule(later::countDown, Duration.ZERO);
    await(later);
    assertThat(ran).isFalse();
  }

  @Test
  void cancelWhileTheTaskRunsReturnsFalse() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    Timer t =
        s.schedule(
            () -> {
              started.countDown();
              try {
                release.await(WAIT_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              finished.countDown();
            },
            Duration.ZERO);
    await(started);

    assertThat(t.cancel()).isFalse();

    release.countDown();
    await(finished);
  }

  @Test
  void cancelAfterTheTaskRanReturnsFalse() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    Timer t = s.schedule(done::countDown, Duration.ZERO);
    await(done);

    assertThat(t.cancel()).isFalse();
  }

  @Test
  void closeDropsPendingTimersAndRejectsNewOnes() {
    s.schedule(() -> {}, FAR);
    s.schedule(() -> {}, FAR);

    s.close();
    s.close(); // idempotent

    assertThat(s.isClosed()).isTrue();
    assertThat(s.queuedTasks()).isZero();
    assertThatThrownBy(() -> s.schedule(() -> {}, Duration.ZERO))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeFromInsideATaskDoesNotDeadlock() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    s.schedule(
        () -> {
          s.close();
          done.countDown();
        },
        Duration.ZERO);

    await(done);

    assertThat(s.isClosed()).isTrue();
  }

  @Test
  void nowIsTheWallClockAndNanoTimeNeverGoesBack() {
    Instant before = Instant.now();
    Instant now = s.now();
    Instant after = Instant.now();
    long n1 = s.nanoTime();
    long n2 = s.nanoTime();

    assertThat(now).isBetween(before, after);
    assertThat(n2 - n1).isNotNegative();
  }

  @Test
  void hugeDelayIsAcceptedAndCancellable() {
    Timer t = s.schedule(() -> {}, Duration.ofDays(365L * 1000));

    assertThat(t.cancel()).isTrue();
  }

  @Test
  void wallTimeOfAMonotonicReadingIsWithinASecondOfTheWallClock() {
    try (SystemLockScheduler system = new SystemLockScheduler()) {
      for (int i = 0; i < 1000; i++) {
        Instant before = system.now();
        Instant at = system.instantAt(system.nanoTime());
        Instant after = system.now();
        assertThat(at).isBetween(before.minusSeconds(1), after.plusSeconds(1));
      }
      // readings 250 ms apart map to instants 250 ms apart (up to a re-measured offset's error)
      long then = system.nanoTime();
      long later = then + Duration.ofMillis(250).toNanos();
      Duration apart = Duration.between(system.instantAt(then), system.instantAt(later));
      assertThat(apart).isBetween(Duration.ofMillis(249), Duration.ofMillis(251));
    }
  }

  @Test
  void onAnotherClockTheWallTimeOfAReadingComesFromThatClock() {
    Instant fixed = Instant.parse("2030-01-02T03:04:05Z");
    try (SystemLockScheduler onFixed =
        new SystemLockScheduler(java.time.Clock.fixed(fixed, java.time.ZoneOffset.UTC))) {
      long reading = onFixed.nanoTime();
      Instant at = onFixed.instantAt(reading);
      assertThat(at).isBetween(fixed.minusSeconds(1), fixed);
    }
  }
}
