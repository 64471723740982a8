package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC 10: grants are durable before they are acknowledged, refused without a trace when the store
 * cannot take them; releases, downgrades and closes never wait for the store and land later, in
 * order; the store then equals memory; epochs and the clean-shutdown marker.
 */
@ExtendWith(QuietLockLog.class)
class PersistenceTest {
  private static final Duration RETRY = LockConfig.DEFAULTS.storeRetryInterval();

  private final ManualScheduler sched = new ManualScheduler();
  private final FaultyLockStore store = new FaultyLockStore();
  private final List<LockEvent> events = new CopyOnWriteArrayList<>();
  private final LockManager locks = start(store, sched);

  private final Requests on = Requests.on("persisted-file");
  private final Requests.Owner a = on.posix("nlm:host:1:a");
  private final Requests.Owner b = on.posix("nlm:host:1:b");
  private final Requests.Owner w = on.windows("smb:session:1:w");

  private LockManager start(FaultyLockStore s, ManualScheduler scheduler) {
    return ManagerOnManualClock.over(
        scheduler,
        s,
        LockConfig.builder().gracePeriod(Duration.ofSeconds(90)).build(),
        events::add);
  }

  private Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  private static StoreError failure(Runnable r) {
    return Answers.error(r::run);
  }

  private static void assertUnavailable(Runnable r) {
    assertThat(failure(r).code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
  }

  /** The file's memory state as store records, by id. */
  private Map<String, PersistedLock> memory() {
    return LockTableInvariants.records(locks, on.file());
  }

  private void landAndCheck() {
    sched.advance(RETRY.multipliedBy(2));
    assertThat(locks.pendingStoreWrites()).isZero();
    LockTableInvariants.check(locks);
    LockTableInvariants.checkStoreMatches(locks, store);
  }

  // ---- acknowledged means durable ------------------------------------------------------------

  @Test
  void aGrantIsInTheStoreBeforeLockReturns() {
    Lock l = grant(a.exclusive(0, 100));
    assertThat(store.records()).containsExactly(Map.entry(l.id().toString(), PersistedLock.of(l)));
    assertThat(locks.pendingStoreWrites()).isZero();
  }

  @Test
  void anUpgradeReplacesTheRecordInTheStoreBeforeLockReturns() {
    Lock s = grant(a.shared(0, 100));
    Lock x = grant(a.exclusive(0, 100));
    assertThat(store.records())
        .containsOnlyKeys(x.id().toString())
        .containsValue(PersistedLock.of(x));
    assertThat(store.records()).doesNotContainKey(s.id().toString());
  }

  @Test
  void aPartialUpgradeStoresEveryPieceBeforeLockReturns() {
    grant(a.shared(0, 100));
    grant(a.exclusive(40, 10));
    assertThat(store.records()).isEqualTo(memory()).hasSize(3);
  }

  @Test
  void aCoalescingGrantStoresTheUnionAndDeletesTheParts() {
    grant(a.shared(0, 10));
    grant(a.shared(20, 10));
    Lock union = grant(a.shared(10, 10));
    assertThat(union.range()).isEqualTo(ByteRange.of(0, 29));
    assertThat(store.records()).containsOnlyKeys(union.id().toString());
  }

  @Test
  void aMultiRangeWindowsGrantStoresEveryRecord() {
    LockResult res = locks.lockAll(List.of(w.exclusive(0, 10), w.shared(20, 10), w.shared(20, 10)));
    assertThat(res.granted()).isTrue();
    assertThat(store.records()).isEqualTo(memory()).hasSize(3);
  }

  @Test
  void anOpenIsInTheStoreBeforeOpenReturns() {
    ShareReservation o = locks.open(a.open("RW", "W"));
    assertThat(store.records()).containsExactly(Map.entry(o.id().toString(), PersistedLock.of(o)));
  }

  @Test
  void aWaiterGrantedOnWakeUpIsInTheStoreWhenItCompletes() {
    grant(a.exclusive(0, 100));
    PendingLock p = locks.lockBlocking(b.exclusive(0, 10), null);
    List<Map<String, PersistedLock>> seen = new ArrayList<>();
    p.completion().thenAccept(l -> seen.add(store.records()));
    locks.unlock(a.unlock(0, 100));
    Lock l = p.poll().orElseThrow();
    assertThat(seen).singleElement().satisfies(r -> assertThat(r).containsKey(l.id().toString()));
    landAndCheck();
  }

  // ---- refused grants change nothing ---------------------------------------------------------

  @Test
  void aGrantWithTheStoreDownFailsWithStoreUnavailableAndChangesNothing() {
    Lock held = grant(a.shared(0, 100));
    Map<String, PersistedLock> before = store.records();
    store.down();

    assertUnavailable(() -> locks.lock(b.exclusive(200, 10)));
    assertUnavailable(() -> locks.lock(a.shared(200, 10)));
    assertUnavailable(() -> locks.lockAll(List.of(w.shared(300, 1), w.shared(400, 1))));

    assertThat(locks.locks(on.file())).containsExactly(held);
    assertThat(locks.lockCount()).isEqualTo(1);
    assertThat(locks.test(b.exclusive(200, 10))).isEmpty();
    assertThat(locks.test(b.exclusive(0, 10))).contains(held);
    // one queued undo of the refused grants: a write that failed may have landed (UnknownOutcome)
    assertThat(locks.pendingStoreWrites()).isEqualTo(1);
    store.up();
    sched.advance(RETRY);
    assertThat(locks.pendingStoreWrites()).isZero();
    assertThat(store.records()).isEqualTo(before);
    assertThat(eventsOf(LockEvent.Granted.class)).hasSize(1);
    assertThat(eventsOf(LockEvent.StoreFailed.class)).hasSize(3);
    LockTableInvariants.check(locks);
    // the owner that was refused its first lock can still use either flavour: nothing was counted
    assertThat(locks.lock(b.exclusive(200, 10)).granted()).isTrue();
  }

  @Test
  void anUpgradeWithTheStoreDownLeavesTheSharedLockAsItWas() {
    Lock s = grant(a.shared(0, 100));
    store.down();
    assertUnavailable(() -> locks.lock(a.exclusive(0, 100)));
    assertUnavailable(() -> locks.lock(a.exclusive(10, 10)));
    assertThat(locks.locks(on.file())).containsExactly(s);
    assertThat(locks.test(b.shared(0, 100))).isEmpty();
    store.up();
    landAndCheck();
  }

  @Test
  void aBlockingRequestWithTheStoreDownFailsAtOnceWhenItWouldBeGranted() {
    store.down();
    assertUnavailable(() -> locks.lockBlocking(a.exclusive(0, 10), null));
    assertThat(locks.locks(on.file())).isEmpty();
    assertThat(locks.lockCount()).isZero();
  }

  @Test
  void anOpenWithTheStoreDownFailsWithStoreUnavailableAndChangesNothing() {
    ShareReservation held = locks.open(a.open("R", ""));
    store.down();
    assertUnavailable(() -> locks.open(b.open("R", "W")));
    assertThat(locks.opens(on.file())).containsExactly(held);
    store.up();
    // the refused open left no deny behind
    ShareReservation writer = locks.open(b.open("W", ""));
    assertThat(locks.opens(on.file())).containsExactly(held, writer);
    landAndCheck();
  }

  @Test
  void aWaiterWokenWhileTheStoreIsDownFailsWithStoreUnavailableAndHoldsNothing() {
    grant(a.exclusive(0, 100));
    PendingLock p = locks.lockBlocking(b.exclusive(0, 10), null);
    store.down();
    locks.unlock(a.unlock(0, 100));
    assertThatThrownBy(p::poll)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    assertThat(locks.locks(on.file())).isEmpty();
    store.up();
    landAndCheck();
  }

  // ---- releases, downgrades and closes never wait for the store ------------------------------

  @Test
  void aReleaseWhileTheStoreIsDownTakesEffectAtOnceAndLandsLater() {
    Lock l = grant(a.exclusive(0, 100));
    store.down();

    locks.unlock(a.unlock(0, 100));

    assertThat(locks.locks(on.file())).isEmpty();
    assertThat(locks.lockCount()).isZero();
    assertThat(locks.test(b.exclusive(0, 10))).isEmpty(); // memory is free at once
    assertThat(locks.pendingStoreWrites()).isPositive();
    sched.advance(RETRY.multipliedBy(5)); // retries while down keep it queued
    assertThat(locks.pendingStoreWrites()).isPositive();
    store.up();
    assertThat(store.records()).containsOnlyKeys(l.id().toString());

    landAndCheck();
    assertThat(store.records()).isEmpty();
  }

  @Test
  void releasesWhileTheStoreIsDownLandInOrder() {
    grant(a.exclusive(0, 100));
    grant(b.shared(200, 100));
    store.down();

    locks.unlock(a.unlock(40, 10)); // split: two new pieces
    locks.unlock(a.unlock(0, 40)); // removes the head piece written by the step before
    locks.unlock(b.unlock(250, 0)); // shrink b
    locks.unlock(a.unlock(90, 10)); // shrink the tail piece

    assertThat(locks.locks(on.file()))
        .extracting(l -> l.type() + " " + l.range())
        .containsExactly("EXCLUSIVE [50, 89]", "SHARED [200, 249]");
    store.up();
    landAndCheck();
  }

  @Test
  void aDowngradeByLockWhileTheStoreIsDownSucceedsAndLandsLater() {
    grant(a.exclusive(0, 100));
    store.down();

    Lock s = grant(a.shared(0, 100)); // SHARED over own EXCLUSIVE: a downgrade

    assertThat(s.type()).isEqualTo(LockType.SHARED);
    assertThat(locks.locks(on.file())).containsExactly(s);
    assertThat(locks.test(b.shared(10, 10))).isEmpty();
    store.up();
    landAndCheck();
  }

  @Test
  void aPartialDowngradeWhileTheStoreIsDownSplitsAtOnceAndLandsLater() {
    grant(a.exclusive(0, 100));
    grant(a.shared(200, 10));
    store.down();

    grant(a.shared(40, 10)); // splits the EXCLUSIVE lock in three
    assertThat(locks.locks(on.file()))
        .extracting(l -> l.type() + " " + l.range())
        .containsExactly(
            "EXCLUSIVE [0, 39]", "SHARED [40, 49]", "EXCLUSIVE [50, 99]", "SHARED [200, 209]");
    grant(a.shared(50, 50)); // coalesces with [40, 49]: still only bytes held EXCLUSIVE before
    assertUnavailable(() -> locks.lock(a.shared(190, 10))); // bytes 190..199 are new
    assertThat(locks.locks(on.file()))
        .extracting(l -> l.type() + " " + l.range())
        .containsExactly("EXCLUSIVE [0, 39]", "SHARED [40, 99]", "SHARED [200, 209]");
    assertThat(locks.test(b.shared(60, 10))).isEmpty();
    store.up();
    landAndCheck();
  }

  @Test
  void aDowngradeWakesTheWaitersItNoLongerBlocks() {
    grant(a.exclusive(0, 100));
    PendingLock reader = locks.lockBlocking(b.shared(10, 10), null);
    assertThat(reader.isDone()).isFalse();

    grant(a.shared(0, 100));

    assertThat(reader.poll()).get().extracting(Lock::type).isEqualTo(LockType.SHARED);
    landAndCheck();
  }

  @Test
  void aDowngradeIsNeverQueuedBehindAWaiterItStillBlocks() {
    grant(a.exclusive(0, 100));
    PendingLock writer = locks.lockBlocking(b.exclusive(10, 10), null);
    store.down();

    assertThat(locks.test(a.shared(0, 100))).isEmpty();
    Lock s = grant(a.shared(0, 100)); // FIFO fairness does not hold a downgrade back

    assertThat(locks.locks(on.file())).containsExactly(s);
    assertThat(writer.isDone()).isFalse();
    store.up();
    locks.unlock(a.unlock(0, 0));
    assertThat(writer.poll()).isPresent();
    landAndCheck();
  }

  @Test
  void aDowngradeThatSplitsALockIsNotRefusedByALimit() {
    LockManager limited =
        LockManagers.builder()
            .scheduler(sched)
            .store(new FaultyLockStore())
            .config(LockConfig.builder().maxLocksPerFile(1).maxLocksTotal(1).build())
            .build();
    limited.lock(a.exclusive(0, 100));

    LockResult res = limited.lock(a.shared(40, 10));

    assertThat(res.granted()).isTrue();
    assertThat(limited.locks(on.file())).hasSize(3);
    assertThat(limited.lockCount()).isEqualTo(3);
    LockTableInvariants.check(limited);
    // new bytes are still a grant, refused by the limit
    assertThat(failure(() -> limited.lock(a.shared(200, 1))).code())
        .isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED);
  }

