package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.internal.EventMetrics;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC 12: a lock request refused with an error is an event too ({@link LockEvent.Refused}, with
 * the request and the error's code), published once per refusal, after the {@link
 * LockEvent.LimitHit} or {@link LockEvent.Deadlock} that explains it and before the caller sees the
 * error: grace period, store unavailable, a limit, a deadlock, a reclaim outside grace or of
 * nothing. A conflict stays a {@link LockEvent.Denied}; a malformed request publishes nothing. The
 * lock manager's own metrics count refusals by reason.
 */
@ExtendWith(QuietLockLog.class)
class RefusalEventsTest {
  private final ManualScheduler clock = new ManualScheduler();
  private final List<LockEvent> events = new CopyOnWriteArrayList<>();
  private final EventMetrics metrics = new EventMetrics();
  private final FaultyLockStore store = new FaultyLockStore();
  private LockManager locks = manager(store, LockConfig.DEFAULTS);

  private final Requests on = Requests.on("refusal-file");
  private final Requests.Owner a = on.posix("nlm:host-a:1:a");
  private final Requests.Owner b = on.posix("nlm:host-b:2:b");
  private final Requests.Owner w = on.windows("smb:session-w:w");

  private LockManager manager(FaultyLockStore s, LockConfig config) {
    return ManagerOnManualClock.over(clock, s, config, events::add, metrics);
  }

  @AfterEach
  void close() {
    locks.close();
  }

  private static StoreError error(ThrowingCallable call) {
    return Answers.error(call);
  }

  /** Runs {@code call}, expects {@code code}, and returns the events it published. */
  private List<LockEvent> refusedWith(ErrorCode code, ThrowingCallable call) {
    events.clear();
    assertThat(error(call).code()).isEqualTo(code);
    return List.copyOf(events);
  }

  private long refusedCount(String reason) {
    return metrics
        .snapshot()
        .counters()
        .getOrDefault("dittofs_locks_refused_total{reason=\"" + reason + "\"}", 0L);
  }

  @Test
  void requestsInTheGracePeriodAreRefusedWithAnEvent() {
    assertThat(locks.lock(a.exclusive(0, 10)).granted()).isTrue();
    FaultyLockStore durable = store.reopen(); // not closed cleanly: the restart is in grace
    locks = manager(durable, LockConfig.DEFAULTS);
    assertThat(locks.graceStatus().active()).isTrue();

    LockRequest lock = b.shared(100, 10);
    assertThat(refusedWith(ErrorCode.GRACE_PERIOD, () -> locks.lock(lock)))
        .containsExactly(new LockEvent.Refused(lock, ErrorCode.GRACE_PERIOD));
    LockRequest blocking = b.exclusive(200, 10);
    assertThat(
            refusedWith(
                ErrorCode.GRACE_PERIOD, () -> locks.lockBlocking(blocking, Duration.ofSeconds(1))))
        .containsExactly(new LockEvent.Refused(blocking, ErrorCode.GRACE_PERIOD));
    List<LockRequest> ranges = List.of(w.exclusive(0, 1), w.exclusive(5, 1));
    assertThat(refusedWith(ErrorCode.GRACE_PERIOD, () -> locks.lockAll(ranges)))
        .containsExactly(new LockEvent.Refused(ranges.get(0), ErrorCode.GRACE_PERIOD));
    LockRequest nothingRestored = b.exclusive(0, 10);
    assertThat(refusedWith(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(nothingRestored)))
        .containsExactly(new LockEvent.Refused(nothingRestored, ErrorCode.LOCK_NOT_FOUND));

    assertThat(refusedCount("grace_period")).isEqualTo(3);
    assertThat(refusedCount("lock_not_found")).isEqualTo(1);
  }

  @Test
  void aReclaimOutsideGraceIsRefusedWithAnEvent() {
    LockRequest r = a.exclusive(0, 10);
    assertThat(refusedWith(ErrorCode.NOT_IN_GRACE, () -> locks.reclaim(r)))
        .containsExactly(new LockEvent.Refused(r, ErrorCode.NOT_IN_GRACE));
    assertThat(refusedCount("not_in_grace")).isEqualTo(1);
  }

