package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
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
 * SPEC 11: the grace period after a restart: when it is entered, what it refuses and answers, which
 * reclaims it grants, how it ends early or by its timer, and what happens to state nobody
 * reclaimed.
 */
@ExtendWith(QuietLockLog.class)
class GraceTest {
  private static final Duration GRACE = LockConfig.DEFAULTS.gracePeriod();

  private final FaultyLockStore store = new FaultyLockStore();
  private final ManualScheduler sched = new ManualScheduler();
  private final List<LockEvent> events = new CopyOnWriteArrayList<>();

  private final Requests on = Requests.on("grace-file");
  private final Requests other = Requests.on("grace-other-file");
  private final Requests.Owner a = on.posix("nlm:host-a:1:a");
  private final Requests.Owner a2 = on.posix("nlm:host-a:2:a2");
  private final Requests.Owner b = on.posix("nlm:host-b:1:b");
  private final Requests.Owner c = on.posix("nlm:host-c:1:c");
  private final Requests.Owner w = on.windows("smb:session-w:w");

  /** The manager before the restart; its state is what the store holds. */
  private final LockManager before =
      LockManagers.builder().scheduler(new ManualScheduler()).store(store).build();

  private FaultyLockStore durable;
  private LockManager locks;

  private Lock hold(LockRequest r) {
    LockResult res = before.lock(r);
    assertThat(res.granted()).as("grant of %s", r).isTrue();
    return ((LockResult.Granted) res).lock();
  }

  /** Stops the first manager (cleanly or not) and starts a new one on the durable content. */
  private LockManager restart(boolean clean) {
    return restart(clean, LockConfig.DEFAULTS);
  }

  private LockManager restart(boolean clean, LockConfig config) {
    if (clean) {
      before.close();
    }
    durable = store.reopen();
    locks =
        LockManagers.builder()
            .scheduler(sched)
            .store(durable)
            .config(config)
            .listener(events::add)
            .build();
    return locks;
  }

