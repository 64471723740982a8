package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SPEC 5 and 9 together: a waiter blocked by a registered client is served at the moment that
 * client becomes a courtesy client (silent for longer than the lease), with no other change of the
 * file: it revokes the courtesy client's conflicting locks and is granted exactly as a new request
 * would be at that moment. A renewal moves the moment; a waiter that is gone leaves no timer and no
 * effect; clients without a lease never free a waiter. Time is virtual ({@link ManualScheduler}):
 * the lease ends 1 ns after {@code LEASE} of silence.
 */
class CourtesyWaitersTest {
  private static final Duration LEASE = LockConfig.DEFAULTS.leaseTime();
  private static final Duration NS = Duration.ofNanos(1);
  private static final Duration LONG_WAIT = Duration.ofMinutes(10);

  private final ManualScheduler clock = new ManualScheduler();
  private final List<LockEvent> events = new CopyOnWriteArrayList<>();
  private final FaultyLockStore store = new FaultyLockStore();
  private LockManager locks = manager(LockConfig.DEFAULTS, clock, store, events);

  private final Requests on = Requests.on("courtesy-waiters-file");
  private final Requests.Owner a = on.posix("nfs4:a");
  private final Requests.Owner b = on.posix("nfs4:b");
  private final Requests.Owner c = on.posix("nfs4:c");
  private final Requests.Owner d = on.posix("nfs4:d");

  private static LockManager manager(
      LockConfig config, ManualScheduler clock, FaultyLockStore store, List<LockEvent> events) {
    return ManagerOnManualClock.over(clock, store, config, events::add);
  }

  private void use(LockConfig config) {
    locks.close();
    locks = manager(config, clock, store, events);
  }

  @AfterEach
  void invariantsHoldAndStoreMatches() {
    LockTableInvariants.check(locks);
    LockTableInvariants.checkStoreMatches(locks, store);
    locks.close();
  }

  private Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  private PendingLock waiting(LockRequest r) {
    PendingLock p = locks.lockBlocking(r, LONG_WAIT);
    assertThat(p.isDone()).as("%s waits", r).isFalse();
    return p;
  }

  private void register(Requests.Owner o) {
    locks.registerClient(o.client(), "", Duration.ZERO);
  }

  private List<Lock> locks() {
    return locks.locks(on.file());
  }