  @Test
  void aSharedLockOverNewBytesNextToOwnExclusiveIsAGrantAndNeedsTheStore() {
    Lock x = grant(a.exclusive(0, 100));
    store.down();
    assertUnavailable(() -> locks.lock(a.shared(50, 100))); // bytes 100..149 are new
    assertThat(locks.locks(on.file())).containsExactly(x);
    store.up();
    landAndCheck();
  }

  @Test
  void anOpenDowngradeAndACloseWhileTheStoreIsDownSucceedAndLandLater() {
    ShareReservation first = locks.open(a.open("RW", "RW"));
    ShareReservation second = locks.open(b.open("", ""));
    store.down();

    ShareReservation down =
        locks.downgrade(on.file(), first.id(), Requests.modes("R"), Requests.modes("W"));
    locks.close(on.file(), second.id());

    assertThat(down.id()).isEqualTo(first.id());
    assertThat(locks.opens(on.file())).containsExactly(down);
    assertThat(locks.pendingStoreWrites()).isPositive();
    store.up();
    landAndCheck();
    assertThat(store.records().get(first.id().toString()).access())
        .containsExactly(ShareAccess.READ);
  }

  @Test
  void aGrantWhileReleasesArePendingFailsIfTheStoreIsStillDown() {
    Lock x = grant(a.exclusive(0, 100));
    store.down();
    locks.unlock(a.unlock(0, 50));
    List<Lock> after = locks.locks(on.file());

    assertUnavailable(() -> locks.lock(b.exclusive(0, 10)));

    assertThat(locks.locks(on.file())).isEqualTo(after);
    assertThat(locks.lockCount()).isEqualTo(1);
    assertThat(store.records()).containsOnlyKeys(x.id().toString());
    store.up();
    landAndCheck();
  }

