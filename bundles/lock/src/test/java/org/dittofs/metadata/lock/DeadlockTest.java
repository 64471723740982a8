package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.junit.jupiter.api.Test;

/**
 * SPEC 5, deadlock: before a request waits, the wait-for graph (waiter -> owners of conflicting
 * locks and, under FIFO fairness, of conflicting waiters queued ahead) is checked; a request that
 * would close a cycle fails at once with DEADLOCK and changes nothing. Detection is exact (cycles
 * of any length, across files, never a false positive) and is repeated whenever a woken waiter must
 * wait again.
 */
class DeadlockTest extends ManagerOnManualClock {

  private final Requests f1 = Requests.on("deadlock-file-1");
  private final Requests f2 = Requests.on("deadlock-file-2");
  private final Requests f3 = Requests.on("deadlock-file-3");
  private static final String A = "nlm:host-a:1:a";
  private static final String B = "nlm:host-b:2:b";
  private static final String C = "nlm:host-c:3:c";
  private static final String D = "nlm:host-d:4:d";
  private static final LockConfig BARGING =
      LockConfig.builder().fairness(LockConfig.Fairness.BARGING).build();

  // ---- helpers -------------------------------------------------------------------------------

  private PendingLock waiting(LockRequest r) {
    PendingLock p = locks.lockBlocking(r, null);
    assertThat(p.isDone()).as("%s done", p).isFalse();
    return p;
  }

  private static StoreError error(ThrowingCallable call) {
    return Answers.error(call);
  }

  /** Asserts that the blocking request is refused with DEADLOCK, and returns the detail. */
  private ErrorDetail.Deadlock refusedWithDeadlock(LockRequest r) {
    StoreError e = error(() -> locks.lockBlocking(r, null));
    assertThat(e.code()).isEqualTo(ErrorCode.DEADLOCK);
    assertThat(e.detail()).containsInstanceOf(ErrorDetail.Deadlock.class);
    return (ErrorDetail.Deadlock) e.detail().orElseThrow();
  }

  private static StoreError failure(PendingLock p) {
    return Answers.failure(p);
  }

  private static void assertGranted(PendingLock p) {
    assertThat(p.isDone()).as("%s done", p).isTrue();
    assertThat(p.poll()).as("poll of %s", p).isPresent();
  }

  private static List<LockOwner> owners(String... ids) {
    return java.util.Arrays.stream(ids).map(LockOwner::of).toList();
  }

  /** Everything observable about the tables: every lock of the files, in order. */
  private List<Lock> snapshot(Requests... files) {
    List<Lock> all = new ArrayList<>();
    for (Requests f : files) {
      all.addAll(locks.locks(f.file()));
    }
    return all;
  }

  /** A holds bytes 0-9 and B bytes 10-19 of file 1; A waits for B's bytes. */
  private PendingLock aWaitsOnBOnOneFile() {
    grant(f1.posix(A).exclusive(0, 10));
    grant(f1.posix(B).exclusive(10, 10));
    return waiting(f1.posix(A).exclusive(10, 10));
  }

  /** A holds bytes 0-9 of file 1 and B of file 2; A waits for B's bytes. */
  private PendingLock aWaitsOnBAcrossFiles() {
    grant(f1.posix(A).exclusive(0, 10));
    grant(f2.posix(B).exclusive(0, 10));
    return waiting(f2.posix(A).exclusive(0, 10));
  }

  /** A holds bytes 0-9 of file 1 and B of file 2; C waits for both: its requests, in that order. */
  private List<PendingLock> cWaitsOnAAndOnB() {
    grant(f1.posix(A).exclusive(0, 10));
    grant(f2.posix(B).exclusive(0, 10));
    return List.of(waiting(f1.posix(C).exclusive(0, 10)), waiting(f2.posix(C).exclusive(0, 10)));
  }

  private void assertNoDeadlock() {
    assertThat(eventsOf(LockEvent.Deadlock.class)).isEmpty();
  }

  /** Grants {@code held}, queues {@code waits} in order and asserts that none was a deadlock. */
  private void assertQueuedWithoutDeadlock(List<LockRequest> held, List<LockRequest> waits) {
    held.forEach(this::grant);
    waits.forEach(this::waiting);
    assertNoDeadlock();
  }

