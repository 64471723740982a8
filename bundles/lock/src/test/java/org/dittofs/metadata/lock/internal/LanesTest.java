package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
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
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lanes ({@link Lanes}): the owners of a contended file working on their own parts of its table.
 * Most tests make every file give its owners lanes at once ({@link LockTables#laneAfter} 0), so
 * that one thread can drive the fast path, the detours and the slow path over lanes step by step;
 * the last runs threads on one file with the default policy.
 */
class LanesTest {
  private static final LockConfig NO_LIMITS =
      LockConfig.builder().maxLocksPerFile(0).maxLocksPerClient(0).maxLocksTotal(0).build();

  private final Requests on = Requests.on("lanes");
  private final List<DefaultLockManager> made = new ArrayList<>();

  @AfterEach
  void close() {
    made.forEach(DefaultLockManager::close);
  }

  private DefaultLockManager withLanes(LockConfig config) {
    DefaultLockManager m = (DefaultLockManager) LockManagers.builder().config(config).build();
    m.lockTables().laneAfter(0);
    made.add(m);
    return m;
  }

  /**
   * {@link #withLanes(LockConfig)}, lanes dissolved when a lane's count of collisions reaches
   * {@code dissolveAt}, back after {@code backoff} lock requests.
   */
  private DefaultLockManager withLanes(LockConfig config, int dissolveAt, int backoff) {
    DefaultLockManager m = withLanes(config);
    m.lockTables().lanePolicy(0, dissolveAt, backoff);
    return m;
  }

  private static FileLockTable table(DefaultLockManager m, FileHandle file) {
    return m.lockTables().map().get(file);
  }

  private static Lane laneOf(DefaultLockManager m, FileHandle file, LockOwner owner) {
    FileLockTable t = table(m, file);
    return LockTables.whole(t, () -> t.lanes() == null ? null : t.lanes().find(owner));
  }

  /** How many times the lanes of the test's file were dissolved. */
  private int dissolved(DefaultLockManager m) {
    FileLockTable t = table(m, on.file());
    return LockTables.whole(t, t::dissolved);
  }

  private static int changes(FileLockTable t) {
    return LockTables.whole(t, t::changes);
  }

  private static Lock granted(LockResult r) {
    assertThat(r).as("%s", r).isInstanceOf(LockResult.Granted.class);
    return ((LockResult.Granted) r).locks().get(0);
  }

  private static void assertRefusedByTheLimit(ThrowingCallable request) {
    assertThatThrownBy(request)
        .isInstanceOfSatisfying(
            StoreError.class, x -> assertThat(x.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED));
  }

  @Test
  void anOwnersRequestsRunInItsLaneWithoutChangingTheFileTable() {
    DefaultLockManager m = withLanes(NO_LIMITS);
    Requests.Owner a = on.posix("a");
    granted(m.lock(a.exclusive(0, 10)));
    Lane lane = laneOf(m, on.file(), a.owner());
    assertThat(lane).as("a lane after a granted lock").isNotNull();
    int before = changes(table(m, on.file()));

    granted(m.lock(a.shared(20, 10)));
    m.unlock(a.unlock(0, 10));
    granted(m.lock(a.exclusive(40, 10)));

    assertThat(changes(table(m, on.file()))).as("the file table's change count").isEqualTo(before);
    assertThat(m.locks(on.file()))
        .extracting(l -> l.range().first())
        .containsExactly(20L, 40L); // listed from the lane
    lane.lock.lock();
    try {
      assertThat(lane.table.lockCount()).isEqualTo(2);
    } finally {
      lane.lock.unlock();
    }
    LockTableInvariants.check(m);
  }

  @Test
  void conflictsBetweenLanesAreDecidedOverTheWholeFile() {
    DefaultLockManager m = withLanes(NO_LIMITS);
    Requests.Owner a = on.posix("a");
    Requests.Owner b = on.posix("b");
    Lock held = granted(m.lock(a.exclusive(0, 10)));
    granted(m.lock(b.shared(100, 10)));
    assertThat(laneOf(m, on.file(), b.owner())).isNotNull();

    LockResult r = m.lock(b.exclusive(5, 10));
    assertThat(r.granted()).isFalse();
    assertThat(((LockResult.Denied) r).conflict()).isEqualTo(held);
    granted(m.lock(b.exclusive(200, 10))); // clear of a's claim: its own lane
    assertThat(m.test(on.posix("c").exclusive(0, 0)))
        .contains(held); // first conflict, by first byte
    LockTableInvariants.check(m);
  }

  @Test
  void ofTwoRecordsStartingAtOneByteTheLaterHasTheLargerId() {
    DefaultLockManager m = withLanes(NO_LIMITS);
    List<Requests.Owner> lanes = new ArrayList<>();
    for (int i = 0; i < Lanes.MAX; i++) { // every slot taken by an owner that keeps a record
      Requests.Owner o = on.posix("lane-" + i);
      granted(m.lock(o.shared(1000 + 100L * i, 10)));
      granted(m.lock(o.shared(1050 + 100L * i, 10))); // in the lane: a block of its own
      lanes.add(o);
    }
    Requests.Owner e = on.posix("e"); // no slot left: its records stay in the file's table
    granted(m.lock(e.shared(5000, 10)));
    assertThat(laneOf(m, on.file(), e.owner())).isNull();

    Lock inLane = granted(m.lock(lanes.get(0).shared(0, 10)));
    Lock inFile = granted(m.lock(e.shared(0, 10))); // later, from the file table's ids
    assertThat(inFile.id().compareTo(inLane.id())).as("ids %s, %s", inLane, inFile).isPositive();
    assertThat(m.test(on.posix("x").exclusive(0, 1))).contains(inLane); // the oldest first

    m.unlock(lanes.get(0).unlock(0, 10));
    Lock again = granted(m.lock(lanes.get(0).shared(0, 10))); // now the later one
    assertThat(again.id().compareTo(inFile.id())).isPositive();
    assertThat(m.test(on.posix("x").exclusive(0, 1))).contains(inFile);
    LockTableInvariants.check(m);
  }

  @Test
  void thePerFileLimitCountsEveryLanesRecords() {
    DefaultLockManager m = withLanes(NO_LIMITS.toBuilder().maxLocksPerFile(20).build());
    Requests.Owner a = on.posix("a");
    Requests.Owner b = on.posix("b");
    int grantedCount = 0;
    StoreError refused = null;
    for (int i = 0; i < 40 && refused == null; i++) {
      Requests.Owner o = i % 2 == 0 ? a : b;
      try {
        granted(m.lock(o.exclusive(10L * i, 5)));
        grantedCount++;
      } catch (StoreError err) {
        refused = err;
      }
    }
    assertThat(grantedCount).isEqualTo(20);
    assertThat(refused).isNotNull();
    assertThat(refused.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED);
    assertThat(refused.getMessage()).contains("per-file");
    assertThat(laneOf(m, on.file(), a.owner())).isNotNull();
    assertThat(laneOf(m, on.file(), b.owner())).isNotNull();
    assertThat(m.locks(on.file())).hasSize(20);

    m.unlock(a.unlock(0, 5)); // one record less: one more fits, and no more
    granted(m.lock(b.exclusive(1000, 5)));
    assertRefusedByTheLimit(() -> m.lock(a.exclusive(2000, 5)));
    assertThat(m.locks(on.file())).hasSize(20);
    LockTableInvariants.check(m);
  }

  /**
   * A budget is given under one configuration: after the limit was off (others filled the file) and
   * is back at the same value, the lane's old budget grants nothing on its own.
   */
  @Test
  void aReconfigurationVoidsTheLanesBudgets() {
    DefaultLockManager m = withLanes(NO_LIMITS.toBuilder().maxLocksPerFile(20).build());
    Requests.Owner a = on.posix("a");
    Requests.Owner b = on.posix("b");
    granted(m.lock(a.exclusive(0, 5))); // a's lane, with a budget under the limit of 20
    granted(m.lock(b.exclusive(1000, 5)));
    m.reconfigure(NO_LIMITS);
    for (int i = 1; i <= 30; i++) {
      granted(m.lock(b.exclusive(1000 + 10L * i, 5)));
    }
    m.reconfigure(NO_LIMITS.toBuilder().maxLocksPerFile(20).build()); // 20 again, 32 held

    assertRefusedByTheLimit(() -> m.lock(a.exclusive(100, 5)));
    assertThat(m.locks(on.file())).hasSize(32);
    LockTableInvariants.check(m);
  }

  /**
   * A conflict with its own records found in a lane is decided over the whole file, where nothing
   * of the lane is revoked first: an owner's WINDOWS lock through a client that became a courtesy
   * client stays when the earliest conflict is another owner's, which is not revocable.
   */
  @Test
  void aLaneRevokesNothingOnItsWayToTheSlowPath() {
    ManualScheduler clock = new ManualScheduler();
    DefaultLockManager m =
        (DefaultLockManager) LockManagers.builder().scheduler(clock).config(NO_LIMITS).build();
    m.lockTables().laneAfter(0);
    made.add(m);
    Requests.Owner a = on.windows("a");
    Requests.Owner b = on.windows("b");
    m.registerClient(a.client(), "", Duration.ZERO);
    Lock mine = granted(m.lock(a.shared(10, 10)));
    Lock theirs = granted(m.lock(b.shared(5, 10)));
    assertThat(laneOf(m, on.file(), a.owner())).isNotNull();
    clock.advance(LockConfig.DEFAULTS.leaseTime().plusSeconds(1)); // a's client: courtesy
    LockClient other = new LockClient("another-client-of-a", "test");

    LockResult r =
        m.lock(
            new LockRequest(
                on.file(),
                "export",
                a.owner(),
                other,
                LockFlavour.WINDOWS,
                LockType.EXCLUSIVE,
                Requests.range(10, 10)));

    assertThat(r).isEqualTo(new LockResult.Denied(theirs));
    assertThat(m.locks(on.file())).containsExactlyInAnyOrder(mine, theirs);
    LockTableInvariants.check(m);
  }

  @Test
  void aWaiterIsWokenByAReleaseOfALaneOwner() throws Exception {
    DefaultLockManager m = withLanes(NO_LIMITS);
    Requests.Owner a = on.posix("a");
    Requests.Owner b = on.posix("b");
    granted(m.lock(a.exclusive(0, 10)));
    granted(m.lock(b.shared(100, 10)));
    PendingLock waiting = m.lockBlocking(b.exclusive(0, 10), Duration.ofMinutes(5));
    assertThat(waiting.isDone()).isFalse();

    m.unlock(a.unlock(0, 10)); // the file has a waiter: the slow path, which re-checks it

    Optional<Lock> got = waiting.await(Duration.ofMinutes(1));
    assertThat(got).isPresent();
    assertThat(got.get().owner()).isEqualTo(b.owner());
    granted(m.lock(a.shared(200, 10))); // no waiter left: back in a's lane
    LockTableInvariants.check(m);
  }

  @Test
  void anOwnerWithNothingLeftGivesItsSlotToTheNext() {
    DefaultLockManager m = withLanes(NO_LIMITS);
    List<Requests.Owner> owners = new ArrayList<>();
    for (int i = 0; i <= Lanes.MAX; i++) {
      Requests.Owner o = on.windows("w-" + i);
      granted(m.lock(o.exclusive(10L * i, 5)));
      owners.add(o);
    }
    Requests.Owner last = owners.get(Lanes.MAX);
    assertThat(laneOf(m, on.file(), last.owner())).as("no slot free").isNull();
    Lane first = laneOf(m, on.file(), owners.get(0).owner());

    m.unlock(owners.get(0).unlock(0, 5));
    granted(m.lock(last.exclusive(100, 5)));

    assertThat(laneOf(m, on.file(), last.owner())).isNotNull();
    assertThat(laneOf(m, on.file(), owners.get(0).owner())).isNull();
    assertThat(first.retired).isTrue();
    granted(m.lock(owners.get(0).exclusive(0, 5))); // in the file's table again
    assertThat(m.locks(on.file())).hasSize(Lanes.MAX + 2);
    LockTableInvariants.check(m);
  }

  @Test
  void aLanesStateIsPaddedAndAnAdoptedIndexKeepsItsRecordsAndMemos() {
    DefaultLockManager m = withLanes(NO_LIMITS);
    m.lockTables().laneAfter(Integer.MAX_VALUE); // no lanes yet: a's index is the file table's
    Requests.Owner a = on.posix("a");
    granted(m.lock(a.exclusive(0, 10)));
    granted(m.lock(a.shared(20, 10)));
    FileLockTable t = table(m, on.file());
    OwnerLocks before = LockTables.whole(t, () -> t.existingIndex(a.owner()));
    assertThat(before).isNotInstanceOf(OwnerLocks.Padded.class);
    assertThat(before.registryEntry).isNotNull();
    assertThat(before.client).isNotNull();

    m.lockTables().laneAfter(0);
    granted(m.lock(a.exclusive(40, 10))); // a gets a lane, which takes its index
    Requests.Owner b = on.posix("b");
    granted(m.lock(b.exclusive(60, 10))); // granted in the file's table, then b gets a lane

    for (Requests.Owner o : List.of(a, b)) {
      Lane lane = laneOf(m, on.file(), o.owner());
      assertThat(lane).as("%s's lane", o.owner()).isNotNull();
      assertThat(lane.table).isInstanceOf(FileLockTable.Padded.class);
      OwnerLocks index = LockTables.whole(t, () -> t.existingIndex(o.owner()));
      assertThat(index).as("%s's index", o.owner()).isInstanceOf(OwnerLocks.Padded.class);
      assertThat(index.registryEntry).isNotNull();
    }
    OwnerLocks moved = LockTables.whole(t, () -> t.existingIndex(a.owner()));
    assertThat(moved.all()).extracting(l -> l.range().first()).containsExactly(0L, 20L, 40L);
    assertThat(moved.registryEntry).isSameAs(before.registryEntry);
    assertThat(moved.client).isSameAs(before.client);
    LockTableInvariants.check(m);
  }

  @Test
  void aSweptTableTakesItsLanesAlong() {
    DefaultLockManager m = withLanes(NO_LIMITS);
    Requests.Owner a = on.posix("a");
    granted(m.lock(a.exclusive(0, 10)));
    Lane lane = laneOf(m, on.file(), a.owner());
    FileLockTable old = table(m, on.file());
    m.unlock(a.unlock(0, 10));

    m.lockTables().sweepIdle();

    assertThat(m.lockTables().map()).doesNotContainKey(on.file());
    assertThat(LockTables.whole(old, old::isRetired)).isTrue();
    granted(m.lock(a.exclusive(0, 10))); // the old lane is not used: its table is retired
    assertThat(lane.table.lockCount()).isZero();
    assertThat(m.locks(on.file())).hasSize(1);
    LockTableInvariants.check(m);
  }

  @Test
  void noLaneWhileAStoreIsWritten() {
    DefaultLockManager m =
        (DefaultLockManager)
            LockManagers.builder().config(NO_LIMITS).store(new FaultyLockStore()).build();
    m.lockTables().laneAfter(0);
    made.add(m);
    granted(m.lock(on.posix("a").exclusive(0, 10)));
    assertThat(table(m, on.file()).lanes()).isNull();
  }

  /**
   * Owners whose records meet (readers holding one range) step aside on every lock: once the lane's
   * count of collisions (3 each) reaches {@code dissolveAt} the file's lanes are dissolved, every
   * record back in the file's table; the next {@code backoff} lock requests (the dissolving one
   * included) make no lane, the one after makes lanes again; twice as many after the next
   * dissolution, and {@code backoff} again after lanes that changed their tables {@code backoff}
   * times before they were dissolved.
   */
  @Test
  void lanesOfOwnersWhoseRecordsMeetAreDissolvedThenTriedAgain() {
    DefaultLockManager m = withLanes(NO_LIMITS, 4 * Lanes.COLLISION_WEIGHT, 20);
    Requests.Owner a = on.posix("a");
    Requests.Owner b = on.posix("b");
    Lock theirs = granted(m.lock(b.shared(0, 10)));
    granted(m.lock(a.shared(0, 10))); // the file's table; a gets a lane after it
    Lane lane = laneOf(m, on.file(), a.owner());
    assertThat(lane).isNotNull();
    assertThat(laneOf(m, on.file(), b.owner())).isNotNull();
    collide(m, a, 3); // b claims these bytes: each lock steps aside
    assertThat(table(m, on.file()).lanes()).as("3 collisions of 4").isNotNull();

    collide(m, a, 1); // the fourth dissolves the lanes

    FileLockTable t = table(m, on.file());
    assertThat(LockTables.whole(t, t::lanes)).isNull();
    assertThat(dissolved(m)).isEqualTo(1);
    assertThat(lane.retired).isTrue();
    Lock mine =
        m.locks(on.file()).stream().filter(l -> l.owner().equals(a.owner())).findFirst().get();
    assertThat(m.locks(on.file())).containsExactlyInAnyOrder(theirs, mine);
    LockTableInvariants.check(m);
    assertThat(requestsUntilALane(m, a, 1000)).isEqualTo(20);

    collide(m, a, 4); // lanes again, dissolved again: the backoff doubles
    assertThat(LockTables.whole(t, t::lanes)).isNull();
    assertThat(requestsUntilALane(m, a, 2000)).isEqualTo(40);

    for (int i = 0; i < 15; i++) { // lanes that pay for a while: 30 changes of a's lane
      granted(m.lock(a.exclusive(900, 5)));
      m.unlock(a.unlock(900, 5));
    }
    collide(m, a, 4);
    assertThat(dissolved(m)).isEqualTo(3);
    assertThat(requestsUntilALane(m, a, 3000)).as("the doubling reset").isEqualTo(20);
    assertThat(m.locks(on.file())).hasSize(2 + 20 + 40 + 20);
    LockTableInvariants.check(m);
  }

  /** {@code times} times: {@code o} unlocks its SHARED [0, 10) and locks it again. */
  private void collide(DefaultLockManager m, Requests.Owner o, int times) {
    for (int i = 0; i < times; i++) {
      m.unlock(o.unlock(0, 10));
      granted(m.lock(o.shared(0, 10)));
    }
  }

  /** Lock requests of {@code o} on new bytes from {@code from} until it has a lane; how many. */
  private int requestsUntilALane(DefaultLockManager m, Requests.Owner o, long from) {
    for (int n = 1; n <= 1000; n++) {
      granted(m.lock(o.shared(from + 10L * n, 5)));
      if (laneOf(m, on.file(), o.owner()) != null) {
        return n;
      }
    }
    throw new AssertionError("no lane after 1,000 lock requests");
  }

  /** Dissolved lanes leave no budget behind: the per-file limit stays exact. */
  @Test
  void thePerFileLimitHoldsAcrossADissolution() {
    DefaultLockManager m =
        withLanes(
            NO_LIMITS.toBuilder().maxLocksPerFile(20).build(), 2 * Lanes.COLLISION_WEIGHT, 1000);
    Requests.Owner a = on.posix("a");
    Requests.Owner b = on.posix("b");
    granted(m.lock(b.shared(0, 10)));
    granted(m.lock(a.shared(0, 10))); // lanes with budgets for a and b
    collide(m, a, 2);
    assertThat(dissolved(m)).isEqualTo(1);

    for (int i = 1; i <= 18; i++) {
      granted(m.lock((i % 2 == 0 ? a : b).exclusive(100L * i, 5)));
    }
    assertRefusedByTheLimit(() -> m.lock(a.exclusive(5000, 5)));
    assertRefusedByTheLimit(() -> m.lock(b.exclusive(6000, 5)));
    assertThat(m.locks(on.file())).hasSize(20);
    LockTableInvariants.check(m);
  }

  /**
   * A lane whose owner's lock requests collide less than a quarter of the time stays: one lock in
   * four meets another owner's record, the others run in the lane.
   */
  @Test
  void aLaneWhoseLocksMostlyRunThereStays() {
    DefaultLockManager m = withLanes(NO_LIMITS, 4 * Lanes.COLLISION_WEIGHT, 3);
    Requests.Owner a = on.posix("a");
    Requests.Owner b = on.posix("b");
    granted(m.lock(b.shared(0, 10)));
    granted(m.lock(a.shared(500, 10)));
    Lane lane = laneOf(m, on.file(), a.owner());
    for (int i = 0; i < 50; i++) {
      granted(m.lock(a.shared(0, 10))); // steps aside
      m.unlock(a.unlock(0, 10));
      for (int k = 1; k <= 3; k++) {
        granted(m.lock(a.shared(100L * k, 10))); // runs in the lane
        m.unlock(a.unlock(100L * k, 10));
      }
    }
    assertThat(laneOf(m, on.file(), a.owner())).isSameAs(lane);
    assertThat(lane.retired).isFalse();
    assertThat(dissolved(m)).isZero();
    LockTableInvariants.check(m);
  }

  /**
   * Dissolved lanes' records keep "the later, the larger id": a record the file's table makes after
   * the dissolution has an id above one a lane made just before it (same first byte).
   */
  @Test
  void aDissolutionKeepsIdsInTheOrderOfCreation() {
    DefaultLockManager m = withLanes(NO_LIMITS, 2 * Lanes.COLLISION_WEIGHT, 100);
    Requests.Owner a = on.posix("a");
    Requests.Owner b = on.posix("b");
    Requests.Owner c = on.posix("c");
    granted(m.lock(c.shared(500, 5))); // c's lane
    granted(m.lock(b.shared(1000, 5))); // b's lane
    granted(m.lock(a.shared(1000, 5))); // a's lane
    m.unlock(a.unlock(1000, 5));
    granted(m.lock(a.shared(1000, 5))); // a steps aside: 1 collision of 2
    Lock inLane = granted(m.lock(c.shared(0, 10))); // in c's lane, from its block
    m.unlock(a.unlock(1000, 5));
    granted(m.lock(a.shared(1000, 5))); // the second: dissolves the lanes
    assertThat(laneOf(m, on.file(), c.owner())).isNull();

    Lock later = granted(m.lock(on.posix("e").shared(0, 10))); // the file's table
    assertThat(later.id().compareTo(inLane.id())).as("ids %s, %s", inLane, later).isPositive();
    assertThat(m.test(on.posix("x").exclusive(0, 1))).contains(inLane); // the oldest first
    LockTableInvariants.check(m);
  }

  /**
   * The storm below with lanes at once (never dissolved), with lanes at once that are dissolved at
   * a lane's count of 16 (about 6 collisions) and come back after one lock request, and with the
   * default policy.
   */
  @Test
  void threadsOnOneHotFileWithLanesKeepExactlyWhatTheyWereGranted() throws Exception {
    storm(0, Integer.MAX_VALUE, 0);
  }

  @Test
  void threadsOnOneHotFileWhoseLanesComeAndGoKeepExactlyWhatTheyWereGranted() throws Exception {
    DefaultLockManager m = storm(0, 16, 1);
    assertThat(dissolved(m)).as("dissolutions").isPositive();
  }

  @Test
  void threadsOnOneHotFileKeepExactlyWhatTheyWereGranted() throws Exception {
    storm(LockTables.LANE_AFTER, Lanes.DISSOLVE_AT, Lanes.BACKOFF);
  }

  /**
   * Threads on one file, lanes after {@code laneAfter} contentions, dissolved at a lane's count of
   * {@code dissolveAt}, back after {@code backoff} lock requests: each its own POSIX owner, random
   * locks and unlocks over 64 bytes where they meet. Each thread knows what its owner holds (only
   * it changes that); at the end every owner holds exactly that, and the invariants hold (no two
   * conflicting records, counts equal to records, every record reachable). Bounded by operation
   * counts.
   */
  private DefaultLockManager storm(int laneAfter, int dissolveAt, int backoff) throws Exception {
    DefaultLockManager m = withLanes(NO_LIMITS);
    m.lockTables().lanePolicy(laneAfter, dissolveAt, backoff);
    int threads = 4;
    int ops = 20_000;
    FileHandle file = on.file();
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<BitSet[]>> held = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int id = t;
        held.add(
            pool.submit(
                () -> {
                  Requests.Owner o = on.posix("hot-" + id);
                  BitSet shared = new BitSet();
                  BitSet exclusive = new BitSet();
                  SplittableRandom rnd = new SplittableRandom(77 + id);
                  start.await();
                  for (int i = 0; i < ops; i++) {
                    // mostly this thread's own 16 bytes, sometimes anywhere in the 64
                    long first = rnd.nextInt(8) == 0 ? rnd.nextInt(64) : 16L * id + rnd.nextInt(16);
                    long length = 1 + rnd.nextInt(6);
                    int f = (int) first;
                    int to = (int) (first + length);
                    if (rnd.nextInt(3) == 0) {
                      m.unlock(o.unlock(first, length));
                      shared.clear(f, to);
                      exclusive.clear(f, to);
                    } else {
                      boolean x = rnd.nextBoolean();
                      LockResult r =
                          m.lock(x ? o.exclusive(first, length) : o.shared(first, length));
                      if (r.granted()) {
                        (x ? exclusive : shared).set(f, to);
                        (x ? shared : exclusive).clear(f, to);
                      }
                    }
                  }
                  return new BitSet[] {shared, exclusive};
                }));
      }
      for (int t = 0; t < threads; t++) {
        BitSet[] expected = held.get(t).get(5, TimeUnit.MINUTES);
        LockOwner owner = on.posix("hot-" + t).owner();
        BitSet shared = new BitSet();
        BitSet exclusive = new BitSet();
        for (Lock l : m.locks(file)) {
          if (l.owner().equals(owner)) {
            ByteRange r = l.range();
            (l.exclusive() ? exclusive : shared).set((int) r.first(), (int) r.last() + 1);
          }
        }
        assertThat(shared).as("shared bytes of %s", owner).isEqualTo(expected[0]);
        assertThat(exclusive).as("exclusive bytes of %s", owner).isEqualTo(expected[1]);
      }
    } finally {
      pool.shutdownNow();
    }
    LockTableInvariants.check(m);
    return m;
  }
}