  @Test
  void aGrantAfterTheStoreIsBackLandsThePendingReleasesFirst() {
    grant(a.exclusive(0, 100));
    store.down();
    locks.unlock(a.unlock(0, 50));
    locks.unlock(a.unlock(80, 0));
    store.up();

    Lock l = grant(b.exclusive(0, 10)); // no retry timer ran: the grant carries the releases

    assertThat(locks.pendingStoreWrites()).isZero();
    assertThat(store.records()).containsKey(l.id().toString()).hasSize(2);
    LockTableInvariants.checkStoreMatches(locks, store);
    landAndCheck();
  }

  @Test
  void releasesOfEveryKindLandWhenTheStoreComesBack() {
    grant(a.exclusive(0, 10));
    Lock wx = grant(w.exclusive(100, 10));
    grant(w.shared(200, 10));
    ShareReservation o = locks.open(b.open("R", ""));
    store.down();
    locks.unlock(a.unlock(0, 0));
    locks.unlock(w.unlock(wx.range()));
    locks.close(on.file(), o.id());
    locks.clientRebooted(w.client());
    assertThat(locks.locks(on.file())).isEmpty();
    store.up();
    landAndCheck();
    assertThat(store.records()).isEmpty();
  }

  @Test
  void everyNthWriteFailingStillLeavesTheStoreEqualToMemory() {
    store.failEveryNthWrite(3);
    Requests.Owner[] owners = {a, b, on.posix("nlm:host:1:c")};
    int refused = 0;
    for (int i = 0; i < 60; i++) {
      Requests.Owner o = owners[i % 3];
      long off = (i * 37L) % 200;
      List<Lock> before = locks.locks(on.file());
      try {
        switch (i % 5) {
          case 0, 1 -> locks.lock(o.exclusive(off, 1 + i % 17));
          case 2 -> locks.lock(o.shared(off / 2, 5 + i % 7));
          case 3 -> locks.unlock(o.unlock(off / 3, 10));
          default -> {
            ShareReservation r = locks.open(o.open("R", ""));
            if (i % 2 == 0) {
              locks.close(on.file(), r.id());
            }
          }
        }
      } catch (StoreError e) {
        assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
        assertThat(locks.locks(on.file())).isEqualTo(before);
        refused++;
      }
      if (i % 10 == 9) {
        sched.advance(RETRY);
      }
      LockTableInvariants.check(locks);
    }
    assertThat(refused).isPositive();
    for (int i = 0; i < 20 && locks.pendingStoreWrites() > 0; i++) {
      sched.advance(RETRY);
    }
    assertThat(locks.pendingStoreWrites()).isZero();
    LockTableInvariants.checkStoreMatches(locks, store);
  }