  /**
   * Asserts that the queued request failed with DEADLOCK naming {@code waiter} and {@code cycle},
   * and that the Deadlock event says the same.
   */
  private void assertFailedWithDeadlock(PendingLock p, String waiter, String... cycle) {
    StoreError e = failure(p);
    assertThat(e.code()).isEqualTo(ErrorCode.DEADLOCK);
    assertThat(e.detail())
        .hasValueSatisfying(
            x -> assertThat(x).isEqualTo(new ErrorDetail.Deadlock(waiter, List.of(cycle))));
    assertThat(eventsOf(LockEvent.Deadlock.class))
        .containsExactly(new LockEvent.Deadlock(LockOwner.of(waiter), owners(cycle)));
  }

  /** The registered clients, sorted by id. */
  private List<LockClient> clients() {
    return locks.clients().stream()
        .map(ClientInfo::client)
        .sorted(java.util.Comparator.comparing(LockClient::id))
        .toList();
  }

  // ---- two owners ------------------------------------------------------------------------------

  @Test
  void twoOwnersBlockingOnEachOtherDeadlockAtTheSecondRequest() {
    PendingLock first = aWaitsOnBOnOneFile();

    ErrorDetail.Deadlock dl = refusedWithDeadlock(f1.posix(B).exclusive(0, 10));

    assertThat(dl.waiter()).isEqualTo(B);
    assertThat(dl.blockers()).first().isEqualTo(A);
    assertThat(dl.blockers()).containsOnly(A, B);
    assertThat(first.isDone()).as("the first request keeps waiting").isFalse();

    locks.unlock(f1.posix(B).unlock(10, 10));
    assertGranted(first);
  }

  @Test
  void deadlockErrorNamesTheWaiterAndTheBlockers() {
    aWaitsOnBOnOneFile();

    StoreError e = error(() -> locks.lockBlocking(f1.posix(B).exclusive(0, 10), null));

    assertThat(e.code()).isEqualTo(ErrorCode.DEADLOCK);
    assertThat(e.getMessage()).contains(B).contains(A);
  }

  @Test
  void deadlockAcrossTwoFiles() {
    PendingLock first = aWaitsOnBAcrossFiles();

    ErrorDetail.Deadlock dl = refusedWithDeadlock(f1.posix(B).exclusive(0, 10));

    assertThat(dl.waiter()).isEqualTo(B);
    assertThat(dl.blockers()).startsWith(A);
    assertThat(first.isDone()).isFalse();
  }

  @Test
  void deadlockWithOneOfSeveralSharedHolders() {
    grant(f1.posix(A).shared(0, 10));
    grant(f1.posix(B).shared(0, 10));
    grant(f1.posix(C).shared(0, 10));
    grant(f2.posix(D).exclusive(0, 10));
    waiting(f2.posix(C).exclusive(0, 10)); // C waits on D

    // D wants to write where A, B and C read: waiting on C closes D -> C -> D
    ErrorDetail.Deadlock dl = refusedWithDeadlock(f1.posix(D).exclusive(0, 10));

    assertThat(dl.waiter()).isEqualTo(D);
    assertThat(dl.blockers()).containsExactly(C, D);
  }

  @Test
  void upgradeDeadlockOfTwoReaders() {
    grant(f1.posix(A).shared(0, 10));
    grant(f1.posix(B).shared(0, 10));
    PendingLock upgradeA = waiting(f1.posix(A).exclusive(0, 10));

    ErrorDetail.Deadlock dl = refusedWithDeadlock(f1.posix(B).exclusive(0, 10));

    assertThat(dl.waiter()).isEqualTo(B);
    locks.unlock(f1.posix(B).unlock(0, 10));
    assertGranted(upgradeA);
    assertThat(locks.locks(f1.file()))
        .singleElement()
        .satisfies(l -> assertThat(l.type()).isEqualTo(LockType.EXCLUSIVE));
  }

  // ---- longer cycles
  // -----------------------------------------------------------------------------

  @Test
  void threeOwnerCycleAcrossThreeFilesIsDetected() {
    grant(f1.posix(A).exclusive(0, 10));
    grant(f2.posix(B).exclusive(0, 10));
    grant(f3.posix(C).exclusive(0, 10));
    PendingLock aWaitsB = waiting(f2.posix(A).exclusive(0, 10));
    PendingLock bWaitsC = waiting(f3.posix(B).exclusive(0, 10));

    ErrorDetail.Deadlock dl = refusedWithDeadlock(f1.posix(C).exclusive(0, 10));

    assertThat(dl.waiter()).isEqualTo(C);
    assertThat(dl.blockers()).containsExactly(A, B, C);
    assertThat(aWaitsB.isDone()).isFalse();
    assertThat(bWaitsC.isDone()).isFalse();
  }