  private <E extends LockEvent> List<E> eventsOf(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static StoreError failure(Runnable r) {
    return Answers.error(r::run);
  }

  private static void assertCode(ErrorCode code, Runnable r) {
    assertThat(failure(r).code()).isEqualTo(code);
  }

  private Lock reclaimed(LockRequest r) {
    LockResult res = locks.reclaim(r);
    assertThat(res).isInstanceOf(LockResult.Granted.class);
    return ((LockResult.Granted) res).lock();
  }

  private LockRequest asClient(LockRequest r, LockClient client) {
    return new LockRequest(
        r.file(), r.share(), r.owner(), client, r.flavour(), r.type(), r.range());
  }

  private void checkStore() {
    LockTableInvariants.check(locks);
    LockTableInvariants.checkStoreMatches(locks, durable);
  }

  // ---- entering ------------------------------------------------------------------------------

  @Test
  void graceIsEnteredAtStartWhenTheStoreHoldsLocks() {
    hold(a.exclusive(0, 10));
    hold(b.shared(100, 10));
    hold(other.posix("nlm:host-b:1:b").shared(0, 0));
    restart(true);

    assertThat(locks.graceStatus().active()).isTrue();
    assertThat(eventsOf(LockEvent.GraceEntered.class))
        .containsExactly(new LockEvent.GraceEntered(3, 0, Set.of(a.client(), b.client()), GRACE));
  }

  @Test
  void graceIsEnteredAtStartWhenTheStoreHoldsOnlyOpens() {
    before.open(a.open("RW", "W"));
    restart(true);

    assertThat(locks.graceStatus().active()).isTrue();
    assertThat(eventsOf(LockEvent.GraceEntered.class))
        .containsExactly(new LockEvent.GraceEntered(0, 1, Set.of(a.client()), GRACE));
  }

  @Test
  void anUncleanShutdownThatLeftNothingEndsGraceAtOnce() {
    hold(a.exclusive(0, 10));
    before.unlock(a.unlock(0, 10));
    restart(false);

    assertThat(durable.records()).isEmpty();
    // SPEC 11: entered (the shutdown was not clean), and over at once: nothing to reclaim
    assertThat(eventsOf(LockEvent.GraceEntered.class))
        .containsExactly(new LockEvent.GraceEntered(0, 0, Set.of(), GRACE));
    assertThat(eventsOf(LockEvent.GraceEnded.class))
        .containsExactly(new LockEvent.GraceEnded(true, 0, 0));
    assertThat(locks.graceStatus().active()).isFalse();
    assertThat(locks.lock(b.exclusive(0, 10)).granted()).isTrue();
    assertCode(ErrorCode.NOT_IN_GRACE, () -> locks.reclaim(a.exclusive(0, 10)));
  }

  @Test
  void anUncleanShutdownWithRecordsLeftKeepsGraceUntilTheyAreReclaimed() {
    Lock held = hold(a.exclusive(0, 10));
    restart(false);

    assertThat(locks.graceStatus().active()).isTrue();
    assertCode(ErrorCode.GRACE_PERIOD, () -> locks.lock(b.exclusive(20, 10)));
    assertThat(locks.reclaim(a.exclusive(0, 10)).granted()).isTrue();
    assertThat(locks.graceStatus().active()).isFalse();
    assertThat(locks.locks(held.file())).hasSize(1);
  }

  @Test
  void noGraceAfterACleanShutdownWithAnEmptyStore() {
    hold(a.exclusive(0, 10));
    before.unlock(a.unlock(0, 10));
    restart(true);

    assertThat(locks.graceStatus().active()).isFalse();
    assertThat(locks.graceStatus().remaining()).isZero();
    assertThat(eventsOf(LockEvent.GraceEntered.class)).isEmpty();
    assertThat(locks.lock(b.exclusive(0, 10)).granted()).isTrue();
    assertCode(ErrorCode.NOT_IN_GRACE, () -> locks.reclaim(a.exclusive(0, 10)));
  }

  @Test
  void noGraceAtTheFirstStartOfANeverStartedEmptyStore() {
    FaultyLockStore fresh = new FaultyLockStore();
    LockManager first =
        LockManagers.builder().scheduler(sched).store(fresh).listener(events::add).build();

    assertThat(first.graceStatus().active()).isFalse();
    assertThat(eventsOf(LockEvent.GraceEntered.class)).isEmpty();
    assertThat(first.lock(a.exclusive(0, 10)).granted()).isTrue();
    assertThat(fresh.getServerEpoch()).isEqualTo(1);
  }

  @Test
  void graceAtTheFirstStartOfANeverStartedStoreThatHoldsRecords() {
    FaultyLockStore seeded = new FaultyLockStore();
    Lock l = hold(a.exclusive(0, 10));
    seeded.putLock(PersistedLock.of(l)); // e.g. records migrated from another server
    LockManager first =
        LockManagers.builder().scheduler(sched).store(seeded).listener(events::add).build();

    assertThat(first.graceStatus().active()).isTrue();
    assertThat(first.locks(on.file())).containsExactly(l);
  }

  @Test
  void restoredLocksAndOpensAreTheRecordsBeforeTheRestart() {
    Lock x = hold(a.exclusive(0, 10));
    Lock s = hold(b.shared(100, 0));
    Lock wl = hold(w.shared(50, 10));
    ShareReservation o = before.open(c.open("R", "D"));
    restart(false);

    assertThat(locks.locks(on.file())).containsExactly(x, wl, s);
    assertThat(locks.opens(on.file())).containsExactly(o);
    assertThat(locks.lockCount()).isEqualTo(3);
    assertThat(locks.epoch()).isEqualTo(2);
    LockTableInvariants.check(locks);
  }

  // ---- during grace --------------------------------------------------------------------------

  @Test
  void duringGraceNewLocksBlockingLocksAndOpensFailWithGracePeriod() {
    hold(a.exclusive(0, 10));
    restart(true);

    StoreError e = failure(() -> locks.lock(b.exclusive(100, 10)));
    assertThat(e.code()).isEqualTo(ErrorCode.GRACE_PERIOD);
    assertThat(e.detail()).contains(new ErrorDetail.Grace(90));
    assertCode(ErrorCode.GRACE_PERIOD, () -> locks.lockBlocking(b.exclusive(100, 10), null));
    assertCode(ErrorCode.GRACE_PERIOD, () -> locks.open(b.open("R", "")));
    assertCode(
        ErrorCode.GRACE_PERIOD, () -> locks.lockAll(List.of(w.shared(200, 1), w.shared(300, 1))));

    sched.advance(Duration.ofSeconds(30));
    assertThat(failure(() -> locks.lock(b.exclusive(100, 10))).detail())
        .contains(new ErrorDetail.Grace(60));
    sched.advance(Duration.ofMillis(59_500));
    assertThat(failure(() -> locks.lock(b.exclusive(100, 10))).detail())
        .contains(new ErrorDetail.Grace(1));

    assertThat(locks.locks(on.file())).hasSize(1);
    assertThat(locks.opens(on.file())).isEmpty();
  }

  @Test
  void duringGraceTestsAreAnsweredAndRestoredLocksEnforced() {
    Lock x = hold(a.exclusive(0, 10));
    Lock s = hold(b.shared(100, 10));
    restart(true);

    assertThat(locks.test(c.shared(5, 1))).contains(x);
    assertThat(locks.test(c.exclusive(105, 1))).contains(s);
    assertThat(locks.test(c.shared(105, 1))).isEmpty();
    assertThat(locks.test(c.exclusive(20, 10))).isEmpty();
    assertThat(
            failure(
                    () ->
                        locks.checkRead(
                            on.file(), c.owner(), ByteRange.span(0, 1), LockingMode.MANDATORY))
                .code())
        .isEqualTo(ErrorCode.LOCK_CONFLICT);
  }

  // ---- reclaim -------------------------------------------------------------------------------

  @Test
  void aReclaimMatchingARestoredLockIsGrantedAndReplacesTheRecord() {
    Lock x = hold(a.exclusive(0, 10));
    hold(b.shared(100, 10));
    restart(true);

    Lock r = reclaimed(a.exclusive(0, 10));

    assertThat(r.range()).isEqualTo(x.range());
    assertThat(r.type()).isEqualTo(LockType.EXCLUSIVE);
    assertThat(r.owner()).isEqualTo(a.owner());
    assertThat(r.epoch()).isEqualTo(2);
    assertThat(locks.locks(on.file())).contains(r).doesNotContain(x).hasSize(2);
    assertThat(durable.records())
        .containsKey(r.id().toString())
        .doesNotContainKey(x.id().toString());
    assertThat(eventsOf(LockEvent.Granted.class))
        .containsExactly(new LockEvent.Granted(r, 0, true));
    assertThat(locks.graceStatus().reclaimedRecords()).isEqualTo(1);
    assertThat(locks.graceStatus().active()).isTrue();
    checkStore();
  }

  @Test
  void aReclaimWithAWeakerTypeReplacesTheExclusiveLockByASharedOne() {
    hold(a.exclusive(0, 10));
    hold(b.shared(100, 10));
    restart(true);

    Lock r = reclaimed(a.shared(0, 10));

    assertThat(r.type()).isEqualTo(LockType.SHARED);
    assertThat(locks.locks(on.file()))
        .filteredOn(l -> l.owner().equals(a.owner()))
        .containsExactly(r);
    assertThat(locks.test(c.shared(0, 10))).isEmpty();
    assertThat(locks.test(c.exclusive(0, 10))).contains(r);
    checkStore();
  }

  @Test
  void aWindowsLockIsReclaimedLikeAPosixOne() {
    Lock wl = hold(w.exclusive(10, 10));
    hold(w.exclusive(50, 10));
    restart(true);

    Lock r = reclaimed(w.exclusive(10, 10));
    assertThat(r.range()).isEqualTo(wl.range());
    assertThat(r.flavour()).isEqualTo(LockFlavour.WINDOWS);
    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(w.exclusive(10, 10)));
    checkStore();
  }