  @Test
  void aFailedStoreWriteIsAnEvent() {
    store.down();
    assertUnavailable(() -> locks.lock(a.exclusive(0, 1)));
    assertThat(eventsOf(LockEvent.StoreFailed.class)).hasSize(1);
  }

  // ---- epochs and the clean-shutdown marker --------------------------------------------------

  @Test
  void theEpochIsIncrementedInTheStoreAtEveryStart() {
    assertThat(store.getServerEpoch()).isEqualTo(1);
    assertThat(locks.epoch()).isEqualTo(1);
    Lock first = grant(a.exclusive(0, 10));
    assertThat(first.id().epoch()).isEqualTo(1);
    assertThat(first.epoch()).isEqualTo(1);
    locks.close();

    FaultyLockStore reopened = store.reopen();
    LockManager second = start(reopened, new ManualScheduler());
    assertThat(reopened.getServerEpoch()).isEqualTo(2);
    assertThat(second.epoch()).isEqualTo(2);
    second.close();

    FaultyLockStore third = reopened.reopen();
    LockManager m3 = start(third, new ManualScheduler());
    assertThat(third.getServerEpoch()).isEqualTo(3);
    assertThat(m3.epoch()).isEqualTo(3);
  }

  @Test
  void newRecordsCarryTheEpochTheyWereWrittenIn() {
    locks.close();
    FaultyLockStore reopened = store.reopen();
    ManualScheduler s2 = new ManualScheduler();
    LockManager second = LockManagers.builder().scheduler(s2).store(reopened).epoch(99).build();
    Lock l = ((LockResult.Granted) second.lock(Requests.on("f").posix("o").exclusive(0, 1))).lock();
    ShareReservation o = second.open(Requests.on("f").posix("o").open("R", ""));
    assertThat(l.id().epoch()).isEqualTo(2);
    assertThat(reopened.records().get(l.id().toString()).epoch()).isEqualTo(2);
    assertThat(reopened.records().get(o.id().toString()).epoch()).isEqualTo(2);
    assertThat(o.id().epoch()).isEqualTo(2);
  }

