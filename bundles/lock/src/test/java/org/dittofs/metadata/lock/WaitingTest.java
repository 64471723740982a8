package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

/**
 * SPEC 5, waiting: blocking requests queue in FIFO order per file, are re-checked and granted
 * atomically when their conflict clears (and only then), respect FIFO fairness (or BARGING), time
 * out, can be cancelled, are capped per file, and never hold a thread: the caller polls, awaits or
 * attaches a callback. Time is virtual ({@link ManualScheduler}); nothing sleeps.
 */
class WaitingTest extends ManagerOnManualClock {

  private final Requests on = Requests.on("waiting-file");
  private final Requests.Owner a = on.posix("nlm:host-a:1:a");
  private final Requests.Owner b = on.posix("nlm:host-b:2:b");
  private final Requests.Owner c = on.posix("nlm:host-c:3:c");
  private final Requests.Owner d = on.posix("nlm:host-d:4:d");

  // ---- helpers -------------------------------------------------------------------------------

  private PendingLock block(LockRequest r) {
    return locks.lockBlocking(r, null);
  }

  private PendingLock waiting(LockRequest r) {
    return Answers.waiting(block(r));
  }

  private static void assertPending(PendingLock p) {
    Answers.waiting(p);
  }

  private static Lock granted(PendingLock p) {
    return Answers.granted(p);
  }

  private static StoreError error(ThrowingCallable call) {
    return Answers.error(call);
  }

  private static StoreError failure(PendingLock p) {
    return Answers.failure(p);
  }

  private static Throwable completionFailure(PendingLock p) {
    CompletableFuture<Lock> f = p.completion().toCompletableFuture();
    assertThat(f).isCompletedExceptionally();
    Throwable t = catchThrowable(f::join);
    assertThat(t).isInstanceOf(CompletionException.class);
    return t.getCause();
  }

  private List<Lock> held() {
    return locks.locks(on.file());
  }

  private List<String> shape() {
    return held().stream().map(l -> l.owner().id() + " " + l.type() + " " + l.range()).toList();
  }

  // ---- a conflicting blocking request waits ----------------------------------------------------

  /**
   * A waiter's outcome is visible to poll as soon as it is decided, before any callback of the same
   * wake-up runs: here B's callback sees C granted too. C's pending request used to answer
   * "pending" until the releasing thread reached C's completion, while C's lock was already in the
   * table (found by Lincheck's stress mode as a history no order explains).
   */
  @Test
  void everyWaiterGrantedByOneReleaseIsDoneBeforeAnyCallbackRuns() {
    grant(a.exclusive(0, 100));
    PendingLock pb = locks.lockBlocking(b.exclusive(0, 10), null);
    PendingLock pc = locks.lockBlocking(c.exclusive(50, 10), null);
    java.util.concurrent.atomic.AtomicReference<String> seenByB =
        new java.util.concurrent.atomic.AtomicReference<>();
    pb.completion().thenRun(() -> seenByB.set(pc.isDone() + " " + pc.poll().isPresent()));

    locks.unlock(a.unlock(0, 100));

    assertThat(seenByB.get()).isEqualTo("true true");
  }

  @Test
  void conflictingBlockingRequestWaitsWithoutBeingGranted() throws Exception {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    assertThat(p.request()).isEqualTo(b.exclusive(0, 10));
    assertThat(p.id()).isNotNull();
    assertThat(p.await(Duration.ZERO)).isEmpty();
    assertThat(p.completion().toCompletableFuture()).isNotDone();
    assertThat(shape()).containsExactly(a.owner().id() + " EXCLUSIVE [0, 9]");
    assertThat(eventsOf(LockEvent.Granted.class)).hasSize(1);
  }

  @Test
  void blockingRequestWithoutConflictIsGrantedAtOnce() throws Exception {
    PendingLock p = block(a.exclusive(0, 10));

    Lock l = granted(p);
    assertThat(l.owner()).isEqualTo(a.owner());
    assertThat(l.range()).isEqualTo(ByteRange.span(0, 10));
    assertThat(p.await(Duration.ZERO)).contains(l);
    assertThat(p.completion().toCompletableFuture().join()).isEqualTo(l);
    assertThat(held()).containsExactly(l);
    assertThat(eventsOf(LockEvent.Waited.class)).isEmpty();
  }

  // ---- granted when the conflict clears --------------------------------------------------------