  @Test
  void sixOwnerRingIsDetectedExactlyAtTheRequestThatClosesIt() {
    int n = 6;
    List<Requests> files = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      files.add(Requests.on("ring-file-" + i));
      ids.add("nfs4:ring:" + i);
      grant(files.get(i).posix(ids.get(i)).exclusive(0, 10));
    }
    List<PendingLock> chain = new ArrayList<>();
    for (int i = 0; i < n - 1; i++) { // owner i waits on owner i + 1
      chain.add(waiting(files.get(i + 1).posix(ids.get(i)).exclusive(0, 10)));
    }
    events.clear();

    // owner 5 waits on owner 0: 5 -> 0 -> 1 -> 2 -> 3 -> 4 -> 5
    ErrorDetail.Deadlock dl =
        refusedWithDeadlock(files.get(0).posix(ids.get(n - 1)).exclusive(0, 10));

    assertThat(dl.waiter()).isEqualTo(ids.get(n - 1));
    assertThat(dl.blockers()).containsExactlyElementsOf(ids);
    assertThat(chain).noneMatch(PendingLock::isDone);
    assertThat(eventsOf(LockEvent.Deadlock.class))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.waiter()).isEqualTo(LockOwner.of(ids.get(n - 1)));
              assertThat(e.cycle()).extracting(LockOwner::id).containsExactlyElementsOf(ids);
            });
  }

  @Test
  void veryLongRingOnOneFileHasNoHopLimit() {
    int n = 50;
    Requests f = Requests.on("long-ring");
    for (int i = 0; i < n; i++) {
      grant(f.posix("o" + i).exclusive(i * 10L, 10));
    }
    // owner i waits on owner i + 1's bytes; FIFO edges do not interfere: the waited ranges differ
    for (int i = 0; i < n - 1; i++) {
      waiting(f.posix("o" + i).exclusive((i + 1) * 10L, 10));
    }

    ErrorDetail.Deadlock dl = refusedWithDeadlock(f.posix("o" + (n - 1)).exclusive(0, 10));

    assertThat(dl.blockers()).hasSize(n).startsWith("o0").endsWith("o" + (n - 1));
  }

  // ---- no false positives
  // ------------------------------------------------------------------------

  @Test
  void chainWithoutACycleIsNoDeadlock() {
    int n = 10;
    List<Requests> files = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      files.add(Requests.on("chain-file-" + i));
      grant(files.get(i).posix("chain:" + i).exclusive(0, 10));
    }
    List<PendingLock> chain = new ArrayList<>();
    for (int i = 0; i < n - 1; i++) {
      chain.add(waiting(files.get(i + 1).posix("chain:" + i).exclusive(0, 10)));
    }
    // a newcomer waiting on the head of the chain closes nothing
    PendingLock tail = waiting(files.get(0).posix("chain:newcomer").exclusive(0, 10));

    assertNoDeadlock();
    // the end of the chain releases: everything unwinds in order
    locks.unlock(files.get(n - 1).posix("chain:" + (n - 1)).unlock(0, 10));
    assertGranted(chain.get(n - 2));
    assertThat(tail.isDone()).isFalse();
  }

  @Test
  void severalOwnersWaitingOnOneHolderIsNoDeadlock() {
    assertQueuedWithoutDeadlock(
        List.of(f1.posix(A).exclusive(0, 100)),
        List.of(
            f1.posix(B).shared(0, 10), f1.posix(C).shared(10, 10), f1.posix(D).exclusive(50, 10)));
  }

  @Test
  void diamondOfWaitsIsNoDeadlock() {
    // A waits on B and C (shared holders), both of which wait on D: no cycle
    assertQueuedWithoutDeadlock(
        List.of(f1.posix(B).shared(0, 10), f1.posix(C).shared(0, 10), f2.posix(D).exclusive(0, 10)),
        List.of(
            f2.posix(B).exclusive(0, 10), f2.posix(C).shared(0, 10), f1.posix(A).exclusive(0, 10)));
  }

  @Test
  void ownerWaitingOnItselfIsNoDeadlock() {
    Requests.Owner w = f1.windows("smb:s1:fid-1");
    grant(w.exclusive(0, 10));
    PendingLock p = waiting(w.exclusive(0, 10)); // WINDOWS: conflicts with its own EXCLUSIVE

    assertNoDeadlock();
    locks.unlock(w.unlock(0, 10));
    assertGranted(p);
  }

  @Test
  void cancelledWaiterLeavesNoEdgeBehind() {
    PendingLock aWaitsB = aWaitsOnBOnOneFile();
    assertThat(aWaitsB.cancel()).isTrue();

    PendingLock bWaitsA = waiting(f1.posix(B).exclusive(0, 10)); // no stale A -> B edge

    locks.unlock(f1.posix(A).unlock(0, 10));
    assertGranted(bWaitsA);
  }

  @Test
  void timedOutWaiterLeavesNoEdgeBehind() {
    PendingLock aWaitsB = aWaitsOnBOnOneFile();
    clock.advance(Duration.ofSeconds(60));
    assertThat(failure(aWaitsB).code()).isEqualTo(ErrorCode.TIMED_OUT);

    waiting(f1.posix(B).exclusive(0, 10));

    assertNoDeadlock();
  }

  @Test
  void grantedWaiterLeavesNoEdgeBehind() {
    PendingLock aWaitsB = aWaitsOnBOnOneFile();
    locks.unlock(f1.posix(B).unlock(10, 10));
    assertGranted(aWaitsB); // A holds [0, 19] now and waits on nobody

    // had A's old edge A -> B survived, B waiting on A would look like a deadlock
    PendingLock bWaitsA = waiting(f1.posix(B).exclusive(0, 10));

    assertNoDeadlock();
    assertThat(bWaitsA.isDone()).isFalse();
  }

  // ---- the delayed deadlock
  // ----------------------------------------------------------------------

  /**
   * LTP fcntl17: owners 1, 2 and 3 hold bytes 2-6, 9-13 and 17-21; owner 2 waits for 17-21 (owner
   * 3); owner 3 asks for 2-15, held by owners 1 and 2. Linux checks only the first blocker (owner
   * 1) and reports EDEADLK once owner 1's release wakes owner 3 and it must wait on owner 2. The
   * graph here holds every blocker, so the same cycle is refused already when owner 3 asks; either
   * way owner 2 keeps waiting and the locks of owners 2 and 3 are unchanged.
   */
  @Test
  void fcntl17DelayedDeadlockBetweenTheSecondAndThirdOwner() {
    Requests.Owner o1 = f1.posix("ltp:child1");
    Requests.Owner o2 = f1.posix("ltp:child2");
    Requests.Owner o3 = f1.posix("ltp:child3");
    grant(o1.exclusive(2, 5));
    grant(o2.exclusive(9, 5));
    grant(o3.exclusive(17, 5));
    PendingLock second = waiting(o2.exclusive(17, 5));

    ErrorDetail.Deadlock dl = refusedWithDeadlock(o3.exclusive(2, 14));
    locks.unlock(o1.unlock(0, 0));

    assertThat(dl.waiter()).isEqualTo("ltp:child3");
    assertThat(dl.blockers()).containsExactly("ltp:child2", "ltp:child3");
    assertThat(second.isDone()).isFalse();
    assertThat(locks.test(o1.exclusive(9, 5)))
        .hasValueSatisfying(l -> assertThat(l.owner()).isEqualTo(o2.owner()));
    assertThat(locks.test(o1.exclusive(17, 5)))
        .hasValueSatisfying(l -> assertThat(l.owner()).isEqualTo(o3.owner()));
  }

  /**
   * A waiter woken by a release that must wait again on a different owner gets its edges
   * re-checked: under BARGING, B waits on A only; when A releases, C (queued first) is granted and
   * B must now wait on C, which itself waits on B on another file: B fails with DEADLOCK.
   */
  @Test
  void wokenWaiterThatMustWaitOnANewOwnerClosingACycleFailsWithDeadlock() {
    use(BARGING);
    List<PendingLock> c = cWaitsOnAAndOnB();
    PendingLock cOnF1 = c.get(0);
    PendingLock cOnF2 = c.get(1);
    PendingLock bOnF1 = waiting(f1.posix(B).exclusive(0, 10)); // B -> A (no edge to waiter C)
    assertNoDeadlock();
    events.clear();

    locks.unlock(f1.posix(A).unlock(0, 10));

    assertGranted(cOnF1);
    assertFailedWithDeadlock(bOnF1, B, C, B);
    assertThat(cOnF2.isDone()).as("C still waits for B's bytes on file 2").isFalse();
    assertThat(eventsOf(LockEvent.Waited.class))
        .extracting(LockEvent.Waited::outcome)
        .containsExactly(LockEvent.WaitOutcome.GRANTED, LockEvent.WaitOutcome.DEADLOCK);

    locks.unlock(f2.posix(B).unlock(0, 10)); // the cycle is broken: C gets file 2 as well
    assertGranted(cOnF2);
  }

  @Test
  void wokenWaiterThatMustWaitAgainWithoutACycleKeepsWaiting() {
    use(BARGING);
    grant(f1.posix(A).exclusive(0, 10));
    PendingLock c = waiting(f1.posix(C).exclusive(0, 10));
    PendingLock b = waiting(f1.posix(B).exclusive(0, 10));

    locks.unlock(f1.posix(A).unlock(0, 10));

    assertGranted(c);
    assertThat(b.isDone()).isFalse();
    locks.unlock(f1.posix(C).unlock(0, 10));
    assertGranted(b);
  }

  // ---- a grant that newly blocks a queued waiter --------------------------------------------

  /** Under BARGING, A holds byte 0 of file 1, B holds {@code bHolds} and waits for bytes 0-1. */
  private PendingLock bWaitsOnAUnderBarging(LockRequest bHolds) {
    use(BARGING);
    grant(f1.posix(A).exclusive(0, 1));
    grant(bHolds);
    return waiting(f1.posix(B).exclusive(0, 2)); // B -> A
  }

  /**
   * Issue 10, defect 1 (BARGING): B waits on A; C is granted [1,1] ahead of B (barging), which B's
   * request [0,1] now also needs, so B waits on C as well. C then asks for B's byte 9: C would wait
   * on B and B on C. The grant must have added the edge B -> C, so C is refused at once with
   * DEADLOCK instead of waiting until it times out.
   */
  @Test
  void grantThatNewlyBlocksAWaiterUnderBargingAddsTheEdgeAndCatchesTheCycle() {
    PendingLock bWaits = bWaitsOnAUnderBarging(f1.posix(B).exclusive(9, 1));
    grant(f1.posix(C).exclusive(1, 1)); // barges; B -> A, C

    ErrorDetail.Deadlock dl = refusedWithDeadlock(f1.posix(C).exclusive(9, 1)); // C -> B

    assertThat(dl.waiter()).isEqualTo(C);
    assertThat(dl.blockers()).containsExactly(B, C);
    assertThat(bWaits.isDone()).isFalse();
    clock.advance(LockConfig.DEFAULTS.lockTimeout().plusSeconds(1));
    assertThat(failure(bWaits).code()).isEqualTo(ErrorCode.TIMED_OUT);
  }

  /**
   * As above, but the new edge closes the cycle at the waiter itself: C waits on B first, then
   * (another request of C's, granted by barging) takes byte 1 that B's queued request needs. B now
   * waits on C and C on B: the grant stands and B's request, whose edges closed the cycle, fails
   * with DEADLOCK, so C's request is granted as soon as nothing else blocks it.
   */
  @Test
  void grantThatClosesACycleThroughAQueuedWaiterFailsThatWaiterWithDeadlock() {
    PendingLock bWaits = bWaitsOnAUnderBarging(f2.posix(B).exclusive(0, 10));
    PendingLock cWaits = waiting(f2.posix(C).exclusive(0, 10)); // C -> B
    events.clear();

    grant(f1.posix(C).exclusive(1, 1)); // B -> A, C closes B -> C -> B

    assertFailedWithDeadlock(bWaits, B, C, B);
    assertThat(cWaits.isDone()).isFalse();
    locks.unlock(f2.posix(B).unlock(0, 10));
    assertGranted(cWaits);
  }

  /**
   * Issue 10, defect 1 (FIFO): P holds [0,4] and waits for [5,10] behind Q's [8,8]; its grant would
   * leave one coalesced record [0,10]. W's WINDOWS zero-length lock at 5, granted after P queued,
   * conflicts with that record (it would hold bytes 4 and 5), so P now waits on W too. W then asks
   * for P's bytes: W -> P -> W is a cycle, refused at once.
   */
  @Test
  void zeroLengthGrantCrossingAQueuedCoalescedRecordAddsTheEdge() {
    Requests.Owner p = f1.posix(A);
    Requests.Owner q = f1.posix(B);
    Requests.Owner w = f1.windows("smb:s1:fid-w");
    grant(p.exclusive(0, 5));
    grant(q.shared(8, 1));
    PendingLock pWaits = waiting(p.exclusive(5, 6)); // P -> Q
    assertThat(locks.lock(w.request(LockType.EXCLUSIVE, ByteRange.zeroLength(5))).granted())
        .as("nothing held holds both 4 and 5")
        .isTrue(); // P -> Q, W

    ErrorDetail.Deadlock dl = refusedWithDeadlock(w.exclusive(0, 2)); // W -> P

    assertThat(dl.waiter()).isEqualTo("smb:s1:fid-w");
    assertThat(dl.blockers()).containsExactly(A, "smb:s1:fid-w");
    assertThat(pWaits.isDone()).isFalse();
    // once Q goes, P still waits on W's zero-length lock; when W releases it, P is granted
    locks.unlock(q.unlock(8, 1));
    assertThat(pWaits.isDone()).isFalse();
    locks.unlock(w.unlock(ByteRange.zeroLength(5)));
    assertGranted(pWaits);
    assertThat(snapshot(f1))
        .singleElement()
        .satisfies(l -> assertThat(l.range()).isEqualTo(ByteRange.span(0, 11)));
  }

  // ---- FIFO fairness edges
  // -----------------------------------------------------------------------

  @Test
  void waitingBehindAConflictingWaiterCountsAsWaitingOnItsOwner() {
    grant(f1.posix(A).shared(0, 10));
    PendingLock bWaitsA = waiting(f1.posix(B).exclusive(0, 10)); // B -> A
    grant(f2.posix(C).exclusive(0, 10));
    // C's SHARED request meets no granted conflict, only B's waiting EXCLUSIVE: C -> B
    PendingLock cWaitsB = waiting(f1.posix(C).shared(0, 10));

    ErrorDetail.Deadlock dl = refusedWithDeadlock(f2.posix(B).exclusive(0, 10)); // B -> C

    assertThat(dl.waiter()).isEqualTo(B);
    assertThat(dl.blockers()).containsExactly(C, B);
    assertThat(bWaitsA.isDone()).isFalse();
    assertThat(cWaitsB.isDone()).isFalse();
  }

  @Test
  void underBargingAWaiterAheadIsNoBlocker() {
    use(BARGING);
    grant(f1.posix(A).shared(0, 10));
    waiting(f1.posix(B).exclusive(0, 10));
    grant(f2.posix(C).exclusive(0, 10));
    grant(f1.posix(C).shared(0, 10)); // barges in ahead of B

    // B waiting on C is no deadlock: C waits on nobody (it holds both locks)
    PendingLock bWaitsC = waiting(f2.posix(B).exclusive(0, 10));

    assertNoDeadlock();
    assertThat(bWaitsC.isDone()).isFalse();
  }

  @Test
  void delayedDeadlockUnderFifoIsRefusedAtOnceThroughTheWaiterAhead() {
    cWaitsOnAAndOnB();

    // under FIFO, B queued behind C on file 1 waits on C as well: B -> C -> B
    ErrorDetail.Deadlock dl = refusedWithDeadlock(f1.posix(B).exclusive(0, 10));

    assertThat(dl.waiter()).isEqualTo(B);
    assertThat(dl.blockers()).first().isIn(A, C);
    assertThat(dl.blockers()).contains(C).endsWith(B);
  }

  // ---- atomic check and add ------------------------------------------------------------------

  /**
   * Two owners, each holding a lock, ask at the same instant (real threads) for the other's bytes.
   * Checking the graph and adding the edge is one atomic step, so exactly one of them waits and the
   * other is refused: never both waiting (an undetected deadlock), never both refused.
   */
  @Test
  void oppositeRequestsRacingOnTwoThreadsNeverBothWait() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 200; round++) {
        Requests x = Requests.on("race-x-" + round);
        Requests y = Requests.on("race-y-" + round);
        String p = "race:p:" + round;
        String q = "race:q:" + round;
        grant(x.posix(p).exclusive(0, 10));
        grant(y.posix(q).exclusive(0, 10));
        CyclicBarrier start = new CyclicBarrier(2);
        Future<Object> pWaits = pool.submit(() -> attempt(start, y.posix(p).exclusive(0, 10)));
        Future<Object> qWaits = pool.submit(() -> attempt(start, x.posix(q).exclusive(0, 10)));
        List<Object> outcomes =
            List.of(pWaits.get(1, TimeUnit.MINUTES), qWaits.get(1, TimeUnit.MINUTES));

        assertThat(outcomes)
            .as("round %d", round)
            .filteredOn(PendingLock.class::isInstance)
            .hasSize(1);
        assertThat(outcomes)
            .as("round %d", round)
            .filteredOn(o -> o == ErrorCode.DEADLOCK)
            .hasSize(1);
        PendingLock waiter =
            (PendingLock) outcomes.stream().filter(PendingLock.class::isInstance).findFirst().get();
        assertThat(waiter.isDone()).isFalse();
        assertThat(waiter.cancel()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    LockTableInvariants.check(locks);
  }

  /** Waits at the barrier, then asks; returns the pending request or the refusal's code. */
  private Object attempt(CyclicBarrier start, LockRequest r) throws Exception {
    start.await(1, TimeUnit.MINUTES);
    try {
      return locks.lockBlocking(r, null);
    } catch (StoreError e) {
      return e.code();
    }
  }

  // ---- refusal changes nothing; events ----------------------------------------------------------

  @Test
  void deadlockRefusalLeavesTheStateUnchanged() {
    PendingLock aWaitsB = aWaitsOnBAcrossFiles();
    grant(f1.posix(B).shared(50, 10));
    List<Lock> before = snapshot(f1, f2);
    List<LockClient> clientsBefore = clients();
    int timers = clock.pendingTasks();

    refusedWithDeadlock(f1.posix(B).exclusive(0, 10));

    assertThat(snapshot(f1, f2)).isEqualTo(before);
    assertThat(locks.lockCount()).isEqualTo(3);
    assertThat(clock.pendingTasks()).as("no timeout timer left behind").isEqualTo(timers);
    assertThat(clients()).isEqualTo(clientsBefore);
    LockTableInvariants.check(locks);

    // the refused request left no edge: once A gives up, B can wait on A without a deadlock
    assertThat(aWaitsB.cancel()).isTrue();
    PendingLock bWaitsA = waiting(f1.posix(B).exclusive(0, 10));
    locks.unlock(f1.posix(A).unlock(0, 10));
    assertGranted(bWaitsA);
  }

  @Test
  void refusedRequestIsNotQueued() {
    PendingLock aWaitsB = aWaitsOnBAcrossFiles();
    refusedWithDeadlock(f1.posix(B).exclusive(0, 10));

    assertThat(aWaitsB.cancel()).isTrue();
    locks.unlock(f1.posix(A).unlock(0, 10));

    assertThat(snapshot(f1)).as("nothing was granted to the refused request").isEmpty();
    assertThat(snapshot(f2)).extracting(Lock::owner).containsExactly(LockOwner.of(B));
  }

  @Test
  void deadlockEmitsADeadlockEventWithTheCycleAndNoGrant() {
    aWaitsOnBOnOneFile();
    events.clear();

    LockRequest r = f1.posix(B).exclusive(0, 10);
    refusedWithDeadlock(r);

    assertThat(events)
        .containsExactly(
            new LockEvent.Deadlock(LockOwner.of(B), owners(A, B)),
            new LockEvent.Refused(r, ErrorCode.DEADLOCK));
  }

  @Test
  void deadlockAfterRefusalCanBeResolvedByTheRefusedOwnerReleasing() {
    PendingLock aWaitsB = aWaitsOnBOnOneFile();
    refusedWithDeadlock(f1.posix(B).exclusive(0, 10));

    // what NLM clients do on EDEADLK: give up what they hold
    locks.unlock(f1.posix(B).unlock(10, 10));

    assertGranted(aWaitsB);
    assertThat(snapshot(f1))
        .singleElement()
        .satisfies(l -> assertThat(l.range()).isEqualTo(ByteRange.span(0, 20)));
  }
}