  private <E extends LockEvent> List<E> eventsOf(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  // ---- the repro -----------------------------------------------------------------------------

  /**
   * The repro: A's client registered with a lease, A holds a lock, B waits; time passes
   * beyond the lease with no other change. B is granted at the moment A becomes a courtesy client,
   * A's conflicting lock is revoked, and the events and store writes are those of a grant that
   * revokes. It used to wait until its timeout (or the next change of the file).
   */
  @Test
  void aWaiterIsGrantedWhenItsBlockersLeaseRunsOutWithNoOtherChange() {
    register(a);
    Lock held = grant(a.exclusive(0, 100));
    PendingLock p = waiting(b.exclusive(10, 10));
    events.clear();

    clock.advance(LEASE); // silent for exactly the lease: not yet a courtesy client
    assertThat(p.isDone()).isFalse();
    assertThat(locks()).containsExactly(held);

    clock.advance(NS);

    Lock got = p.poll().orElseThrow();
    assertThat(got.range()).isEqualTo(ByteRange.of(10, 19));
    assertThat(got.acquiredAt()).isEqualTo(clock.now());
    assertThat(locks()).containsExactly(got);
    assertThat(events.stream().filter(e -> !(e instanceof LockEvent.StoreCommitted)))
        .containsExactly(
            new LockEvent.Released(
                a.owner(), on.file(), List.of(held), -1, LockEvent.ReleaseReason.REVOKED),
            new LockEvent.Granted(got, 1, false),
            new LockEvent.Waited(
                b.exclusive(10, 10), LEASE.plus(NS), LockEvent.WaitOutcome.GRANTED));
    assertThat(eventsOf(LockEvent.StoreCommitted.class)) // the revocation's delete, the grant
        .extracting(LockEvent.StoreCommitted::operations)
        .containsExactly(1, 1);
    assertThat(store.records().values()).containsExactly(PersistedLock.of(got));
    assertThat(clock.pendingTasks()).as("no timeout and no lease timer left").isZero();
  }

  /**
   * Exactly as a new request: the same request made as a new one at the moment the lease runs out
   * (on a twin manager with the same history, less the wait) revokes and grants the same records,
   * with the same events and the same store content.
   */
  @Test
  void theWaiterIsServedExactlyAsANewRequestAtThatMomentWouldBe() {
    ManualScheduler twinClock = new ManualScheduler();
    FaultyLockStore twinStore = new FaultyLockStore();
    List<LockEvent> twinEvents = new ArrayList<>();
    LockManager twin = manager(LockConfig.DEFAULTS, twinClock, twinStore, twinEvents);
    for (LockManager m : List.of(locks, twin)) {
      m.registerClient(a.client(), "", Duration.ZERO);
      m.registerClient(c.client(), "", Duration.ZERO);
      m.lock(a.exclusive(0, 10));
      m.lock(a.shared(30, 10));
      m.lock(c.exclusive(50, 10));
    }
    PendingLock p = waiting(b.exclusive(5, 30)); // blocked by both of A's locks
    events.clear();
    twinEvents.clear();

    clock.advance(LEASE.plus(NS));
    twinClock.advance(LEASE.plus(NS));
    LockResult res = twin.lock(b.exclusive(5, 30));

    assertThat(res.granted()).isTrue();
    assertThat(p.poll()).isPresent();
    assertThat(withoutIds(locks())).isEqualTo(withoutIds(twin.locks(on.file())));
    assertThat(kinds(events.subList(0, events.size() - 1))).isEqualTo(kinds(twinEvents));
    assertThat(events.get(events.size() - 1)).isInstanceOf(LockEvent.Waited.class);
    assertThat(eventsOf(LockEvent.Released.class))
        .extracting(LockEvent.Released::removed)
        .isEqualTo(
            twinEvents.stream()
                .filter(LockEvent.Released.class::isInstance)
                .map(e -> ((LockEvent.Released) e).removed())
                .toList());
    clock.advance(Duration.ZERO);
    twinClock.advance(Duration.ZERO);
    assertThat(withoutIds(store.records().values().stream().map(PersistedLock::toLock).toList()))
        .isEqualTo(
            withoutIds(twinStore.records().values().stream().map(PersistedLock::toLock).toList()));
    twin.close();
  }

  private static List<String> withoutIds(List<Lock> locks) {
    return locks.stream()
        .map(
            l ->
                l.owner()
                    + " "
                    + l.type()
                    + " "
                    + l.range()
                    + " "
                    + l.client()
                    + " "
                    + l.acquiredAt())
        .sorted()
        .toList();
  }

  private static List<String> kinds(List<LockEvent> events) {
    return events.stream().map(e -> e.getClass().getSimpleName()).toList();
  }

  // ---- renewal, cancel, timeout --------------------------------------------------------------

  /**
   * A renewal before the lease runs out keeps the waiter waiting past the old moment (nothing is
   * revoked then) and moves the re-check to the new moment, where the waiter is granted.
   */
  @Test
  void aRenewalKeepsTheWaiterWaitingAndMovesTheMomentItIsServed() {
    register(a);
    Lock held = grant(a.exclusive(0, 100));
    PendingLock p = waiting(b.exclusive(10, 10));
    Duration renewedAfter = LEASE.minusSeconds(10);
    clock.advance(renewedAfter);
    locks.keepAlive(a.client());

    clock.advance(LEASE.minus(renewedAfter).plus(NS)); // the moment the first lease would end
    assertThat(p.isDone()).isFalse();
    assertThat(locks()).containsExactly(held);
    assertThat(eventsOf(LockEvent.Released.class)).isEmpty();
    assertThat(clock.pendingTasks())
        .as("the waiter's timeout and the moved lease timer")
        .isEqualTo(2);

    clock.advance(renewedAfter.minus(NS)); // the renewed lease ends 1 ns later
    assertThat(p.isDone()).isFalse();
    clock.advance(NS);
    assertThat(p.poll()).isPresent();
    assertThat(locks()).doesNotContain(held);
  }

  /** A renewal by the client's own request (not a keep-alive) moves the moment alike. */
  @Test
  void aRequestOfTheBlockingClientRenewsItsLeaseAndMovesTheMoment() {
    register(a);
    Lock held = grant(a.exclusive(0, 100));
    PendingLock p = waiting(b.exclusive(10, 10));
    clock.advance(LEASE.minusSeconds(1));
    grant(a.shared(500, 1)); // a request of A's client

    clock.advance(Duration.ofSeconds(1).plus(NS));
    assertThat(p.isDone()).isFalse();
    assertThat(locks()).contains(held);
    clock.advance(LEASE.minusSeconds(1));
    assertThat(p.poll()).isPresent();
  }

  @Test
  void aWaiterCancelledBeforeTheLeaseRunsOutLeavesNoTimerAndNoEffect() {
    register(a);
    Lock held = grant(a.exclusive(0, 100));
    PendingLock p = waiting(b.exclusive(10, 10));
    clock.advance(LEASE.dividedBy(2));

    assertThat(p.cancel()).isTrue();

    assertThat(clock.pendingTasks()).as("no timeout and no lease timer left").isZero();
    clock.advance(LEASE.multipliedBy(2));
    assertThat(locks()).containsExactly(held);
    assertThat(eventsOf(LockEvent.Released.class)).isEmpty();
  }

  @Test
  void aWaiterTimedOutBeforeTheLeaseRunsOutLeavesNoTimerAndNoEffect() {
    register(a);
    Lock held = grant(a.exclusive(0, 100));
    PendingLock p = locks.lockBlocking(b.exclusive(10, 10), LEASE.dividedBy(3));

    clock.advance(LEASE.dividedBy(3));

    assertThat(p.isDone()).isTrue();
    assertThat(p.completion().toCompletableFuture().isCompletedExceptionally()).isTrue();
    assertThat(((StoreError) catchFailure(p)).code()).isEqualTo(ErrorCode.TIMED_OUT);
    assertThat(clock.pendingTasks()).isZero();
    clock.advance(LEASE.multipliedBy(2));
    assertThat(locks()).containsExactly(held);
    assertThat(eventsOf(LockEvent.Released.class)).isEmpty();
  }

  private static Throwable catchFailure(PendingLock p) {
    try {
      p.poll();
    } catch (StoreError e) {
      return e;
    }
    throw new AssertionError("expected " + p + " to have failed");
  }

  /** The last waiter granted by another change takes the lease timer with it. */
  @Test
  void aWaiterGrantedByAReleaseLeavesNoLeaseTimer() {
    register(a);
    grant(a.exclusive(0, 100));
    PendingLock p = waiting(b.exclusive(10, 10));
    assertThat(clock.pendingTasks()).isEqualTo(2);

    locks.unlock(a.unlock(0, 100));

    assertThat(p.poll()).isPresent();
    assertThat(clock.pendingTasks()).isZero();
  }

  // ---- cluster mode ----------------------------------------------------------------------------

  /**
   * Cluster mode (docs/cluster.md): a client's lease is known at the node it registered at. A
   * waiter queued at that node is served there at the lease's end, through a coordinated operation;
   * one queued at another node is counted by the client's node at its next operation that changes
   * the file, and served at the lease's end too, answered at its own node after the notification.
   */
  @Test
  void inClusterModeTheBlockingClientsNodeServesWaitersOfEveryNodeAtTheLeasesEnd() {
    InMemoryLockCluster cluster = new InMemoryLockCluster();
    LockManager n0 = LockManagers.builder().scheduler(clock).cluster(cluster.node("n0")).build();
    LockManager n1 = LockManagers.builder().scheduler(clock).cluster(cluster.node("n1")).build();
    try {
      n0.registerClient(a.client(), "", Duration.ZERO);
      assertThat(n0.lock(a.exclusive(0, 10)).granted()).isTrue();
      assertThat(n0.lock(a.exclusive(100, 10)).granted()).isTrue();
      PendingLock here = n0.lockBlocking(b.exclusive(0, 10), LONG_WAIT);
      PendingLock there = n1.lockBlocking(c.exclusive(100, 10), LONG_WAIT);
      clock.advance(Duration.ofSeconds(1));
      assertThat(n0.lock(d.shared(500, 1)).granted()).isTrue(); // n0 loads the queue: c's row

      clock.advance(LEASE.minusSeconds(1).plus(NS));
      clock.advance(Duration.ZERO); // n1 hears of its waiter's grant

      assertThat(here.poll()).isPresent();
      assertThat(there.poll()).isPresent();
      assertThat(cluster.records(on.file()))
          .extracting(PersistedLock::owner)
          .containsExactlyInAnyOrder(b.owner().id(), c.owner().id(), d.owner().id());
      assertThat(cluster.waiters(on.file())).isEmpty();
    } finally {
      n0.close();
      n1.close();
    }
  }

  // ---- several waiters, fairness, flavours ---------------------------------------------------

  /**
   * Several waiters at one moment: the queue is walked in FIFO order, as after any change. B
   * (first) revokes A and is granted; C, queued behind for the same bytes, now waits on B; D,
   * elsewhere in A's lock, is granted too. Under FIFO and BARGING alike: re-checks keep the queue's
   * order.
   */
  @ParameterizedTest
  @EnumSource(LockConfig.Fairness.class)
  void severalWaitersAreServedInQueueOrder(LockConfig.Fairness fairness) {
    use(LockConfig.DEFAULTS.toBuilder().fairness(fairness).build());
    register(a);
    grant(a.exclusive(0, 100));
    PendingLock pb = waiting(b.exclusive(0, 10));
    PendingLock pc = waiting(c.exclusive(5, 10));
    PendingLock pd = waiting(d.shared(50, 10));

    clock.advance(LEASE.plus(NS));

    assertThat(pb.poll()).isPresent();
    assertThat(pc.isDone()).isFalse();
    assertThat(pd.poll()).isPresent();
    assertThat(locks.waiters(on.file())).extracting(Lock::owner).containsExactly(c.owner());
    assertThat(locks()).extracting(Lock::owner).containsExactlyInAnyOrder(b.owner(), d.owner());
    assertThat(clock.pendingTasks()).as("C's timeout; B has no lease: no lease timer").isEqualTo(1);
  }

  /** SMB: a WINDOWS waiter behind a WINDOWS lock of a silent session, and across flavours. */
  @Test
  void windowsWaitersAreServedWhenTheirBlockersLeaseRunsOut() {
    Requests.Owner wa = on.windows("smb:a");
    Requests.Owner wb = on.windows("smb:b");
    locks.registerClient(wa.client(), "", Duration.ZERO);
    Lock held = grant(wa.exclusive(0, 100));
    Lock kept = grant(wa.shared(200, 10)); // blocks nobody: stays
    PendingLock pw = waiting(wb.exclusive(10, 10));
    PendingLock pp = waiting(b.shared(40, 10)); // POSIX behind a WINDOWS lock

    clock.advance(LEASE.plus(NS));

    assertThat(pw.poll()).isPresent();
    assertThat(pp.poll()).isPresent();
    assertThat(locks()).doesNotContain(held).contains(kept);
    assertThat(eventsOf(LockEvent.Released.class))
        .singleElement()
        .satisfies(e -> assertThat(e.removed()).containsExactly(held));
  }

  // ---- which clients have a lease ------------------------------------------------------------

  /** NLM-style holders never register: no lease, no timer, the waiter waits for a change. */
  @Test
  void aHolderThatNeverRegisteredFreesNoWaiterAndSetsNoTimer() {
    Lock held = grant(a.exclusive(0, 100));
    PendingLock p = waiting(b.exclusive(10, 10));
    assertThat(clock.pendingTasks()).as("only the waiter's timeout").isEqualTo(1);

    clock.advance(LEASE.multipliedBy(3));

    assertThat(p.isDone()).isFalse();
    assertThat(locks()).containsExactly(held);
  }

  /** A holder that registers after the waiter queued starts a lease, and the waiter is served. */
  @Test
  void aHolderThatRegistersAfterTheWaiterQueuedFreesItWhenItsNewLeaseRunsOut() {
    Lock held = grant(a.exclusive(0, 100));
    PendingLock p = waiting(b.exclusive(10, 10));
    clock.advance(LEASE.multipliedBy(2));

    register(a);
    clock.advance(LEASE);
    assertThat(p.isDone()).isFalse();
    clock.advance(NS);

    assertThat(p.poll()).isPresent();
    assertThat(locks()).doesNotContain(held);
  }

  /** A holder that unregisters (with a ttl) has no lease any more: it is never revoked. */
  @Test
  void aHolderThatUnregistersWithATtlFreesNoWaiter() {
    locks.registerClient(a.client(), "", LEASE.multipliedBy(10));
    Lock held = grant(a.exclusive(0, 100));
    PendingLock p = waiting(b.exclusive(10, 10));
    locks.unregisterClient(a.client());

    clock.advance(LEASE.plus(NS));

    assertThat(p.isDone()).isFalse();
    assertThat(locks()).containsExactly(held);
  }

  /** The waiter's own client's locks are never revoked for it. */
  @Test
  void aWaiterIsNeverFreedByItsOwnClientsLease() {
    Requests.Owner a2 = on.posix("nfs4:a-other-open");
    LockClient shared = a.client();
    LockRequest mine =
        new LockRequest(
            on.file(),
            "export",
            a2.owner(),
            shared,
            LockFlavour.POSIX,
            LockType.EXCLUSIVE,
            Requests.range(10, 10));
    register(a);
    Lock held = grant(a.exclusive(0, 100));
    PendingLock p = waiting(mine);

    clock.advance(LEASE.plus(NS));

    assertThat(p.isDone()).isFalse();
    assertThat(locks()).containsExactly(held);
  }

  /**
   * Two registered blockers: the first lease to run out revokes that client's lock (as a new
   * request would) while the other still blocks; the waiter is granted when the second runs out.
   */
  @Test
  void withTwoBlockingClientsTheWaiterIsGrantedWhenTheLaterLeaseRunsOut() {
    register(a);
    register(c);
    Lock first = grant(a.exclusive(0, 10));
    Lock second = grant(c.exclusive(20, 10));
    PendingLock p = waiting(b.exclusive(0, 30));
    clock.advance(Duration.ofSeconds(30));
    locks.keepAlive(c.client());

    clock.advance(LEASE.minusSeconds(30).plus(NS)); // A's lease ends
    assertThat(p.isDone()).isFalse();
    assertThat(locks()).containsExactly(second);
    assertThat(eventsOf(LockEvent.Released.class))
        .singleElement()
        .satisfies(e -> assertThat(e.removed()).containsExactly(first));

    clock.advance(Duration.ofSeconds(30)); // C's lease ends
    assertThat(p.poll()).isPresent();
    assertThat(locks()).doesNotContain(second);
  }

  /** A shorter lease time takes effect for waiters already queued: at once if it has run out. */
  @Test
  void aShorterLeaseTimeServesTheWaitersAtTheNewMoment() {
    register(a);
    register(c);
    grant(a.exclusive(0, 10));
    grant(c.exclusive(100, 10));
    PendingLock pa = waiting(b.exclusive(0, 10));
    clock.advance(Duration.ofSeconds(20));
    locks.keepAlive(c.client());
    PendingLock pc = waiting(d.exclusive(100, 10));

    locks.reconfigure(LockConfig.DEFAULTS.toBuilder().leaseTime(Duration.ofSeconds(10)).build());

    assertThat(pa.poll()).as("A has been silent for 20 s already").isPresent();
    assertThat(pc.isDone()).isFalse();
    clock.advance(Duration.ofSeconds(10).plus(NS));
    assertThat(pc.poll()).isPresent();
  }
}