  @Test
  void waiterIsGrantedWhenTheHolderReleases() throws Exception {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    locks.unlock(a.unlock(0, 10));

    Lock l = granted(p);
    assertThat(l.owner()).isEqualTo(b.owner());
    assertThat(l.type()).isEqualTo(LockType.EXCLUSIVE);
    assertThat(l.range()).isEqualTo(ByteRange.span(0, 10));
    assertThat(held()).containsExactly(l);
    assertThat(p.await(Duration.ZERO)).contains(l);
    assertThat(p.completion().toCompletableFuture().join()).isEqualTo(l);
  }

  @Test
  void waiterStaysQueuedUntilTheWholeConflictClears() {
    grant(a.exclusive(0, 100));
    PendingLock p = waiting(b.exclusive(40, 10));

    locks.unlock(a.unlock(0, 40)); // A still holds [40, 99]
    assertPending(p);
    locks.unlock(a.unlock(50, 0)); // A still holds [40, 49]
    assertPending(p);
    locks.unlock(a.unlock(45, 5)); // A still holds [40, 44]
    assertPending(p);

    locks.unlock(a.unlock(40, 5));
    assertThat(granted(p).range()).isEqualTo(ByteRange.span(40, 10));
    assertThat(shape()).containsExactly(b.owner().id() + " EXCLUSIVE [40, 49]");
  }