  @Test
  void aGrantTheStoreCannotTakeIsRefusedWithAnEvent() {
    store.down();
    LockRequest r = a.exclusive(0, 10);
    List<LockEvent> published = refusedWith(ErrorCode.STORE_UNAVAILABLE, () -> locks.lock(r));
    assertThat(published).last().isEqualTo(new LockEvent.Refused(r, ErrorCode.STORE_UNAVAILABLE));
    assertThat(published).noneMatch(e -> e instanceof LockEvent.Granted);
    assertThat(locks.locks(on.file())).isEmpty();
    store.up();

    locks.swapStore(null, null); // no store at all
    LockRequest detached = b.exclusive(0, 10);
    assertThat(refusedWith(ErrorCode.STORE_UNAVAILABLE, () -> locks.lock(detached)))
        .last()
        .isEqualTo(new LockEvent.Refused(detached, ErrorCode.STORE_UNAVAILABLE));
    assertThat(refusedCount("store_unavailable")).isEqualTo(2);
  }

  @Test
  void aLimitRefusalFollowsItsLimitHit() {
    locks.close();
    locks = manager(store, LockConfig.builder().maxLocksPerFile(1).build());
    assertThat(locks.lock(a.exclusive(0, 10)).granted()).isTrue();

    LockRequest r = b.exclusive(100, 10);
    assertThat(refusedWith(ErrorCode.LOCK_LIMIT_EXCEEDED, () -> locks.lock(r)))
        .containsExactly(
            new LockEvent.LimitHit("per-file", 1, 1),
            new LockEvent.Refused(r, ErrorCode.LOCK_LIMIT_EXCEEDED));
    assertThat(refusedCount("lock_limit_exceeded")).isEqualTo(1);
  }

  @Test
  void aDeadlockRefusalFollowsItsDeadlock() {
    Requests other = Requests.on("refusal-other-file");
    assertThat(locks.lock(a.exclusive(0, 10)).granted()).isTrue();
    assertThat(locks.lock(other.posix("nlm:host-b:2:b").exclusive(0, 10)).granted()).isTrue();
    PendingLock aWaits =
        locks.lockBlocking(other.posix("nlm:host-a:1:a").exclusive(0, 10), Duration.ofMinutes(1));
    assertThat(aWaits.isDone()).isFalse();

    LockRequest closesCycle = b.exclusive(0, 10);
    List<LockEvent> published =
        refusedWith(
            ErrorCode.DEADLOCK, () -> locks.lockBlocking(closesCycle, Duration.ofMinutes(1)));
    assertThat(published).hasSize(2);
    assertThat(published.get(0)).isInstanceOf(LockEvent.Deadlock.class);
    assertThat(published.get(1)).isEqualTo(new LockEvent.Refused(closesCycle, ErrorCode.DEADLOCK));
    assertThat(refusedCount("deadlock")).isEqualTo(1);
    aWaits.cancel();
  }

  @Test
  void aConflictIsDeniedNotRefusedAndBadInputPublishesNothing() {
    assertThat(locks.lock(a.exclusive(0, 10)).granted()).isTrue();
    events.clear();
    LockRequest r = b.shared(5, 10);
    assertThat(locks.lock(r).granted()).isFalse();
    assertThat(events).singleElement().isInstanceOf(LockEvent.Denied.class);

    assertThat(refusedWith(ErrorCode.INVALID_ARGUMENT, () -> locks.lockAll(List.of()))).isEmpty();
    assertThat(
            refusedWith(
                ErrorCode.INVALID_ARGUMENT, () -> locks.lockBlocking(r, Duration.ofSeconds(-1))))
        .isEmpty();
    assertThat(metrics.snapshot().counters().keySet())
        .noneMatch(k -> k.startsWith("dittofs_locks_refused_total"));
  }
}
