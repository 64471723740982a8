package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.Requests;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An owner's pins ({@link OwnerRegistry}, "pins"): the count an index keeps when a release empties
 * it, so that re-locking the file counts nothing, and which gives way whenever SPEC 1 would let a
 * request of the other flavour through (the owner holds nothing of its flavour anywhere). Every
 * test ends with the invariants, which check that the registry counts exactly the records plus the
 * pins of indexes holding nothing, and lists exactly the files of the pins.
 */
class OwnerPinsTest {
  private static final LockConfig NO_LIMITS =
      LockConfig.builder().maxLocksPerFile(0).maxLocksPerClient(0).maxLocksTotal(0).build();

  private final List<DefaultLockManager> made = new ArrayList<>();
  private final Requests a = Requests.on("pins-a");
  private final Requests b = Requests.on("pins-b");

  @AfterEach
  void checkAndClose() {
    made.forEach(LockTableInvariants::check);
    made.forEach(DefaultLockManager::close);
  }

  private DefaultLockManager manager() {
    DefaultLockManager m = (DefaultLockManager) LockManagers.builder().config(NO_LIMITS).build();
    made.add(m);
    return m;
  }

  private static void granted(LockResult r) {
    assertThat(r).as("%s", r).isInstanceOf(LockResult.Granted.class);
  }

  private static void invalidArgument(Runnable request) {
    assertThatThrownBy(request::run)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }

  /** An owner id both flavours use (SPEC 1 is about one owner sending both). */
  private static LockRequest request(Requests on, boolean windows, long offset) {
    Requests.Owner o = windows ? on.windows("one") : on.posix("one");
    return o.exclusive(offset, 10);
  }

  private static UnlockRequest unlock(Requests on, boolean windows, long offset) {
    Requests.Owner o = windows ? on.windows("one") : on.posix("one");
    return o.unlock(offset, 10);
  }

  private static LockOwner one() {
    return Requests.on("x").posix("one").owner();
  }

  @Test
  void aFileLockedAndUnlockedOverAndOverKeepsOnePinAndCountsNothingMore() {
    DefaultLockManager m = manager();
    for (int i = 0; i < 5; i++) {
      granted(m.lock(request(a, false, 0)));
      assertThat(m.owners().count(one())).isEqualTo(1);
      m.unlock(unlock(a, false, 0));
      assertThat(m.owners().count(one())).as("the pin's count").isEqualTo(1);
      assertThat(m.owners().pinnedFiles(one())).containsExactly(a.file());
    }
    LockTableInvariants.check(m);
  }

  @Test
  void aPinOnAnotherFileGivesWayToTheOtherFlavour() {
    DefaultLockManager m = manager();
    granted(m.lock(request(a, false, 0)));
    m.unlock(unlock(a, false, 0));

    granted(m.lock(request(b, true, 0))); // the owner holds nothing POSIX: SPEC 1 lets it through
    assertThat(m.owners().pinnedFiles(one())).isEmpty();
    assertThat(m.owners().count(one())).isEqualTo(1);
    LockTableInvariants.check(m);

    // and the POSIX flavour is now the one refused, on the pinned file too
    invalidArgument(() -> m.lock(request(a, false, 0)));
    assertThat(m.locks(a.file())).isEmpty();
    assertThat(m.locks(b.file())).hasSize(1);
  }

  @Test
  void aPinOnTheSameFileGivesWayToTheOtherFlavour() {
    DefaultLockManager m = manager();
    granted(m.lock(request(a, false, 0)));
    m.unlock(unlock(a, false, 0));
    granted(m.lock(request(a, true, 20)));
    assertThat(m.locks(a.file()))
        .singleElement()
        .satisfies(l -> assertThat(l.flavour()).isEqualTo(LockFlavour.WINDOWS));
    assertThat(m.owners().pinnedFiles(one())).isEmpty();
  }

  @Test
  void anOwnerThatHoldsItsFlavourAgainIsRefusedTheOtherAsBefore() {
    DefaultLockManager m = manager();
    granted(m.lock(request(a, false, 0)));
    m.unlock(unlock(a, false, 0));
    granted(m.lock(request(a, false, 0))); // the pin's file holds a record again

    invalidArgument(() -> m.lock(request(b, true, 0)));
    invalidArgument(() -> m.test(request(b, true, 0)));
    invalidArgument(() -> m.unlock(unlock(b, true, 0)));
    assertThat(m.locks(b.file())).isEmpty();
    assertThat(m.locks(a.file())).hasSize(1);
    assertThat(m.owners().count(one())).isEqualTo(1);
  }