  @Test
  void waiterIsGrantedWhenTheHolderDowngradesToShared() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.shared(0, 10));

    grant(a.shared(0, 10)); // downgrade: always succeeds and wakes waiters (SPEC 4)

    assertThat(granted(p).type()).isEqualTo(LockType.SHARED);
    assertThat(shape())
        .containsExactlyInAnyOrder(
            a.owner().id() + " SHARED [0, 9]", b.owner().id() + " SHARED [0, 9]");
  }

  @Test
  void downgradeOfPartOfALockWakesOnlyTheWaiterOnThatPart() {
    grant(a.exclusive(0, 100));
    PendingLock first = waiting(b.shared(0, 10));
    PendingLock second = waiting(c.shared(90, 10));

    grant(a.shared(0, 10)); // splits: SHARED [0, 9] + EXCLUSIVE [10, 99]

    assertThat(granted(first).range()).isEqualTo(ByteRange.span(0, 10));
    assertPending(second);
  }

  @Test
  void blockingDowngradeGrantedAtOnceAlsoWakesWaiters() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.shared(0, 10));

    PendingLock downgrade = block(a.shared(0, 10));

    assertThat(granted(downgrade).type()).isEqualTo(LockType.SHARED);
    assertThat(granted(p).type()).isEqualTo(LockType.SHARED);
  }

  @Test
  void downgradeGrantedToAWaiterWakesTheWaitersQueuedBeforeIt() {
    grant(a.exclusive(0, 10));
    grant(c.exclusive(10, 10));
    PendingLock reader = waiting(b.shared(0, 10)); // blocked by A's EXCLUSIVE
    PendingLock downgrade = waiting(a.shared(0, 20)); // A's own bytes do not block it; C's do

    locks.unlock(c.unlock(10, 10)); // A's request is granted: [0, 9] turns SHARED

    assertThat(granted(downgrade).range()).isEqualTo(ByteRange.span(0, 20));
    assertThat(granted(reader).owner()).isEqualTo(b.owner());
    assertThat(shape())
        .containsExactlyInAnyOrder(
            a.owner().id() + " SHARED [0, 19]", b.owner().id() + " SHARED [0, 9]");
  }

  @Test
  void waiterIsGrantedWhenAnEarlierWaiterTimesOut() {
    grant(a.shared(0, 10));
    PendingLock writer = locks.lockBlocking(b.exclusive(0, 10), Duration.ofSeconds(10));
    // C's SHARED request meets no granted conflict, only the EXCLUSIVE waiter queued before it
    PendingLock reader = waiting(c.shared(0, 10));

    clock.advance(Duration.ofSeconds(10));

    assertThat(failure(writer).code()).isEqualTo(ErrorCode.TIMED_OUT);
    assertThat(granted(reader).owner()).isEqualTo(c.owner());
  }

  @Test
  void waiterIsGrantedWhenAnEarlierWaiterIsCancelled() {
    grant(a.shared(0, 10));
    PendingLock writer = waiting(b.exclusive(0, 10));
    PendingLock reader = waiting(c.shared(0, 10));

    assertThat(writer.cancel()).isTrue();

    assertThat(failure(writer).code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(granted(reader).owner()).isEqualTo(c.owner());
  }

  @Test
  void waiterIsGrantedWhenTheHoldersClientReboots() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    locks.clientRebooted(a.client());

    assertThat(granted(p).owner()).isEqualTo(b.owner());
    assertThat(shape()).containsExactly(b.owner().id() + " EXCLUSIVE [0, 9]");
  }

  @Test
  void waiterIsGrantedWhenTheHoldersClientUnregisters() {
    locks.registerClient(a.client(), "10.0.0.1", Duration.ZERO);
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    locks.unregisterClient(a.client());

    assertThat(granted(p).owner()).isEqualTo(b.owner());
  }

  @Test
  void waiterIsGrantedWhenTheHoldersTtlRunsOut() {
    locks.registerClient(a.client(), "10.0.0.1", Duration.ofSeconds(30));
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    locks.unregisterClient(a.client()); // A's state outlives the registration by 30 s
    clock.advance(Duration.ofSeconds(29));
    assertPending(p);
    clock.advance(Duration.ofSeconds(1));

    assertThat(granted(p).owner()).isEqualTo(b.owner());
    assertThat(eventsOf(LockEvent.Released.class))
        .singleElement()
        .extracting(LockEvent.Released::reason)
        .isEqualTo(LockEvent.ReleaseReason.TIMEOUT);
  }

  @Test
  void waiterWhoseGrantCannotBePersistedFailsWithStoreUnavailable() {
    FaultyLockStore store = new FaultyLockStore();
    locks.close();
    locks =
        LockManagers.builder()
            .scheduler(clock)
            .store(store)
            .config(LockConfig.builder().gracePeriod(Duration.ZERO).build())
            .listener(events::add)
            .build();
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));
    events.clear();

    store.down();
    locks.unlock(a.unlock(0, 10)); // never refused: applied now, written when the store is back

    assertThat(failure(p).code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
    assertThat(held()).isEmpty();
    assertThat(eventsOf(LockEvent.Waited.class))
        .extracting(LockEvent.Waited::outcome)
        .containsExactly(LockEvent.WaitOutcome.FAILED);

    store.up();
    clock.advance(LockConfig.DEFAULTS.storeRetryInterval());
    LockTableInvariants.checkStoreMatches(locks, store);
    assertThat(granted(block(b.exclusive(0, 10))).owner()).isEqualTo(b.owner());
  }

  @Test
  void closingAnOpenWakesNobody() {
    ShareReservation open = locks.open(a.open("RW", ""));
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    locks.close(on.file(), open.id()); // only locks decide a lock conflict

    assertPending(p);
    locks.unlock(a.unlock(0, 10));
    assertThat(granted(p).owner()).isEqualTo(b.owner());
  }

  @Test
  void releaseGrantsEveryCompatibleWaiterAtOnce() {
    grant(a.exclusive(0, 10));
    PendingLock r1 = waiting(b.shared(0, 10));
    PendingLock r2 = waiting(c.shared(0, 10));
    PendingLock r3 = waiting(d.shared(5, 10));

    locks.unlock(a.unlock(0, 10));

    assertThat(List.of(granted(r1), granted(r2), granted(r3)))
        .extracting(Lock::type)
        .containsOnly(LockType.SHARED);
    assertThat(held()).hasSize(3);
  }

  @Test
  void upgradeWaitsForOtherReadersAndReplacesTheTypeAtomically() {
    grant(a.shared(0, 10));
    grant(b.shared(0, 10));
    PendingLock upgrade = waiting(a.exclusive(0, 10));
    assertThat(shape()).hasSize(2);

    locks.unlock(b.unlock(0, 10));

    assertThat(granted(upgrade).type()).isEqualTo(LockType.EXCLUSIVE);
    assertThat(shape()).containsExactly(a.owner().id() + " EXCLUSIVE [0, 9]");
  }

  @Test
  void windowsOwnerWaitingOnItsOwnExclusiveLockIsGrantedWhenItReleasesIt() {
    Requests.Owner w = on.windows("smb:session-1:fid-1");
    grant(w.exclusive(0, 10));
    PendingLock p = waiting(w.exclusive(0, 10)); // WINDOWS: own EXCLUSIVE conflicts, no deadlock

    locks.unlock(w.unlock(0, 10));

    assertThat(granted(p).owner()).isEqualTo(w.owner());
    assertThat(held()).hasSize(1);
  }

  /**
   * Issue 10, defect 2: C's WINDOWS zero-length lock at 2^64-2 waits on A's SHARED record holding
   * both 2^64-3 and 2^64-2. A's upgrade of its last byte splits that record in two; neither piece
   * holds both bytes, so nothing blocks C any more: the split itself must grant C's waiter.
   */
  @Test
  void splitByAnUpgradeThatClearsAZeroLengthConflictGrantsTheWaiter() {
    Requests.Owner w = on.windows("smb:session-9:fid-9");
    long last = ByteRange.MAX - 1; // 2^64-2
    grant(a.shared(0, ByteRange.MAX)); // [0, 2^64-2]
    LockRequest zero = w.request(LockType.EXCLUSIVE, ByteRange.zeroLength(last));
    PendingLock cWaits = waiting(zero);

    grant(a.exclusive(last, 1));

    Lock l = granted(cWaits);
    assertThat(l.range()).isEqualTo(ByteRange.zeroLength(last));
    assertThat(held())
        .extracting(Lock::owner, Lock::type, Lock::range)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                a.owner(), LockType.SHARED, ByteRange.of(0, last - 1)),
            org.assertj.core.groups.Tuple.tuple(
                a.owner(), LockType.EXCLUSIVE, ByteRange.of(last, last)),
            org.assertj.core.groups.Tuple.tuple(
                w.owner(), LockType.EXCLUSIVE, ByteRange.zeroLength(last)));
    assertThat(eventsOf(LockEvent.Waited.class))
        .extracting(LockEvent.Waited::outcome)
        .containsExactly(LockEvent.WaitOutcome.GRANTED);
  }

  /**
   * The grant that clears a conflict need not be a release at all: a POSIX owner's lock that
   * re-cuts its records (here: an EXCLUSIVE piece in the middle of its SHARED record, whose pieces
   * no longer hold both bytes around a zero-length waiter at the cut) wakes the waiter.
   */
  @Test
  void splitInTheMiddleOfARecordWakesAZeroLengthWaiterAtTheCut() {
    Requests.Owner w = on.windows("smb:session-9:fid-9");
    grant(a.shared(0, 100));
    PendingLock wWaits = waiting(w.request(LockType.EXCLUSIVE, ByteRange.zeroLength(50)));
    PendingLock bWaits = waiting(b.exclusive(0, 10));

    grant(a.exclusive(50, 10)); // [0,49] SHARED, [50,59] EXCLUSIVE, [60,99] SHARED

    granted(wWaits);
    assertPending(bWaits);
  }

  // ---- FIFO order, place in the queue, no thundering herd --------------------------------------

  @Test
  void waitersOnAFileAreGrantedInFifoOrder() {
    List<String> order = new CopyOnWriteArrayList<>();
    grant(a.exclusive(0, 10));
    PendingLock pb = waiting(b.exclusive(0, 10));
    PendingLock pc = waiting(c.exclusive(0, 10));
    PendingLock pd = waiting(d.exclusive(0, 10));
    for (PendingLock p : List.of(pb, pc, pd)) {
      p.completion().thenAccept(l -> order.add(l.owner().id()));
    }

    locks.unlock(a.unlock(0, 10));
    assertThat(order).containsExactly(b.owner().id());
    assertPending(pc);
    assertPending(pd);

    locks.unlock(b.unlock(0, 10));
    assertThat(order).containsExactly(b.owner().id(), c.owner().id());
    assertPending(pd);

    locks.unlock(c.unlock(0, 10));
    assertThat(order).containsExactly(b.owner().id(), c.owner().id(), d.owner().id());
    assertThat(shape()).containsExactly(d.owner().id() + " EXCLUSIVE [0, 9]");
  }

  @Test
  void waiterThatStillConflictsKeepsItsPlaceInTheQueue() {
    grant(a.exclusive(0, 10));
    grant(c.exclusive(20, 10));
    PendingLock first = waiting(b.exclusive(0, 30)); // blocked by A and C
    PendingLock second = waiting(d.exclusive(0, 10)); // blocked by A, and queued behind B

    locks.unlock(a.unlock(0, 10));
    assertPending(first); // C still conflicts: B stays first
    assertPending(second); // D may not overtake B, whose range it meets

    locks.unlock(c.unlock(20, 10));
    assertThat(granted(first).range()).isEqualTo(ByteRange.span(0, 30));
    assertPending(second);

    locks.unlock(b.unlock(0, 30));
    assertThat(granted(second).owner()).isEqualTo(d.owner());
  }

  @Test
  void onlyWaitersWhoseConflictClearedAreWoken() {
    grant(a.exclusive(0, 10));
    grant(a.exclusive(20, 10));
    PendingLock low = waiting(b.exclusive(0, 10));
    PendingLock high = waiting(c.exclusive(20, 10));
    events.clear();

    locks.unlock(a.unlock(0, 10));

    assertThat(granted(low).owner()).isEqualTo(b.owner());
    assertPending(high);
    assertThat(eventsOf(LockEvent.Waited.class))
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.request()).isEqualTo(b.exclusive(0, 10));
              assertThat(w.outcome()).isEqualTo(LockEvent.WaitOutcome.GRANTED);
            });
  }

  @Test
  void releaseOnAnotherFileWakesNobody() {
    Requests other = Requests.on("other-file");
    grant(a.exclusive(0, 10));
    grant(other.posix(a.owner().id()).exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    locks.unlock(other.posix(a.owner().id()).unlock(0, 10));

    assertPending(p);
  }

  // ---- fairness --------------------------------------------------------------------------------

  @Test
  void fifoFairnessDeniesANewcomerThatConflictsOnlyWithAQueuedWaiter() {
    grant(a.shared(0, 10));
    PendingLock writer = waiting(b.exclusive(0, 10));

    LockResult res = locks.lock(c.shared(0, 10)); // no granted lock conflicts with it

    assertThat(res.granted()).isFalse();
    Lock conflict = ((LockResult.Denied) res).conflict();
    assertThat(conflict.id()).isEqualTo(writer.id());
    assertThat(conflict.owner()).isEqualTo(b.owner());
    assertThat(conflict.type()).isEqualTo(LockType.EXCLUSIVE);
    assertThat(conflict.range()).isEqualTo(ByteRange.span(0, 10));
    assertThat(locks.test(c.shared(0, 10))).contains(conflict);
    assertThat(eventsOf(LockEvent.Denied.class))
        .singleElement()
        .extracting(LockEvent.Denied::conflict)
        .isEqualTo(conflict);
    assertThat(held()).hasSize(1);
  }

  @Test
  void fifoFairnessLetsThroughANewcomerThatMissesTheWaiter() {
    grant(a.shared(0, 10));
    waiting(b.exclusive(0, 10));

    assertThat(locks.test(c.shared(10, 10))).isEmpty();
    grant(c.shared(10, 10));
    assertThat(granted(block(d.exclusive(20, 5))).owner()).isEqualTo(d.owner());
  }

  @Test
  void fifoFairnessQueuesABlockingNewcomerBehindTheWaiter() {
    grant(a.shared(0, 10));
    PendingLock writer = waiting(b.exclusive(0, 10));
    PendingLock reader = waiting(c.shared(0, 10));

    locks.unlock(a.unlock(0, 10));
    assertThat(granted(writer).owner()).isEqualTo(b.owner());
    assertPending(reader);

    locks.unlock(b.unlock(0, 10));
    assertThat(granted(reader).owner()).isEqualTo(c.owner());
  }

  @Test
  void bargingGrantsTheNewcomerAheadOfTheWaiter() {
    use(LockConfig.builder().fairness(LockConfig.Fairness.BARGING).build());
    grant(a.shared(0, 10));
    PendingLock writer = waiting(b.exclusive(0, 10));

    assertThat(locks.test(c.shared(0, 10))).isEmpty();
    grant(c.shared(0, 10));
    PendingLock reader = block(d.shared(0, 10));
    assertThat(granted(reader).owner()).isEqualTo(d.owner());

    locks.unlock(a.unlock(0, 10));
    assertPending(writer); // the readers that barged in still hold the bytes
    locks.unlock(c.unlock(0, 10));
    locks.unlock(d.unlock(0, 10));
    assertThat(granted(writer).owner()).isEqualTo(b.owner());
  }

  @Test
  void fairnessChangedByReconfigureAppliesToTheNextRequest() {
    grant(a.shared(0, 10));
    waiting(b.exclusive(0, 10));
    assertThat(locks.lock(c.shared(0, 10)).granted()).isFalse();

    locks.reconfigure(locks.config().toBuilder().fairness(LockConfig.Fairness.BARGING).build());

    assertThat(locks.lock(c.shared(0, 10)).granted()).isTrue();
  }

  // ---- timeout ---------------------------------------------------------------------------------

  @Test
  void waitTimesOutAfterTheDefaultSixtySeconds() throws Exception {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    clock.advance(Duration.ofSeconds(59));
    assertPending(p);

    clock.advance(Duration.ofSeconds(1));
    StoreError e = failure(p);
    assertThat(e.code()).isEqualTo(ErrorCode.TIMED_OUT);
    assertThat(error(() -> p.await(Duration.ZERO)).code()).isEqualTo(ErrorCode.TIMED_OUT);
    assertThat(completionFailure(p))
        .isInstanceOfSatisfying(
            StoreError.class, x -> assertThat(x.code()).isEqualTo(ErrorCode.TIMED_OUT));
    assertThat(p.cancel()).isFalse();

    locks.unlock(a.unlock(0, 10)); // the timed-out request is gone: nothing is granted to it
    assertThat(held()).isEmpty();
    assertThat(eventsOf(LockEvent.Waited.class))
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.outcome()).isEqualTo(LockEvent.WaitOutcome.TIMED_OUT);
              assertThat(w.waited()).isEqualTo(Duration.ofSeconds(60));
            });
  }

  @Test
  void perRequestTimeoutOverridesTheDefault() {
    grant(a.exclusive(0, 10));
    PendingLock shortWait = locks.lockBlocking(b.exclusive(0, 10), Duration.ofSeconds(5));
    PendingLock longWait = locks.lockBlocking(c.exclusive(0, 10), Duration.ofSeconds(120));

    clock.advance(Duration.ofMillis(4999));
    assertPending(shortWait);
    clock.advance(Duration.ofMillis(1));
    assertThat(failure(shortWait).code()).isEqualTo(ErrorCode.TIMED_OUT);

    clock.advance(Duration.ofSeconds(60)); // past the default: the override counts
    assertPending(longWait);
    clock.advance(Duration.ofSeconds(55));
    assertThat(failure(longWait).code()).isEqualTo(ErrorCode.TIMED_OUT);
  }

  @Test
  void configuredLockTimeoutIsTheDefaultForTheNextRequest() {
    grant(a.exclusive(0, 10));
    PendingLock before = waiting(b.exclusive(0, 10));
    locks.reconfigure(locks.config().toBuilder().lockTimeout(Duration.ofSeconds(10)).build());
    PendingLock after = waiting(c.exclusive(0, 10));

    clock.advance(Duration.ofSeconds(10));
    assertThat(failure(after).code()).isEqualTo(ErrorCode.TIMED_OUT);
    assertPending(before); // queued with the old default of 60 s

    clock.advance(Duration.ofSeconds(50));
    assertThat(failure(before).code()).isEqualTo(ErrorCode.TIMED_OUT);
  }

  @Test
  void grantBeforeTheTimeoutCancelsTheTimer() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));
    locks.unlock(a.unlock(0, 10));
    Lock l = granted(p);

    clock.advance(Duration.ofSeconds(120));

    assertThat(p.poll()).contains(l);
    assertThat(held()).containsExactly(l);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void nonPositiveTimeoutIsInvalidArgument() {
    grant(a.exclusive(0, 10));

    assertThat(error(() -> locks.lockBlocking(b.exclusive(0, 10), Duration.ZERO)).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(error(() -> locks.lockBlocking(b.exclusive(0, 10), Duration.ofSeconds(-1))).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(held()).hasSize(1);
  }

  // ---- cancel ----------------------------------------------------------------------------------

  @Test
  void cancelCompletesWithCancelledAndSaysSo() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    assertThat(p.cancel()).isTrue();

    assertThat(failure(p).code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(completionFailure(p))
        .isInstanceOfSatisfying(
            StoreError.class, x -> assertThat(x.code()).isEqualTo(ErrorCode.CANCELLED));
    assertThat(p.cancel()).as("second cancel").isFalse();
    locks.unlock(a.unlock(0, 10));
    assertThat(held()).isEmpty();
    assertThat(eventsOf(LockEvent.Waited.class))
        .extracting(LockEvent.Waited::outcome)
        .containsExactly(LockEvent.WaitOutcome.CANCELLED);
    assertThat(clock.pendingTasks()).as("timeout timer").isZero();
  }

  @Test
  void cancelAfterGrantChangesNothingAndSaysSo() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));
    locks.unlock(a.unlock(0, 10));
    Lock l = granted(p);

    assertThat(p.cancel()).isFalse();

    assertThat(p.poll()).contains(l);
    assertThat(held()).containsExactly(l);
  }

  @Test
  void cancelOfARequestGrantedAtOnceReturnsFalse() {
    PendingLock p = block(a.exclusive(0, 10));
    Lock l = granted(p);

    assertThat(p.cancel()).isFalse();

    assertThat(held()).containsExactly(l);
  }

  @Test
  void releaseAimedAtAPendingRangeDoesNotTouchThePendingRequest() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    locks.unlock(b.unlock(0, 10)); // B holds nothing there: succeeds, changes nothing

    assertPending(p);
    assertThat(held()).hasSize(1);
    locks.unlock(a.unlock(0, 10));
    assertThat(granted(p).owner()).isEqualTo(b.owner());
  }

  @Test
  void windowsReleaseAimedAtAPendingRangeIsLockNotFoundAndLeavesTheRequest() {
    Requests.Owner wa = on.windows("smb:s1:a");
    Requests.Owner wb = on.windows("smb:s2:b");
    grant(wa.exclusive(0, 10));
    PendingLock p = waiting(wb.exclusive(0, 10));

    assertThat(error(() -> locks.unlock(wb.unlock(0, 10))).code())
        .isEqualTo(ErrorCode.LOCK_NOT_FOUND);

    assertPending(p);
    locks.unlock(wa.unlock(0, 10));
    assertThat(granted(p).owner()).isEqualTo(wb.owner());
  }

  @Test
  void pendingRequestsOfAClientThatGoesAwayAreCancelled() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));
    PendingLock other = waiting(c.exclusive(0, 10));

    locks.clientRebooted(b.client());

    assertThat(failure(p).code()).isEqualTo(ErrorCode.CANCELLED);
    assertPending(other);
    locks.unlock(a.unlock(0, 10));
    assertThat(granted(other).owner()).isEqualTo(c.owner());
  }

  @Test
  void closingTheManagerCancelsPendingRequests() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));
    LockTableInvariants.check(locks);

    locks.close();

    assertThat(failure(p).code()).isEqualTo(ErrorCode.CANCELLED);
  }

  // ---- waiter cap ------------------------------------------------------------------------------

  @Test
  void waiterCapPerFileRefusesWithLockLimitExceeded() {
    use(LockConfig.builder().maxWaitersPerFile(2).build());
    grant(a.exclusive(0, 10));
    PendingLock p1 = waiting(b.exclusive(0, 10));
    waiting(c.exclusive(0, 10));

    StoreError e = error(() -> block(d.exclusive(0, 10)));

    assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED);
    assertThat(e.detail()).contains(new ErrorDetail.Limit("waiters-per-file", 2, 2));
    assertThat(eventsOf(LockEvent.LimitHit.class))
        .containsExactly(new LockEvent.LimitHit("waiters-per-file", 2, 2));

    // the cap is per file
    Requests other = Requests.on("other-file");
    grant(other.posix("nlm:x:1:x").exclusive(0, 10));
    assertPending(block(other.posix(d.owner().id()).exclusive(0, 10)));

    // a waiter that leaves makes room
    assertThat(p1.cancel()).isTrue();
    assertPending(block(d.exclusive(0, 10)));
  }

  @Test
  void loweringTheWaiterCapKeepsTheQueuedWaiters() {
    grant(a.exclusive(0, 10));
    PendingLock p1 = waiting(b.exclusive(0, 10));
    PendingLock p2 = waiting(c.exclusive(0, 10));

    locks.reconfigure(locks.config().toBuilder().maxWaitersPerFile(1).build());

    assertPending(p1);
    assertPending(p2);
    StoreError e = error(() -> block(d.exclusive(0, 10)));
    assertThat(e.detail()).contains(new ErrorDetail.Limit("waiters-per-file", 2, 1));
    locks.unlock(a.unlock(0, 10));
    assertThat(granted(p1).owner()).isEqualTo(b.owner());
  }

  @Test
  void waiterCapDoesNotRefuseARequestGrantedAtOnce() {
    use(LockConfig.builder().maxWaitersPerFile(1).build());
    grant(a.exclusive(0, 10));
    waiting(b.exclusive(0, 10));

    assertThat(granted(block(c.exclusive(50, 10))).owner()).isEqualTo(c.owner());
  }

  @Test
  void waiterCapAtOrBelowZeroIsDisabled() {
    use(LockConfig.builder().maxWaitersPerFile(0).build());
    grant(a.exclusive(0, 10));
    for (int i = 0; i < 150; i++) {
      waiting(on.posix("nlm:many:" + i).exclusive(0, 10));
    }
    assertThat(eventsOf(LockEvent.LimitHit.class)).isEmpty();
  }

  // ---- never holds a thread hostage ------------------------------------------------------------

  @Test
  void completionCallbackMayCallBackIntoTheManager() {
    grant(a.exclusive(0, 10));
    PendingLock pb = waiting(b.exclusive(0, 10));
    PendingLock pc = waiting(c.exclusive(0, 10));
    // B gives the bytes back as soon as it gets them, from inside its callback
    pb.completion().thenAccept(l -> locks.unlock(b.unlock(l.range())));

    locks.unlock(a.unlock(0, 10));

    assertThat(pb.isDone()).isTrue();
    assertThat(granted(pc).owner()).isEqualTo(c.owner());
    assertThat(shape()).containsExactly(c.owner().id() + " EXCLUSIVE [0, 9]");
  }

  @Test
  void completionCallbackRunsOutsideTheFileMonitor() throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      grant(a.exclusive(0, 10));
      PendingLock pb = waiting(b.exclusive(0, 10));
      PendingLock pc = waiting(c.exclusive(0, 10));
      // another thread must be able to operate on the same file while the callback runs: if the
      // callback ran under the file's monitor, this would never finish
      CompletableFuture<Void> done =
          pb.completion()
              .thenAccept(
                  l -> {
                    Future<?> f = other.submit(() -> locks.unlock(b.unlock(0, 10)));
                    try {
                      f.get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                      throw new AssertionError("callback blocked the file's table", e);
                    }
                  })
              .toCompletableFuture();

      locks.unlock(a.unlock(0, 10));

      assertThat(done).isCompleted();
      assertThat(granted(pc).owner()).isEqualTo(c.owner());
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void failureCallbackMayCallBackIntoTheManager() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));
    // on timeout B falls back to a non-blocking request for other bytes
    CompletableFuture<LockResult> fallback =
        p.completion()
            .handle((l, e) -> e == null ? null : locks.lock(b.exclusive(100, 10)))
            .toCompletableFuture();

    clock.advance(Duration.ofSeconds(60));

    assertThat(fallback.join().granted()).isTrue();
    assertThat(shape())
        .containsExactly(
            a.owner().id() + " EXCLUSIVE [0, 9]", b.owner().id() + " EXCLUSIVE [100, 109]");
  }

  @Test
  void awaitReturnsEmptyWhilePendingAndTheLockOnceGranted() throws Exception {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    assertThat(p.await(Duration.ZERO)).isEmpty();
    assertThat(p.await(Duration.ofMillis(1))).isEmpty();
    assertPending(p); // awaiting changed nothing

    locks.unlock(a.unlock(0, 10));
    assertThat(p.await(Duration.ZERO)).contains(granted(p));
  }

  @Test
  void interruptedAwaitLeavesTheRequestQueued() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));

    Thread.currentThread().interrupt();
    Throwable t;
    try {
      t = catchThrowable(() -> p.await(Duration.ofMinutes(5)));
    } finally {
      Thread.interrupted(); // clear the flag whatever happened
    }

    assertThat(t).isInstanceOf(InterruptedException.class);
    assertPending(p);
    locks.unlock(a.unlock(0, 10));
    assertThat(granted(p).owner()).isEqualTo(b.owner());
  }

  @Test
  void awaitOnAnotherThreadReturnsOnceGranted() throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      grant(a.exclusive(0, 10));
      PendingLock p = waiting(b.exclusive(0, 10));
      Future<Optional<Lock>> awaited = other.submit(() -> p.await(Duration.ofMinutes(5)));

      locks.unlock(a.unlock(0, 10));

      assertThat(awaited.get(5, TimeUnit.MINUTES)).contains(granted(p));
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void waitedEventReportsTheVirtualTimeSpentWaiting() {
    grant(a.exclusive(0, 10));
    PendingLock p = waiting(b.exclusive(0, 10));
    clock.advance(Duration.ofSeconds(7));

    locks.unlock(a.unlock(0, 10));
    granted(p);

    assertThat(eventsOf(LockEvent.Waited.class))
        .containsExactly(
            new LockEvent.Waited(
                b.exclusive(0, 10), Duration.ofSeconds(7), LockEvent.WaitOutcome.GRANTED));
    assertThat(eventsOf(LockEvent.Granted.class)).hasSize(2);
  }
}