  @Test
  void withoutAStoreTheEpochIsTheBuildersAndNothingIsWritten() {
    LockManager m = LockManagers.builder().scheduler(sched).epoch(7).build();
    Lock l = ((LockResult.Granted) m.lock(a.exclusive(0, 1))).lock();
    assertThat(m.epoch()).isEqualTo(7);
    assertThat(l.id().epoch()).isEqualTo(7);
    assertThat(m.pendingStoreWrites()).isZero();
    m.close();
  }

  @Test
  void startFailsWithStoreUnavailableWhenTheStoreCannotBeRead() {
    FaultyLockStore s = new FaultyLockStore();
    s.down();
    assertUnavailable(() -> start(s, new ManualScheduler()));
  }

  @Test
  void aCleanCloseSetsTheMarkerAndTheNextStartClearsIt() {
    assertThat(store.isCleanShutdown()).isFalse();
    grant(a.exclusive(0, 10));
    locks.close();
    assertThat(store.isCleanShutdown()).isTrue();

    FaultyLockStore reopened = store.reopen();
    assertThat(reopened.isCleanShutdown()).isTrue();
    start(reopened, new ManualScheduler());
    assertThat(reopened.isCleanShutdown()).isFalse();
  }

  @Test
  void closeWithWritesStillPendingLeavesTheMarkerUnset() {
    grant(a.exclusive(0, 10));
    store.down();
    locks.unlock(a.unlock(0, 10));
    store.up();
    // the next write call fails, the one after succeeds: the last chance of close() fails, and a
    // marker written after it would succeed
    store.failEveryNthWrite(2);
    store.setCleanShutdown(false);

    locks.close();

    assertThat(locks.pendingStoreWrites()).isPositive();
    assertThat(store.isCleanShutdown()).isFalse();
    store.failEveryNthWrite(0);
    LockManager next = start(store.reopen(), new ManualScheduler());
    assertThat(next.graceStatus().active()).isTrue();
  }

  @Test
  void closeGivesQueuedWritesALastChanceAndThenSetsTheMarker() {
    grant(a.exclusive(0, 10));
    store.down();
    locks.unlock(a.unlock(0, 10));
    store.up(); // no retry ran yet

    locks.close();

    assertThat(locks.pendingStoreWrites()).isZero();
    assertThat(store.records()).isEmpty();
    assertThat(store.isCleanShutdown()).isTrue();
    LockManager next = start(store.reopen(), new ManualScheduler());
    assertThat(next.graceStatus().active()).isFalse();
  }

  @Test
  void aClosedManagerRefusesRequestsWithStoreUnavailable() {
    locks.close();
    locks.close(); // idempotent
    assertUnavailable(() -> locks.lock(a.exclusive(0, 1)));
    assertUnavailable(() -> locks.open(a.open("R", "")));
  }

  private <E extends LockEvent> List<E> eventsOf(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