  @Test
  void testsAndUnlocksOfTheOtherFlavourSeeAnOwnerThatHoldsNothing() {
    DefaultLockManager m = manager();
    granted(m.lock(request(a, false, 0)));
    m.unlock(unlock(a, false, 0));

    assertThat(m.test(request(b, true, 0))).isEmpty();
    assertThatThrownBy(() -> m.unlock(unlock(b, true, 0)))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_NOT_FOUND));
    // the blocking path checks before the table: it settles there
    PendingLock p = m.lockBlocking(request(b, true, 0), Duration.ofSeconds(30));
    assertThat(p.poll()).isPresent();
  }

  /**
   * The owner's WINDOWS request on file b, queued behind {@code blocker}'s lock; while it waits,
   * its owner locks and unlocks a POSIX range on file a (SPEC 1 allows it: the owner holds nothing)
   * and leaves a pin there.
   */
  private PendingLock queuedWithAPinElsewhere(DefaultLockManager m, Requests.Owner blocker) {
    granted(m.lock(blocker.exclusive(0, 10)));
    PendingLock waiting = m.lockBlocking(request(b, true, 0), Duration.ofSeconds(30));
    assertThat(waiting.poll()).isEmpty();
    granted(m.lock(request(a, false, 0)));
    m.unlock(unlock(a, false, 0));
    assertThat(m.owners().pinnedFiles(one())).containsExactly(a.file());
    return waiting;
  }

  @Test
  void aWaiterOfTheOtherFlavourIsGrantedOnceItsOwnersPinIsTakenBack() throws Exception {
    DefaultLockManager m = manager();
    Requests.Owner blocker = b.windows("blocker");
    PendingLock waiting = queuedWithAPinElsewhere(m, blocker);

    m.unlock(blocker.unlock(0, 10));
    Lock got = waiting.await(Duration.ofSeconds(10)).orElseThrow();
    assertThat(got.flavour()).isEqualTo(LockFlavour.WINDOWS);
    assertThat(m.owners().pinnedFiles(one())).isEmpty();
  }

  @Test
  void aWaiterWhoseOwnerHoldsTheOtherFlavourWhenFreedFailsAsBefore() throws Exception {
    DefaultLockManager m = manager();
    Requests.Owner blocker = b.windows("blocker");
    PendingLock waiting = queuedWithAPinElsewhere(m, blocker);
    granted(m.lock(request(a, false, 0))); // holds POSIX when the waiter is freed

    m.unlock(blocker.unlock(0, 10));
    assertThatThrownBy(() -> waiting.await(Duration.ofSeconds(10)))
        .hasRootCauseInstanceOf(StoreError.class)
        .rootCause()
        .satisfies(e -> assertThat(((StoreError) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(m.locks(b.file())).isEmpty();
  }

  /**
   * A queue of waiters whose owners hold the other flavour elsewhere, each with a pin listed: freed
   * one after another, each asks for a settle, and each is refused after it. The settles run one
   * after another on the freeing thread, not nested once per waiter: the unlock that frees them
   * runs on a thread with a 128 KB stack, which 150 nested settles overflow.
   */
  @Test
  void aQueueOfWaitersThatAskForSettlesIsAnsweredWithoutNesting() throws Exception {
    DefaultLockManager m = manager();
    Requests.Owner blocker = b.windows("blocker");
    granted(m.lock(blocker.exclusive(0, 10)));
    int waiters = 150;
    m.reconfigure(
        LockConfig.builder()
            .maxLocksPerFile(0)
            .maxLocksPerClient(0)
            .maxLocksTotal(0)
            .maxWaitersPerFile(waiters)
            .build());
    List<PendingLock> queue = new ArrayList<>();
    for (int i = 0; i < waiters; i++) {
      queue.add(m.lockBlocking(b.windows("queued-" + i).exclusive(0, 10), Duration.ofMinutes(5)));
      // while it waits, its owner takes POSIX elsewhere (it held nothing: SPEC 1 lets it)
      Requests.Owner p = Requests.on("pins-elsewhere-" + i).posix("queued-" + i);
      granted(m.lock(p.exclusive(0, 10)));
      m.unlock(p.unlock(0, 10)); // a pin, listed
      granted(m.lock(p.exclusive(0, 10))); // and a record again: the pin stays listed
    }

    // frees the first, whose refusal frees the next, and so on
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread small =
        new Thread(
            null,
            () -> {
              try {
                m.unlock(blocker.unlock(0, 10));
              } catch (Throwable t) {
                failed.set(t);
              }
            },
            "small-stack",
            128 * 1024);
    small.start();
    small.join(TimeUnit.MINUTES.toMillis(2));
    assertThat(small.isAlive()).isFalse();
    assertThat(failed.get()).isNull();

    for (PendingLock w : queue) {
      assertThatThrownBy(() -> w.await(Duration.ofSeconds(30)))
          .rootCause()
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }
    assertThat(m.locks(b.file())).isEmpty();
  }

  @Test
  void sweptIndexesAndRetiredTablesGiveTheirPinsBack() {
    DefaultLockManager m = manager();
    // many owners lock and unlock one file: the idle indexes are swept as new ones are made
    List<LockOwner> owners = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Requests.Owner o = a.posix("turn-" + i);
      owners.add(o.owner());
      granted(m.lock(o.exclusive(i * 10L, 5)));
      m.unlock(o.unlock(i * 10L, 5));
    }
    FileLockTable t = m.lockTables().map().get(a.file());
    assertThat(LockTables.whole(t, t::ownerIndexes)).isLessThan(100);
    long pinned = owners.stream().filter(o -> m.owners().count(o) == 1).count();
    assertThat(pinned)
        .as("only kept indexes keep pins")
        .isEqualTo((long) LockTables.whole(t, t::ownerIndexes));
    LockTableInvariants.check(m);

    m.lockTables().sweepIdle(); // the idle table is retired: every pin on it goes
    assertThat(m.lockTables().map()).isEmpty();
    assertThat(owners).allSatisfy(o -> assertThat(m.owners().count(o)).isZero());
    assertThat(m.owners().pinnedFiles(owners.get(99))).isEmpty();
  }

  @Test
  void anIdleLaneRetiredForAnotherOwnerGivesItsPinBack() {
    DefaultLockManager m = manager();
    m.lockTables().laneAfter(0); // every owner gets a lane at once
    List<Requests.Owner> turns = new ArrayList<>();
    for (int i = 0; i < Lanes.MAX + 2; i++) {
      Requests.Owner o = a.posix("lane-" + i);
      turns.add(o);
      granted(m.lock(o.exclusive(i * 10L, 5)));
      m.unlock(o.unlock(i * 10L, 5));
      LockTableInvariants.check(m);
    }
    // the owners whose idle lanes were taken over hold no pin (their index went with the lane)
    long withPins = turns.stream().filter(o -> m.owners().count(o.owner()) > 0).count();
    assertThat(withPins).isLessThan(turns.size());
  }

  @Test
  void oneOwnerSwitchingFlavoursOnTwoFilesFromTwoThreads() throws Exception {
    switchFlavoursOnTwoThreads(manager(), b);
  }

  @Test
  void oneOwnerSwitchingFlavoursOnOneFileWithLanesFromTwoThreads() throws Exception {
    DefaultLockManager m = manager();
    m.lockTables().laneAfter(0); // the owner gets a lane at once: pins in a lane's index
    switchFlavoursOnTwoThreads(m, a);
  }

  /**
   * One owner on two threads, both as fast as they go: POSIX lock and unlock of [0, 9] on file a,
   * WINDOWS lock and unlock of [100, 109] on {@code windowsOn}. SPEC 1 forbids holding both at
   * once: a thread holding its lock must never see the owner's record of the other flavour. And a
   * refusal is right only if the other thread was in a request or holding during it: each thread
   * raises its flag before it asks and lowers it once its unlock returned (a superset of the time
   * it holds), and counts its attempts, so a refusal while the other's flag stayed down and its
   * count did not move was for a pin, not a lock (the owner held nothing of the other flavour).
   */
  private void switchFlavoursOnTwoThreads(DefaultLockManager m, Requests windowsOn)
      throws Exception {
    int rounds = 20_000;
    AtomicReference<String> violation = new AtomicReference<>();
    AtomicInteger[] grants = {new AtomicInteger(), new AtomicInteger()};
    AtomicInteger[] busy = {new AtomicInteger(), new AtomicInteger()};
    AtomicInteger[] attempts = {new AtomicInteger(), new AtomicInteger()};
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int side = 0; side < 2; side++) {
        boolean windows = side == 1;
        int me = side;
        int them = 1 - side;
        Requests mine = windows ? windowsOn : a;
        long at = windows ? 100 : 0;
        LockFlavour theirs = windows ? LockFlavour.POSIX : LockFlavour.WINDOWS;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < rounds && violation.get() == null; i++) {
                    int theirAttempts = attempts[them].get();
                    boolean theyWereBusy = busy[them].get() != 0;
                    attempts[me].incrementAndGet();
                    busy[me].set(1);
                    LockResult r;
                    try {
                      r = m.lock(request(mine, windows, at));
                    } catch (StoreError e) {
                      if (e.code() != ErrorCode.INVALID_ARGUMENT) {
                        throw e;
                      }
                      if (!theyWereBusy
                          && busy[them].get() == 0
                          && attempts[them].get() == theirAttempts) {
                        violation.set("refused while the other flavour was not held: " + e);
                      }
                      busy[me].set(0);
                      continue;
                    }
                    assertThat(r.granted()).isTrue();
                    grants[me].incrementAndGet();
                    boolean both =
                        m.locks(a.file()).stream().anyMatch(l -> l.flavour() == theirs)
                            || m.locks(windowsOn.file()).stream()
                                .anyMatch(l -> l.flavour() == theirs);
                    if (both) {
                      violation.set(
                          "both flavours held at once, seen from " + (windows ? "W" : "P"));
                    }
                    m.unlock(unlock(mine, windows, at));
                    busy[me].set(0);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(violation.get()).isNull();
    assertThat(grants[0].get()).as("POSIX grants").isPositive();
    assertThat(grants[1].get()).as("WINDOWS grants").isPositive();
    LockTableInvariants.check(m);
  }

  /**
   * A multi-range WINDOWS lock whose second range revokes the owner's own record held through a
   * courtesy client, while the owner has a pin on the file: the trial's records are not counted, so
   * the count stays exact (records plus pins) through the trial, its undo and the grant.
   */
  @Test
  void aMultiRangeLockThatRevokesTheOwnersOwnCourtesyRecordCountsExactly() {
    ManualScheduler clock = new ManualScheduler();
    DefaultLockManager m =
        (DefaultLockManager) LockManagers.builder().scheduler(clock).config(NO_LIMITS).build();
    made.add(m);
    LockOwner o = one();
    LockClient silent = new LockClient("silent", "smb");
    LockClient active = new LockClient("active", "smb");
    m.registerClient(silent, "", Duration.ZERO);
    granted(m.lock(windows(o, active, 200)));
    m.unlock(new UnlockRequest(a.file(), o, LockFlavour.WINDOWS, ByteRange.span(200, 10)));
    assertThat(m.owners().pinnedFiles(o)).containsExactly(a.file());
    granted(m.lock(windows(o, silent, 0)));
    clock.advance(LockConfig.DEFAULTS.leaseTime().plusSeconds(1)); // silent is a courtesy client

    LockResult r = m.lockAll(List.of(windows(o, active, 20), windows(o, active, 5)));
    granted(r);
    assertThat(m.locks(a.file()))
        .extracting(Lock::client)
        .as("the courtesy record was revoked")
        .containsOnly(active);
    LockTableInvariants.check(m);

    m.unlock(new UnlockRequest(a.file(), o, LockFlavour.WINDOWS, ByteRange.span(20, 10)));
    m.unlock(new UnlockRequest(a.file(), o, LockFlavour.WINDOWS, ByteRange.span(5, 10)));
    LockTableInvariants.check(m);
    // it holds nothing now: POSIX passes (settling the pin), and WINDOWS is then refused
    granted(m.lock(b.posix("one").exclusive(0, 10)));
    invalidArgument(() -> m.lock(windows(o, active, 300)));
  }

  private LockRequest windows(LockOwner o, LockClient c, long offset) {
    return new LockRequest(
        a.file(),
        "export",
        o,
        c,
        LockFlavour.WINDOWS,
        LockType.EXCLUSIVE,
        ByteRange.span(offset, 10));
  }

  @Test
  void aGrantOfTheOtherFlavourThroughAPinnedIndexGivesThePinBackFirst() {
    OwnerRegistry r = new OwnerRegistry();
    r.settleThrough(
        new OwnerRegistry.Settler() {
          @Override
          public void settle(LockOwner owner) {}

          @Override
          public void recheck(FileHandle file) {}
        });
    OwnerLocks index = new OwnerLocks(one());
    r.granting(index, one(), LockFlavour.POSIX, 1);
    r.released(index, one(), LockFlavour.POSIX, -1, a.file()); // (the index was never applied to)
    assertThat(index.pinnedOn).isEqualTo(a.file());
    assertThat(r.count(one())).isEqualTo(1);

    // a grant that skipped the check (none does): the pin's flavour is not the request's
    r.granting(index, one(), LockFlavour.WINDOWS, 1);
    assertThat(index.pinnedOn).isNull();
    assertThat(r.pinnedFiles(one())).isEmpty();
    assertThat(r.count(one())).isEqualTo(1);
    invalidArgument(() -> r.checkFlavour(one(), LockFlavour.POSIX)); // WINDOWS is counted now
  }

  @Test
  void withoutASettlerNoPinIsMade() {
    OwnerRegistry r = new OwnerRegistry();
    OwnerLocks index = new OwnerLocks(one());
    r.granting(index, one(), LockFlavour.POSIX, 1);
    r.released(index, one(), LockFlavour.POSIX, -1, a.file());
    assertThat(index.pinnedOn).isNull();
    assertThat(r.count(one())).isZero();
  }
}