  @Test
  void aReclaimWithAnotherRangeFailsWithLockNotFound() {
    Lock x = hold(a.exclusive(10, 10));
    restart(true);

    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(a.exclusive(10, 5)));
    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(a.exclusive(5, 20)));
    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(a.exclusive(11, 10)));
    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(a.exclusive(10, 0)));
    assertCode(
        ErrorCode.LOCK_NOT_FOUND,
        () -> locks.reclaim(other.posix(a.owner().id()).exclusive(10, 10)));
    assertThat(locks.locks(on.file())).containsExactly(x);
    assertThat(locks.graceStatus().reclaimedRecords()).isZero();
  }

  @Test
  void aReclaimWithAStrongerTypeFailsWithLockNotFound() {
    Lock s = hold(a.shared(0, 10));
    restart(true);

    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(a.exclusive(0, 10)));
    assertThat(locks.locks(on.file())).containsExactly(s);
  }

  @Test
  void aReclaimByAnotherOwnerFailsWithLockNotFound() {
    Lock x = hold(a.exclusive(0, 10));
    restart(true);

    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(b.exclusive(0, 10)));
    // another owner of the same client is still another owner
    assertCode(
        ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(asClient(a2.exclusive(0, 10), a.client())));
    assertThat(locks.locks(on.file())).containsExactly(x);
  }

  @Test
  void aReclaimThroughAnotherClientFailsWithLockNotFound() {
    Lock x = hold(a.exclusive(0, 10));
    restart(true);

    assertCode(
        ErrorCode.LOCK_NOT_FOUND,
        () -> locks.reclaim(asClient(a.exclusive(0, 10), new LockClient("impostor", "test"))));
    assertCode(
        ErrorCode.LOCK_NOT_FOUND,
        () -> locks.reclaim(asClient(a.exclusive(0, 10), new LockClient(a.client().id(), "nfs4"))));
    assertThat(locks.locks(on.file())).containsExactly(x);
  }

  @Test
  void aLockCanBeReclaimedOnlyOnce() {
    hold(a.exclusive(0, 10));
    hold(b.exclusive(20, 10));
    restart(true);

    reclaimed(a.exclusive(0, 10));
    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(a.exclusive(0, 10)));
    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaim(a.shared(0, 10)));
    assertThat(locks.graceStatus().reclaimedRecords()).isEqualTo(1);
  }

  @Test
  void reclaimingTouchingPiecesOfOneOwnerOneByOneKeepsThemApartUntilBothAreReclaimed() {
    hold(a.shared(0, 10));
    hold(a.exclusive(10, 10));
    hold(b.shared(100, 10));
    restart(true);

    Lock tail = reclaimed(a.shared(10, 10)); // weaker: touches the restored SHARED [0, 9]
    assertThat(tail.range()).isEqualTo(ByteRange.of(10, 19));
    assertThat(locks.locks(on.file()))
        .filteredOn(l -> l.owner().equals(a.owner()))
        .extracting(l -> l.type() + " " + l.range())
        .containsExactly("SHARED [0, 9]", "SHARED [10, 19]");
    assertThat(locks.graceStatus().active()).isTrue();

    Lock head = reclaimed(a.shared(0, 10)); // now it coalesces with the reclaimed one
    assertThat(head.range()).isEqualTo(ByteRange.of(0, 19));
    reclaimed(b.shared(100, 10));

    assertThat(locks.graceStatus().active()).isFalse();
    assertThat(eventsOf(LockEvent.GraceEnded.class))
        .containsExactly(new LockEvent.GraceEnded(true, 3, 0));
    checkStore();
  }

  @Test
  void aReclaimedOpenWithTheSameOrSmallerModesIsGrantedAndLargerIsRefused() {
    ShareReservation same = before.open(a.open("RW", "D"));
    ShareReservation smaller = before.open(b.open("RW", "D"));
    ShareReservation larger = before.open(c.open("R", "D"));
    restart(true);

    ShareReservation r1 = locks.reclaimOpen(a.open("RW", "D"));
    ShareReservation r2 = locks.reclaimOpen(b.open("R", ""));
    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaimOpen(c.open("RW", "D")));
    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaimOpen(c.open("R", "WD")));

    assertThat(r1.access()).isEqualTo(same.access());
    assertThat(r1.deny()).isEqualTo(same.deny());
    assertThat(r2.access()).containsExactly(ShareAccess.READ);
    assertThat(r2.deny()).isEmpty();
    assertThat(locks.opens(on.file())).containsExactlyInAnyOrder(r1, r2, larger);
    assertThat(durable.records())
        .doesNotContainKeys(same.id().toString(), smaller.id().toString())
        .containsKeys(r1.id().toString(), r2.id().toString(), larger.id().toString());
    assertThat(eventsOf(LockEvent.OpenGranted.class))
        .containsExactly(new LockEvent.OpenGranted(r1, true), new LockEvent.OpenGranted(r2, true));
    checkStore();
  }

  /**
   * A smaller reclaim takes the restored open that fits it best (an exact match), not the first
   * covering one: reclaiming the owner's two opens in either order then succeeds. It used to take
   * the first covering open, so a later reclaim of the larger open failed with LOCK_NOT_FOUND
   * (found by CrashRestartTest once the unknown-outcome undo shifted its fault schedule).
   */
  @Test
  void aSmallerOpenReclaimTakesTheBestFittingRestoredOpen() {
    before.open(a.open("RD", "W"));
    before.open(a.open("", "W"));
    restart(true);

    ShareReservation small = locks.reclaimOpen(a.open("", "W"));
    ShareReservation large = locks.reclaimOpen(a.open("RD", "W"));

    assertThat(small.access()).isEmpty();
    assertThat(large.access()).containsExactlyInAnyOrder(ShareAccess.READ, ShareAccess.DELETE);
    assertThat(locks.graceStatus().active()).isFalse(); // every restored record was reclaimed
    checkStore();
  }

  /** The same for stacked WINDOWS locks: a SHARED reclaim takes the restored SHARED record. */
  @Test
  void aSharedReclaimOfStackedWindowsLocksTakesTheSharedRecord() {
    hold(w.exclusive(0, 10));
    hold(w.shared(0, 10));
    restart(true);

    reclaimed(w.shared(0, 10));
    reclaimed(w.exclusive(0, 10));

    assertThat(locks.graceStatus().active()).isFalse();
    checkStore();
  }

  @Test
  void aReclaimedOpenMustMatchOwnerAndClient() {
    before.open(a.open("R", ""));
    restart(true);

    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaimOpen(b.open("R", "")));
    OpenRequest viaOther =
        new OpenRequest(
            on.file(), "export", a.owner(), new LockClient("impostor", "test"), Set.of(), Set.of());
    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaimOpen(viaOther));
    assertCode(ErrorCode.LOCK_NOT_FOUND, () -> locks.reclaimOpen(other.posix("x").open("R", "")));
  }

  @Test
  void aReclaimOutsideGraceFailsWithNotInGrace() {
    LockManager plain = LockManagers.builder().scheduler(sched).build();
    assertCode(ErrorCode.NOT_IN_GRACE, () -> plain.reclaim(a.exclusive(0, 10)));
    assertCode(ErrorCode.NOT_IN_GRACE, () -> plain.reclaimOpen(a.open("R", "")));

    hold(a.exclusive(0, 10));
    restart(true);
    sched.advance(GRACE);
    assertCode(ErrorCode.NOT_IN_GRACE, () -> locks.reclaim(a.exclusive(0, 10)));
    assertCode(ErrorCode.NOT_IN_GRACE, () -> locks.reclaimOpen(a.open("R", "")));
  }

  // ---- ending --------------------------------------------------------------------------------

  @Test
  void graceEndsEarlyWhenEveryExpectedClientDeclaresItsReclaimsComplete() {
    hold(a.exclusive(0, 10));
    Lock lost = hold(a.exclusive(20, 10));
    hold(b.shared(100, 10));
    restart(true);
    Lock r = reclaimed(a.exclusive(0, 10));

    locks.reclaimComplete(a.client());
    assertThat(locks.graceStatus().active()).isTrue();
    assertThat(locks.graceStatus().completedClients()).containsExactly(a.client());
    locks.reclaimComplete(b.client());

    assertThat(locks.graceStatus().active()).isFalse();
    assertThat(eventsOf(LockEvent.GraceEnded.class))
        .containsExactly(new LockEvent.GraceEnded(true, 1, 2));
    assertThat(locks.locks(on.file())).containsExactly(r);
    assertThat(eventsOf(LockEvent.Released.class))
        .extracting(LockEvent.Released::reason)
        .containsOnly(LockEvent.ReleaseReason.GRACE_EXPIRED);
    assertThat(eventsOf(LockEvent.Released.class))
        .flatExtracting(LockEvent.Released::removed)
        .contains(lost);
    assertThat(locks.lock(c.exclusive(20, 10)).granted()).isTrue();
    checkStore();
  }

  @Test
  void aDeclarationFromAnUnexpectedClientDoesNotEndGrace() {
    hold(a.exclusive(0, 10));
    restart(true);
    locks.reclaimComplete(b.client());
    locks.reclaimComplete(c.client());
    assertThat(locks.graceStatus().active()).isTrue();
    locks.reclaimComplete(a.client());
    assertThat(locks.graceStatus().active()).isFalse();
  }

  @Test
  void graceEndsEarlyWhenEveryRestoredRecordIsReclaimed() {
    hold(a.exclusive(0, 10));
    hold(other.posix(b.owner().id()).shared(0, 0));
    before.open(c.open("R", ""));
    restart(true);

    reclaimed(a.exclusive(0, 10));
    locks.reclaimOpen(c.open("R", ""));
    assertThat(locks.graceStatus().active()).isTrue();
    reclaimed(other.posix(b.owner().id()).shared(0, 0));

    assertThat(locks.graceStatus().active()).isFalse();
    assertThat(eventsOf(LockEvent.GraceEnded.class))
        .containsExactly(new LockEvent.GraceEnded(true, 3, 0));
    assertThat(eventsOf(LockEvent.Released.class)).isEmpty();
    assertThat(locks.lock(a2.shared(500, 1)).granted()).isTrue();
    checkStore();
  }

  @Test
  void aClientWithSeveralLocksThatReclaimsOneDoesNotEndGraceEarlyForTheOthers() {
    hold(a.exclusive(0, 10));
    Lock second = hold(a.exclusive(20, 10));
    Lock third = hold(other.posix(a.owner().id()).shared(0, 10));
    restart(true);

    Lock r = reclaimed(a.exclusive(0, 10));

    assertThat(locks.graceStatus().active()).isTrue();
    assertThat(locks.graceStatus().restoredRecords()).isEqualTo(3);
    assertThat(locks.graceStatus().reclaimedRecords()).isEqualTo(1);
    assertThat(locks.locks(on.file())).contains(second);
    assertThat(locks.locks(other.file())).containsExactly(third);

    // unreclaimed locks are gone after grace
    sched.advance(GRACE);
    assertThat(locks.graceStatus().active()).isFalse();
    assertThat(locks.locks(on.file())).containsExactly(r);
    assertThat(locks.locks(other.file())).isEmpty();
    assertThat(durable.records()).containsOnlyKeys(r.id().toString());
    assertThat(eventsOf(LockEvent.GraceEnded.class))
        .containsExactly(new LockEvent.GraceEnded(false, 1, 2));
    checkStore();
  }

  @Test
  void atTheEndUnreclaimedLocksAreReleasedDeletedAndNoLongerBlockNewLocks() {
    Lock x = hold(a.exclusive(0, 100));
    Lock s = hold(b.shared(200, 10));
    restart(true);
    assertThat(locks.test(c.exclusive(50, 10))).contains(x);

    sched.advance(GRACE.minusSeconds(1));
    assertThat(locks.graceStatus().active()).isTrue();
    sched.advance(Duration.ofSeconds(1));

    assertThat(locks.graceStatus().active()).isFalse();
    assertThat(locks.locks(on.file())).isEmpty();
    assertThat(locks.lockCount()).isZero();
    assertThat(durable.records()).isEmpty();
    assertThat(eventsOf(LockEvent.Released.class))
        .allSatisfy(e -> assertThat(e.reason()).isEqualTo(LockEvent.ReleaseReason.GRACE_EXPIRED))
        .flatExtracting(LockEvent.Released::removed)
        .containsExactlyInAnyOrder(x, s);
    assertThat(locks.test(c.exclusive(50, 10))).isEmpty();
    PendingLock p = locks.lockBlocking(c.exclusive(0, 300), null);
    assertThat(p.poll()).isPresent();
    checkStore();
  }

  @Test
  void atTheEndUnreclaimedOpensAreClosed() {
    ShareReservation lost = before.open(a.open("R", "W"));
    restart(true);
    sched.advance(GRACE);

    assertThat(locks.opens(on.file())).isEmpty();
    assertThat(eventsOf(LockEvent.Closed.class))
        .containsExactly(new LockEvent.Closed(lost, LockEvent.ReleaseReason.GRACE_EXPIRED));
    assertThat(locks.open(b.open("W", "")).access()).containsExactly(ShareAccess.WRITE);
    checkStore();
  }

  @Test
  void aZeroGracePeriodReleasesRestoredStateAtStart() {
    hold(a.exclusive(0, 10));
    restart(false, LockConfig.builder().gracePeriod(Duration.ZERO).build());

    assertThat(locks.graceStatus().active()).isFalse();
    assertThat(locks.locks(on.file())).isEmpty();
    assertThat(eventsOf(LockEvent.GraceEnded.class))
        .containsExactly(new LockEvent.GraceEnded(false, 0, 1));
    assertThat(locks.lock(b.exclusive(0, 10)).granted()).isTrue();
    checkStore();
  }

  @Test
  void graceStatusReportsItsProgress() {
    hold(a.exclusive(0, 10));
    hold(a.exclusive(20, 10));
    hold(b.shared(100, 10));
    restart(true);

    assertThat(locks.graceStatus())
        .isEqualTo(new GraceStatus(true, GRACE, Set.of(a.client(), b.client()), Set.of(), 3, 0));
    sched.advance(Duration.ofSeconds(40));
    reclaimed(a.exclusive(20, 10));
    locks.reclaimComplete(a.client());
    assertThat(locks.graceStatus())
        .isEqualTo(
            new GraceStatus(
                true,
                GRACE.minusSeconds(40),
                Set.of(a.client(), b.client()),
                Set.of(a.client()),
                3,
                1));
    sched.advance(GRACE);
    assertThat(locks.graceStatus())
        .isEqualTo(
            new GraceStatus(
                false, Duration.ZERO, Set.of(a.client(), b.client()), Set.of(a.client()), 3, 1));
  }

  @Test
  void afterGraceNewStateIsAcceptedAndSurvivesTheNextRestart() {
    hold(a.exclusive(0, 10));
    restart(true);
    Lock r = reclaimed(a.exclusive(0, 10)); // the only record: grace ends at once
    assertThat(locks.graceStatus().active()).isFalse();
    Lock n = ((LockResult.Granted) locks.lock(b.shared(100, 10))).lock();
    locks.close();

    LockManager third =
        LockManagers.builder().scheduler(new ManualScheduler()).store(durable.reopen()).build();
    assertThat(third.graceStatus().active()).isTrue();
    assertThat(third.graceStatus().restoredRecords()).isEqualTo(2);
    assertThat(third.locks(on.file())).containsExactly(r, n);
    assertThat(third.epoch()).isEqualTo(3);
  }
}
