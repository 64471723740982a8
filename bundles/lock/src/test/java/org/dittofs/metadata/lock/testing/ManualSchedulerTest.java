package org.dittofs.metadata.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.dittofs.metadata.lock.host.LockScheduler.Timer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManualSchedulerTest {
  private static final Instant START = Instant.parse("2030-05-06T07:08:09Z");

  private final ManualScheduler s = new ManualScheduler(START);
  private final List<String> ran = Collections.synchronizedList(new ArrayList<>());

  private Runnable log(String name) {
    return () -> ran.add(name);
  }

  @Test
  void clockStartsAtTheGivenInstantAndMovesOnlyOnAdvance() {
    assertThat(s.now()).isEqualTo(START);
    assertThat(s.nanoTime()).isZero();

    s.advance(Duration.ofMillis(1500));

    assertThat(s.now()).isEqualTo(START.plusMillis(1500));
    assertThat(s.nanoTime()).isEqualTo(1_500_000_000L);
  }

  @Test
  void scheduleNeverRunsTheTaskOnTheCaller() {
    s.schedule(log("a"), Duration.ZERO);

    assertThat(ran).isEmpty();
    assertThat(s.pendingTasks()).isEqualTo(1);
  }

  @Test
  void scheduledTasksCountsEveryTaskEverScheduled() {
    Timer cancelled = s.schedule(log("cancelled"), Duration.ofSeconds(1));
    s.schedule(() -> s.schedule(log("child"), Duration.ZERO), Duration.ofSeconds(2));
    cancelled.cancel();

    s.advance(Duration.ofSeconds(2));

    assertThat(ran).containsExactly("child");
    assertThat(s.scheduledTasks()).isEqualTo(3);
    assertThat(s.pendingTasks()).isZero();
  }

  @Test
  void advanceOfZeroRunsTasksDueNow() {
    s.schedule(log("now"), Duration.ZERO);
    s.schedule(log("negative"), Duration.ofSeconds(-5));
    s.schedule(log("later"), Duration.ofNanos(1));

    s.advance(Duration.ZERO);

    assertThat(ran).containsExactly("now", "negative");
    assertThat(s.now()).isEqualTo(START);
  }

  /** Tasks {@code name@seconds} scheduled in that order run by due time, ties in that order. */
  @ParameterizedTest(name = "{0}, advance {1} s: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "3s@3 1s@1 2s@2 | 10 | 1s 2s 3s", // due-time order, not scheduling order
        "b@1 a@1 c@1    | 1  | b a c" // due at the same time: scheduling order
      })
  void dueTasksRunInDueTimeOrderThenInSchedulingOrder(
      String scheduled, long advance, String expected) {
    for (String task : scheduled.split(" ")) {
      String[] t = task.split("@");
      s.schedule(log(t[0]), Duration.ofSeconds(Long.parseLong(t[1])));
    }

    s.advance(Duration.ofSeconds(advance));

    assertThat(ran).containsExactly(expected.split(" "));
  }

  @Test
  void tasksDueAfterTheWindowWaitForALaterAdvance() {
    s.schedule(log("in"), Duration.ofSeconds(5));
    s.schedule(log("out"), Duration.ofSeconds(5).plusNanos(1));

    s.advance(Duration.ofSeconds(5));
    assertThat(ran).containsExactly("in");
    assertThat(s.pendingTasks()).isEqualTo(1);

    s.advance(Duration.ofNanos(1));
    assertThat(ran).containsExactly("in", "out");
  }

  @Test
  void delayIsMeasuredFromTheTimeOfScheduling() {
    s.advance(Duration.ofSeconds(10));
    s.schedule(log("a"), Duration.ofSeconds(5));

    s.advance(Duration.ofSeconds(4));
    assertThat(ran).isEmpty();
    s.advance(Duration.ofSeconds(1));
    assertThat(ran).containsExactly("a");
  }

  @Test
  void taskSeesTheClockAtItsDueTimeAndAdvanceEndsAtTheTarget() {
    List<Instant> seen = new ArrayList<>();
    s.schedule(() -> seen.add(s.now()), Duration.ofSeconds(2));
    s.schedule(() -> seen.add(s.now()), Duration.ofSeconds(7));

    s.advance(Duration.ofSeconds(60));

    assertThat(seen).containsExactly(START.plusSeconds(2), START.plusSeconds(7));
    assertThat(s.now()).isEqualTo(START.plusSeconds(60));
  }

  @Test
  void taskScheduledByATaskRunsInTheSameAdvanceWhenDueWithinTheWindow() {
    s.schedule(
        () -> {
          ran.add("outer@" + s.now());
          s.schedule(() -> ran.add("inner@" + s.now()), Duration.ofSeconds(3));
        },
        Duration.ofSeconds(1));
    s.schedule(log("between"), Duration.ofSeconds(2));

    s.advance(Duration.ofSeconds(4));

    assertThat(ran)
        .containsExactly(
            "outer@" + START.plusSeconds(1), "between", "inner@" + START.plusSeconds(4));
    assertThat(s.pendingTasks()).isZero();
  }

  @Test
  void zeroDelayTaskScheduledByATaskRunsAfterTheTasksAlreadyDueThen() {
    s.schedule(() -> s.schedule(log("child"), Duration.ZERO), Duration.ofSeconds(1));
    s.schedule(log("sibling"), Duration.ofSeconds(1));

    s.advance(Duration.ofSeconds(1));

    assertThat(ran).containsExactly("sibling", "child");
  }

  @Test
  void taskScheduledByATaskBeyondTheWindowStaysPending() {
    s.schedule(() -> s.schedule(log("inner"), Duration.ofSeconds(10)), Duration.ofSeconds(1));

    s.advance(Duration.ofSeconds(5));
    assertThat(ran).isEmpty();
    assertThat(s.pendingTasks()).isEqualTo(1);

    s.advance(Duration.ofSeconds(6));
    assertThat(ran).containsExactly("inner");
  }

  @Test
  void cancelBeforeRunReturnsTrueAndTheTaskNeverRuns() {
    Timer t = s.schedule(log("a"), Duration.ofSeconds(1));

    assertThat(t.cancel()).isTrue();
    s.advance(Duration.ofSeconds(2));

    assertThat(ran).isEmpty();
    assertThat(s.pendingTasks()).isZero();
  }

  @Test
  void cancelReturnsFalseOnceTheTaskRan() {
    Timer t = s.schedule(log("a"), Duration.ofSeconds(1));
    s.advance(Duration.ofSeconds(1));

    assertThat(t.cancel()).isFalse();
    assertThat(ran).containsExactly("a");
  }

  @Test
  void secondCancelReturnsFalse() {
    Timer t = s.schedule(log("a"), Duration.ofSeconds(1));

    assertThat(t.cancel()).isTrue();
    assertThat(t.cancel()).isFalse();
  }

  @Test
  void taskCancelledByAnEarlierTaskOfTheSameAdvanceDoesNotRun() {
    AtomicReference<Timer> victim = new AtomicReference<>();
    AtomicReference<Boolean> cancelled = new AtomicReference<>();
    s.schedule(() -> cancelled.set(victim.get().cancel()), Duration.ofSeconds(1));
    victim.set(s.schedule(log("victim"), Duration.ofSeconds(2)));

    s.advance(Duration.ofSeconds(3));

    assertThat(cancelled.get()).isTrue();
    assertThat(ran).isEmpty();
  }

  @Test
  void taskCancellingItselfWhileRunningGetsFalse() {
    AtomicReference<Timer> self = new AtomicReference<>();
    AtomicReference<Boolean> cancelled = new AtomicReference<>();
    self.set(s.schedule(() -> cancelled.set(self.get().cancel()), Duration.ofSeconds(1)));

    s.advance(Duration.ofSeconds(1));

    assertThat(cancelled.get()).isFalse();
  }

  @Test
  void pendingTasksCountsTasksNeitherRunNorCancelled() {
    s.schedule(log("a"), Duration.ofSeconds(1));
    Timer b = s.schedule(log("b"), Duration.ofSeconds(2));
    s.schedule(log("c"), Duration.ofSeconds(3));
    assertThat(s.pendingTasks()).isEqualTo(3);

    b.cancel();
    assertThat(s.pendingTasks()).isEqualTo(2);

    s.advance(Duration.ofSeconds(1));
    assertThat(s.pendingTasks()).isEqualTo(1);
  }

  @Test
  void failingTaskDoesNotStopTheOtherDueTasksAndIsRethrownAfterTheWindow() {
    s.schedule(
        () -> {
          throw new IllegalStateException("boom");
        },
        Duration.ofSeconds(1));
    s.schedule(log("after"), Duration.ofSeconds(2));

    assertThatThrownBy(() -> s.advance(Duration.ofSeconds(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("boom");
    assertThat(ran).containsExactly("after");
    assertThat(s.now()).isEqualTo(START.plusSeconds(3));
  }

  @Test
  void negativeAdvanceIsRejected() {
    assertThatThrownBy(() -> s.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(s.now()).isEqualTo(START);
  }

  @Test
  void advanceFromInsideATaskIsRejected() {
    s.schedule(() -> s.advance(Duration.ofSeconds(1)), Duration.ZERO);

    assertThatThrownBy(() -> s.advance(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void hugeDelayNeverOverflowsIntoThePast() {
    s.schedule(log("far"), Duration.ofDays(365L * 1000));

    s.advance(Duration.ofDays(365L * 100));

    assertThat(ran).isEmpty();
    assertThat(s.pendingTasks()).isEqualTo(1);
  }

  @Test
  void schedulingFromManyThreadsLosesNoTask() throws Exception {
    int threads = 8;
    int perThread = 500;
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < perThread; i++) {
                    Timer timer =
                        s.schedule(runs::incrementAndGet, Duration.ofMillis(offset + i % 7));
                    if (i % 10 == 0) {
                      timer.cancel();
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    s.advance(Duration.ofSeconds(1));

    assertThat(runs.get()).isEqualTo(threads * (perThread - perThread / 10));
    assertThat(s.pendingTasks()).isZero();
  }
}
