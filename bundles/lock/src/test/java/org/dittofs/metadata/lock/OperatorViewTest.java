package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What operator tools (metrics, health checks, the web console) read from and do to the host face:
 * the files with state, the waiting requests, ending grace by decision, and the store events that
 * carry commit latency and swap duration.
 */
@ExtendWith(QuietLockLog.class)
class OperatorViewTest {
  private static final Duration COMMIT = Duration.ofMillis(7);

  private final ManualScheduler sched = new ManualScheduler();
  private final FaultyLockStore store = new FaultyLockStore();
  private final List<LockEvent> events = new CopyOnWriteArrayList<>();

  private final Requests on = Requests.on("view-file");
  private final Requests other = Requests.on("view-other");
  private final Requests.Owner a = on.posix("nlm:host-a:1:a");
  private final Requests.Owner b = on.posix("nlm:host-b:1:b");
  private final Requests.Owner c = on.posix("nlm:host-c:1:c");

  private LockManager start(LockStore s) {
    return LockManagers.builder().scheduler(sched).store(s).listener(events::add).build();
  }

  private <E extends LockEvent> List<E> eventsOf(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void filesListsEveryFileWithLocksOpensOrWaitersAndForgetsEmptiedOnes() {
    LockManager m = start(store);
    assertThat(m.files()).isEmpty();
    Answers.grant(m, a.exclusive(0, 10));
    ShareReservation o = m.open(other.posix("nlm:host-a:1:a").open("R", ""));
    assertThat(m.files()).containsExactlyInAnyOrder(on.file(), other.file());

    m.unlock(a.unlock(0, 10));
    assertThat(m.files()).containsExactly(other.file());
    m.close(other.file(), o.id());
    assertThat(m.files()).isEmpty();
  }

  @Test
  void waitersAreListedInQueueOrderAsTheLocksTheyAskFor() {
    LockManager m = start(store);
    Answers.grant(m, a.exclusive(0, 100));
    java.time.Instant t0 = sched.now();
    PendingLock first = m.lockBlocking(b.exclusive(10, 5), Duration.ofSeconds(60));
    sched.advance(Duration.ofSeconds(2));
    PendingLock second = m.lockBlocking(c.shared(50, 0), Duration.ofSeconds(60));

    List<Lock> waiting = m.waiters(on.file());

    assertThat(waiting).extracting(Lock::owner).containsExactly(b.owner(), c.owner());
    assertThat(waiting.get(0).range()).isEqualTo(ByteRange.span(10, 5));
    assertThat(waiting.get(0).type()).isEqualTo(LockType.EXCLUSIVE);
    assertThat(waiting.get(1).range()).isEqualTo(ByteRange.toEnd(50));
    assertThat(waiting.get(0).acquiredAt()).isEqualTo(t0);
    assertThat(waiting.get(1).acquiredAt()).isEqualTo(t0.plusSeconds(2));
    assertThat(waiting).extracting(Lock::id).containsExactly(first.id(), second.id());
    assertThat(m.locks(on.file())).extracting(Lock::owner).containsExactly(a.owner());
    assertThat(m.files()).containsExactly(on.file());
    assertThat(m.waiters(other.file())).isEmpty();

    second.cancel();
    assertThat(m.waiters(on.file())).extracting(Lock::owner).containsExactly(b.owner());
    m.unlock(a.unlock(0, 100));
    assertThat(first.poll()).isPresent();
    assertThat(m.waiters(on.file())).isEmpty();
  }

  @Test
  void endGraceReleasesWhatNobodyReclaimedAndAdmitsNewLocks() {
    LockManager before = start(store);
    Lock kept = Answers.grant(before, a.exclusive(0, 10));
    Lock lost = Answers.grant(before, b.shared(100, 10));
    before.close();
    FaultyLockStore durable = store.reopen();
    LockManager m = start(durable);
    assertThat(m.graceStatus().active()).isTrue();
    assertThat(m.reclaim(a.exclusive(0, 10)).granted()).isTrue();
    assertCode(ErrorCode.GRACE_PERIOD, () -> m.lock(c.exclusive(200, 10)));
    events.clear();

    m.endGrace();

    assertThat(m.graceStatus().active()).isFalse();
    assertThat(eventsOf(LockEvent.GraceEnded.class))
        .containsExactly(new LockEvent.GraceEnded(true, 1, 1));
    assertThat(eventsOf(LockEvent.Released.class))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.reason()).isEqualTo(LockEvent.ReleaseReason.GRACE_EXPIRED);
              assertThat(r.removed()).containsExactly(lost);
            });
    assertThat(m.locks(on.file()))
        .extracting(Lock::owner, Lock::range)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(a.owner(), kept.range()));
    assertThat(m.lock(c.exclusive(100, 10)).granted()).isTrue();
    LockTableInvariants.check(m);
    LockTableInvariants.checkStoreMatches(m, durable);

    events.clear();
    m.endGrace(); // outside grace: nothing happens
    assertThat(events).isEmpty();
  }

  @Test
  void afterAnUncleanShutdownWithNothingRestoredGraceIsAlreadyOverAndEndGraceDoesNothing() {
    LockManager before = start(store);
    Answers.grant(before, a.exclusive(0, 10));
    before.unlock(a.unlock(0, 10)); // empty, but never closed: unclean
    LockManager m = start(store.reopen());
    // SPEC 11: nothing restored, so every restored record is reclaimed: grace ends at once
    assertThat(m.graceStatus().active()).isFalse();
    events.clear();

    m.endGrace();

    assertThat(events).isEmpty();
    assertThat(m.lock(c.exclusive(0, 10)).granted()).isTrue();
  }

  @Test
  void everyCommitThatLandsIsPublishedWithItsOperationsAndLatency() {
    LockManager m = start(slow(store));
    events.clear();

    Answers.grant(m, a.exclusive(0, 10));
    m.unlock(a.unlock(2, 3)); // a split: one delete, two puts

    assertThat(eventsOf(LockEvent.StoreCommitted.class))
        .containsExactly(
            new LockEvent.StoreCommitted(1, COMMIT), new LockEvent.StoreCommitted(3, COMMIT));
  }

  @Test
  void aFailedCommitIsNotPublishedAsCommitted() {
    LockManager m = start(store);
    events.clear();
    store.down();
    assertCode(ErrorCode.STORE_UNAVAILABLE, () -> m.lock(a.exclusive(0, 10)));
    assertThat(eventsOf(LockEvent.StoreCommitted.class)).isEmpty();
    assertThat(eventsOf(LockEvent.StoreFailed.class)).hasSize(1);
  }

  @Test
  void aSwapIsPublishedWithTheTimeTrafficWasHeldAndTheRecordsCopied() {
    LockManager m = start(store);
    Answers.grant(m, a.exclusive(0, 10));
    Answers.grant(m, b.shared(20, 10));
    events.clear();

    m.swapStore(slow(new FaultyLockStore()), null);
    m.swapStore(null, null);

    List<LockEvent.StoreSwapped> swaps = eventsOf(LockEvent.StoreSwapped.class);
    assertThat(swaps).hasSize(2);
    assertThat(swaps.get(0).copiedRecords()).isEqualTo(2);
    assertThat(swaps.get(0).detached()).isFalse();
    assertThat(swaps.get(0).held()).isGreaterThanOrEqualTo(COMMIT); // the copy's commit
    assertThat(swaps.get(1)).isEqualTo(new LockEvent.StoreSwapped(Duration.ZERO, 0, true));
  }

  private static void assertCode(ErrorCode code, Runnable r) {
    try {
      r.run();
    } catch (StoreError e) {
      assertThat(e.code()).isEqualTo(code);
      return;
    }
    throw new AssertionError("expected " + code);
  }

  /** {@code s}, its commits now taking {@link #COMMIT} on the manual clock. */
  private FaultyLockStore slow(FaultyLockStore s) {
    s.beforeEachCommit(ops -> sched.advance(COMMIT));
    return s;
  }
}
