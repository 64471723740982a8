package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC 9: registration and its per-adapter cap, unregistration with and without a ttl, client
 * reboot, keep-alive and courtesy clients, the client listing and the client events.
 */
@ExtendWith(QuietLockLog.class)
class ClientsTest {
  private static final Duration LEASE = LockConfig.DEFAULTS.leaseTime();

  private final ManualScheduler sched = new ManualScheduler();
  private final List<LockEvent> events = new CopyOnWriteArrayList<>();
  private final FaultyLockStore store = new FaultyLockStore();

  private final Requests on = Requests.on("clients-file");
  private final Requests other = Requests.on("clients-other-file");
  private final Requests.Owner a = on.posix("nfs4:a");
  private final Requests.Owner b = on.posix("nfs4:b");
  private final Requests.Owner c = on.posix("nfs4:c");

  private LockManager manager(LockConfig config) {
    return ManagerOnManualClock.over(sched, store, config, events::add);
  }

  private final LockManager locks = manager(LockConfig.DEFAULTS);

  private static LockClient client(String id, String adapter) {
    return new LockClient(id, adapter);
  }

  private Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  private List<Lock> heldBy(Requests.Owner o) {
    return Answers.heldBy(locks, on.file(), o);
  }

  private <E extends LockEvent> List<E> eventsOf(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private List<LockEvent.Released> releasedOf(Requests.Owner o) {
    return eventsOf(LockEvent.Released.class).stream()
        .filter(e -> e.owner().equals(o.owner()))
        .toList();
  }

  private static StoreError failure(Runnable r) {
    return Answers.error(r::run);
  }

  private Optional<ClientInfo> info(LockClient client) {
    return locks.clients().stream().filter(i -> i.client().equals(client)).findFirst();
  }

  private void checkEverything() {
    LockTableInvariants.check(locks);
    sched.advance(Duration.ZERO);
    LockTableInvariants.checkStoreMatches(locks, store);
  }

  // ---- registration and the per-adapter cap --------------------------------------------------

  @Test
  void registrationBeyondTheAdapterCapIsRefusedWithConnectionLimitReached() {
    LockManager m = manager(LockConfig.builder().maxConnectionsPerAdapter(2).build());
    m.registerClient(client("c1", "nfs4"), "10.0.0.1", Duration.ZERO);
    m.registerClient(client("c2", "nfs4"), "10.0.0.2", Duration.ZERO);
    StoreError e = failure(() -> m.registerClient(client("c3", "nfs4"), "10.0.0.3", Duration.ZERO));
    assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LIMIT_REACHED);
    assertThat(e.detail()).contains(new ErrorDetail.Limit("connections-per-adapter", 2, 2));
    assertThat(m.clients())
        .extracting(ClientInfo::client)
        .containsExactlyInAnyOrder(client("c1", "nfs4"), client("c2", "nfs4"));
  }

  @Test
  void refusedRegistrationEmitsALimitHitNamingTheConnectionLimit() {
    LockManager m = manager(LockConfig.builder().maxConnectionsPerAdapter(1).build());
    m.registerClient(client("c1", "smb"), "", Duration.ZERO);
    events.clear();
    failure(() -> m.registerClient(client("c2", "smb"), "", Duration.ZERO));
    assertThat(eventsOf(LockEvent.LimitHit.class))
        .containsExactly(new LockEvent.LimitHit("connections-per-adapter", 1, 1));
    assertThat(eventsOf(LockEvent.ClientRegistered.class)).isEmpty();
  }

  @Test
  void theConnectionCapIsCountedPerAdapter() {
    LockManager m = manager(LockConfig.builder().maxConnectionsPerAdapter(1).build());
    m.registerClient(client("host", "nlm"), "", Duration.ZERO);
    m.registerClient(client("host", "nfs4"), "", Duration.ZERO);
    m.registerClient(client("session", "smb"), "", Duration.ZERO);
    assertThat(failure(() -> m.registerClient(client("other", "nlm"), "", Duration.ZERO)).code())
        .isEqualTo(ErrorCode.CONNECTION_LIMIT_REACHED);
    assertThat(m.clients()).hasSize(3);
  }

  @Test
  void registeringTheSameClientAgainDoesNotCountTwice() {
    LockManager m = manager(LockConfig.builder().maxConnectionsPerAdapter(2).build());
    LockClient c1 = client("c1", "nfs4");
    for (int i = 0; i < 5; i++) {
      m.registerClient(c1, "10.0.0.1", Duration.ofSeconds(i));
    }
    m.registerClient(client("c2", "nfs4"), "10.0.0.2", Duration.ZERO);
    assertThat(m.clients()).hasSize(2);
    assertThat(m.clients().stream().filter(i -> i.client().equals(c1)).findFirst())
        .get()
        .extracting(ClientInfo::ttl)
        .isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void unregisteringFreesASlotUnderTheCap() {
    LockManager m = manager(LockConfig.builder().maxConnectionsPerAdapter(1).build());
    m.registerClient(client("c1", "nfs4"), "", Duration.ofSeconds(30));
    m.unregisterClient(client("c1", "nfs4"));
    m.registerClient(client("c2", "nfs4"), "", Duration.ZERO);
    // c1 registering again while c2 holds the only slot is refused
    assertThat(failure(() -> m.registerClient(client("c1", "nfs4"), "", Duration.ZERO)).code())
        .isEqualTo(ErrorCode.CONNECTION_LIMIT_REACHED);
  }

  @Test
  void aZeroCapDisablesTheConnectionLimit() {
    LockManager m = manager(LockConfig.builder().maxConnectionsPerAdapter(0).build());
    for (int i = 0; i < 50; i++) {
      m.registerClient(client("c" + i, "nfs4"), "", Duration.ZERO);
    }
    assertThat(m.clients()).hasSize(50);
  }

  @Test
  void aNegativeTtlIsInvalid() {
    assertThat(failure(() -> locks.registerClient(a.client(), "", Duration.ofSeconds(-1))).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.clients()).isEmpty();
  }

  // ---- unregister ------------------------------------------------------------------------------

  @Test
  void unregisterWithZeroTtlReleasesLocksOpensAndWaitersNow() {
    locks.registerClient(a.client(), "10.0.0.1", Duration.ZERO);
    grant(a.exclusive(0, 10));
    grant(other.posix("nfs4:a").shared(0, 0));
    ShareReservation open = locks.open(a.open("RW", ""));
    Lock byB = grant(b.exclusive(100, 10));
    PendingLock waiting = locks.lockBlocking(a.exclusive(100, 10), null);
    assertThat(waiting.isDone()).isFalse();

    locks.unregisterClient(a.client());

    assertThat(locks.locks(on.file())).containsExactly(byB);
    assertThat(locks.locks(other.file())).isEmpty();
    assertThat(locks.opens(on.file())).isEmpty();
    assertThat(waiting.isDone()).isTrue();
    assertThatThrownBy(waiting::poll)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
    assertThat(releasedOf(a))
        .allSatisfy(e -> assertThat(e.reason()).isEqualTo(LockEvent.ReleaseReason.DISCONNECT))
        .hasSize(2);
    assertThat(eventsOf(LockEvent.Closed.class))
        .containsExactly(new LockEvent.Closed(open, LockEvent.ReleaseReason.DISCONNECT));
    assertThat(eventsOf(LockEvent.Waited.class))
        .extracting(LockEvent.Waited::outcome)
        .containsExactly(LockEvent.WaitOutcome.CANCELLED);
    assertThat(locks.lockCount()).isEqualTo(1);
    checkEverything();
  }

  @Test
  void unregisterWithTtlKeepsTheStateUntilTheTtlRunsOut() {
    locks.registerClient(a.client(), "", Duration.ofSeconds(30));
    Lock held = grant(a.exclusive(0, 10));
    locks.open(a.open("R", "W"));
    locks.unregisterClient(a.client());

    sched.advance(Duration.ofSeconds(29));
    assertThat(locks.locks(on.file())).containsExactly(held);
    assertThat(locks.opens(on.file())).hasSize(1);
    assertThat(info(a.client())).get().extracting(ClientInfo::connected).isEqualTo(false);

    sched.advance(Duration.ofSeconds(2));
    assertThat(locks.locks(on.file())).isEmpty();
    assertThat(locks.opens(on.file())).isEmpty();
    assertThat(releasedOf(a))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo(LockEvent.ReleaseReason.TIMEOUT);
              assertThat(e.removed()).containsExactly(held);
            });
    assertThat(eventsOf(LockEvent.Closed.class))
        .extracting(LockEvent.Closed::reason)
        .containsExactly(LockEvent.ReleaseReason.TIMEOUT);
    checkEverything();
  }

  @Test
  void aClientThatRegistersAgainWithinItsTtlKeepsItsLocks() {
    locks.registerClient(a.client(), "10.0.0.1", Duration.ofSeconds(30));
    Lock first = grant(a.exclusive(0, 10));
    Lock second = grant(a.shared(50, 10));
    locks.unregisterClient(a.client());
    sched.advance(Duration.ofSeconds(20));
    locks.registerClient(a.client(), "10.0.0.1", Duration.ofSeconds(30));

    sched.advance(Duration.ofMinutes(10));

    assertThat(heldBy(a)).containsExactly(first, second);
    assertThat(releasedOf(a)).isEmpty();
    assertThat(info(a.client())).get().extracting(ClientInfo::connected).isEqualTo(true);
    checkEverything();
  }

  @Test
  void aTtlReleaseAfterRegisteringAgainAndUnregisteringAgainHappensOnceAtTheNewDeadline() {
    locks.registerClient(a.client(), "", Duration.ofSeconds(30));
    Lock held = grant(a.exclusive(0, 10));
    locks.unregisterClient(a.client());
    sched.advance(Duration.ofSeconds(20));
    locks.registerClient(a.client(), "", Duration.ofSeconds(30));
    locks.unregisterClient(a.client());

    sched.advance(Duration.ofSeconds(15)); // the first deadline passed: nothing happens
    assertThat(heldBy(a)).containsExactly(held);

    sched.advance(Duration.ofSeconds(16));
    assertThat(heldBy(a)).isEmpty();
    sched.advance(Duration.ofMinutes(5));
    assertThat(releasedOf(a)).hasSize(1);
    assertThat(eventsOf(LockEvent.ClientUnregistered.class)).hasSize(1);
  }

  @Test
  void unregisteringTwiceNeverReleasesTwice() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    grant(a.exclusive(0, 10));
    locks.unregisterClient(a.client());
    // the client comes back without registering, takes a lock, and a late duplicate unregister
    // arrives: it must not release the new lock
    Lock again = grant(a.exclusive(0, 10));
    locks.unregisterClient(a.client());

    assertThat(heldBy(a)).containsExactly(again);
    assertThat(releasedOf(a)).hasSize(1);
    assertThat(eventsOf(LockEvent.ClientUnregistered.class)).hasSize(1);
  }

  @Test
  void unregisteringTwiceWithATtlSchedulesOneRelease() {
    locks.registerClient(a.client(), "", Duration.ofSeconds(10));
    grant(a.exclusive(0, 10));
    grant(other.posix("nfs4:a").exclusive(0, 10));
    locks.unregisterClient(a.client());
    locks.unregisterClient(a.client());
    sched.advance(Duration.ofSeconds(60));

    assertThat(locks.lockCount()).isZero();
    assertThat(releasedOf(a)).hasSize(2); // one per file, once
    assertThat(eventsOf(LockEvent.ClientUnregistered.class))
        .containsExactly(new LockEvent.ClientUnregistered(a.client(), 2));
  }

  @Test
  void unregisteringAClientThatNeverRegisteredReleasesNothing() {
    Lock held = grant(a.exclusive(0, 10));
    locks.unregisterClient(a.client());
    assertThat(heldBy(a)).containsExactly(held);
    assertThat(releasedOf(a)).isEmpty();
  }

  // ---- client rebooted -----------------------------------------------------------------------

  @Test
  void clientRebootedReleasesAllOfItsStateNowAndLeavesOtherClientsAlone() {
    locks.registerClient(a.client(), "", Duration.ofSeconds(60));
    locks.registerClient(b.client(), "", Duration.ofSeconds(60));
    grant(a.exclusive(0, 10));
    grant(other.posix("nfs4:a").shared(0, 50));
    locks.open(a.open("R", ""));
    Lock byB = grant(b.shared(20, 10));
    ShareReservation openB = locks.open(b.open("R", ""));
    Lock byBElsewhere = grant(other.posix("nfs4:b").exclusive(100, 1));
    PendingLock waitingA = locks.lockBlocking(a.exclusive(20, 10), null);

    locks.clientRebooted(a.client());

    assertThat(locks.locks(on.file())).containsExactly(byB);
    assertThat(locks.locks(other.file())).containsExactly(byBElsewhere);
    assertThat(locks.opens(on.file())).containsExactly(openB);
    assertThatThrownBy(waitingA::poll)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
    assertThat(releasedOf(a))
        .extracting(LockEvent.Released::reason)
        .containsOnly(LockEvent.ReleaseReason.DISCONNECT)
        .hasSize(2);
    assertThat(releasedOf(b)).isEmpty();
    assertThat(eventsOf(LockEvent.ClientUnregistered.class))
        .containsExactly(new LockEvent.ClientUnregistered(a.client(), 3));
    checkEverything();
  }

  @Test
  void aFileLockedAgainAfterItsClientWasReleasedIsReleasedWithTheClientAgain() {
    // each owner's index on the file remembers that its client's file set holds the file; the
    // client's release takes the file out of the set, so every owner's memory of it must go
    locks.registerClient(a.client(), "", Duration.ofSeconds(60));
    grant(a.exclusive(0, 10));
    Lock byB = grant(b.shared(20, 10));
    locks.clientRebooted(a.client());
    locks.registerClient(a.client(), "", Duration.ofSeconds(60));
    grant(a.exclusive(0, 10));
    grant(b.shared(40, 10)); // b's turn in between: its own memory, not a's

    locks.clientRebooted(a.client());

    assertThat(heldBy(a)).isEmpty();
    assertThat(heldBy(b)).contains(byB).hasSize(2);
    checkEverything();
  }

  @Test
  void clientRebootedReleasesNowEvenWithAPendingTtl() {
    locks.registerClient(a.client(), "", Duration.ofSeconds(60));
    grant(a.exclusive(0, 10));
    locks.unregisterClient(a.client());
    locks.clientRebooted(a.client());
    assertThat(heldBy(a)).isEmpty();
    sched.advance(Duration.ofSeconds(61));
    assertThat(releasedOf(a)).hasSize(1);
  }

  // ---- releases wake waiters -----------------------------------------------------------------

  @Test
  void unregisterWakesWaitersOfOtherClients() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    grant(a.exclusive(0, 100));
    PendingLock waitingB = locks.lockBlocking(b.exclusive(10, 10), null);
    PendingLock waitingC = locks.lockBlocking(c.shared(50, 10), null);
    assertThat(waitingB.isDone()).isFalse();

    locks.unregisterClient(a.client());

    assertThat(waitingB.poll()).get().extracting(Lock::range).isEqualTo(ByteRange.of(10, 19));
    assertThat(waitingC.poll()).get().extracting(Lock::range).isEqualTo(ByteRange.of(50, 59));
    assertThat(heldBy(b)).hasSize(1);
    assertThat(heldBy(c)).hasSize(1);
    checkEverything();
  }

  @Test
  void clientRebootedWakesWaitersOfOtherClients() {
    grant(a.shared(0, 100));
    PendingLock waitingB = locks.lockBlocking(b.exclusive(0, 1), null);
    locks.clientRebooted(a.client());
    assertThat(waitingB.poll()).isPresent();
    checkEverything();
  }

  @Test
  void ttlExpiryWakesWaitersOfOtherClients() {
    locks.registerClient(a.client(), "", Duration.ofSeconds(5));
    grant(a.exclusive(0, 100));
    locks.unregisterClient(a.client());
    PendingLock waitingB = locks.lockBlocking(b.exclusive(0, 1), Duration.ofSeconds(30));
    sched.advance(Duration.ofSeconds(4));
    assertThat(waitingB.isDone()).isFalse();
    sched.advance(Duration.ofSeconds(2));
    assertThat(waitingB.poll()).isPresent();
    checkEverything();
  }

  // ---- keep-alive and courtesy ---------------------------------------------------------------

  @Test
  void aSilentRegisteredClientsConflictingLockIsRevokedAndTheRequestGranted() {
    locks.registerClient(a.client(), "", Duration.ofSeconds(60));
    Lock held = grant(a.exclusive(0, 100));
    sched.advance(LEASE.plusSeconds(1));

    LockResult res = locks.lock(b.exclusive(10, 10));

    assertThat(res.granted()).isTrue();
    assertThat(heldBy(a)).isEmpty();
    assertThat(releasedOf(a))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo(LockEvent.ReleaseReason.REVOKED);
              assertThat(e.removed()).containsExactly(held);
            });
    assertThat(eventsOf(LockEvent.Denied.class)).isEmpty();
    checkEverything();
  }

  @Test
  void courtesyRevocationTakesOnlyTheConflictingLocks() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    grant(a.exclusive(0, 10));
    Lock keep = grant(a.exclusive(100, 10));
    Lock keepShared = grant(a.shared(200, 10));
    sched.advance(LEASE.plusSeconds(1));

    assertThat(locks.lock(b.exclusive(5, 1)).granted()).isTrue();
    assertThat(locks.lock(c.shared(200, 10)).granted()).isTrue(); // shares, revokes nothing

    assertThat(heldBy(a)).containsExactly(keep, keepShared);
    assertThat(releasedOf(a)).hasSize(1);
    checkEverything();
  }

  @Test
  void aCourtesyClientStaysCourtesyAfterARevocation() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    grant(a.exclusive(0, 10));
    grant(a.exclusive(100, 10));
    sched.advance(LEASE.plusSeconds(1));

    assertThat(locks.lock(b.exclusive(0, 10)).granted()).isTrue();
    // revoking its state is not a request of the client: it is still silent, still courtesy
    assertThat(info(a.client())).get().extracting(ClientInfo::courtesy).isEqualTo(true);
    assertThat(locks.lock(c.exclusive(100, 10)).granted()).isTrue();

    assertThat(heldBy(a)).isEmpty();
    assertThat(releasedOf(a))
        .extracting(LockEvent.Released::reason)
        .containsExactly(LockEvent.ReleaseReason.REVOKED, LockEvent.ReleaseReason.REVOKED);
    checkEverything();
  }

  @Test
  void aBlockingRequestAgainstACourtesyClientIsGrantedAtOnce() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    grant(a.shared(0, 100));
    sched.advance(LEASE.plusSeconds(1));

    PendingLock p = locks.lockBlocking(b.exclusive(0, 100), null);

    assertThat(p.isDone()).isTrue();
    assertThat(p.poll()).isPresent();
    assertThat(heldBy(a)).isEmpty();
    checkEverything();
  }

  /**
   * A waiter blocked by a registered client is served when that client becomes a courtesy client,
   * before any other request (the cases are in {@link CourtesyWaitersTest}); a later request meets
   * no courtesy lock any more.
   */
  @Test
  void aWaiterBlockedByAClientThatFallsSilentIsGrantedWhenTheLeaseRunsOut() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    Lock held = grant(a.exclusive(0, 100));
    PendingLock waitingC = locks.lockBlocking(c.exclusive(50, 10), Duration.ofMinutes(5));
    sched.advance(LEASE.plusSeconds(1));

    assertThat(waitingC.poll()).get().extracting(Lock::range).isEqualTo(ByteRange.of(50, 59));
    assertThat(releasedOf(a))
        .singleElement()
        .satisfies(e -> assertThat(e.removed()).containsExactly(held));
    assertThat(locks.lock(b.exclusive(0, 10)).granted()).isTrue();
    assertThat(releasedOf(a)).hasSize(1);
    checkEverything();
  }

  @Test
  void aSilentClientsConflictingOpenIsClosedAndTheNewOpenGranted() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    ShareReservation held = locks.open(a.open("R", "W"));
    ShareReservation compatible = locks.open(c.open("R", ""));
    sched.advance(LEASE.plusSeconds(1));

    ShareReservation opened = locks.open(b.open("W", ""));

    assertThat(locks.opens(on.file())).containsExactlyInAnyOrder(compatible, opened);
    assertThat(eventsOf(LockEvent.Closed.class))
        .containsExactly(new LockEvent.Closed(held, LockEvent.ReleaseReason.REVOKED));
    assertThat(eventsOf(LockEvent.OpenDenied.class)).isEmpty();
    checkEverything();
  }

  @Test
  void anOpenConflictingWithAnActiveClientIsStillShareDenied() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    locks.open(a.open("R", "W"));
    sched.advance(LEASE.minusSeconds(1));
    assertThat(failure(() -> locks.open(b.open("W", ""))).code()).isEqualTo(ErrorCode.SHARE_DENIED);
  }

  @Test
  void aClientThatKeepsCallingKeepAliveIsNotRevoked() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    Lock held = grant(a.exclusive(0, 100));
    for (int i = 0; i < 5; i++) {
      sched.advance(LEASE.minusSeconds(10));
      locks.keepAlive(a.client());
    }
    sched.advance(LEASE.minusSeconds(10));

    LockResult res = locks.lock(b.exclusive(10, 10));

    assertThat(res).isEqualTo(new LockResult.Denied(held));
    assertThat(heldBy(a)).containsExactly(held);
    assertThat(info(a.client())).get().extracting(ClientInfo::courtesy).isEqualTo(false);
  }

  @Test
  void aClientsOwnRequestsRefreshItsLease() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    Lock held = grant(a.exclusive(0, 100));
    sched.advance(LEASE.minusSeconds(1));
    assertThat(locks.test(other.posix("nfs4:a").shared(0, 1))).isEmpty(); // a request of a
    sched.advance(LEASE.minusSeconds(1));

    assertThat(locks.lock(b.exclusive(10, 10)).granted()).isFalse();
    assertThat(heldBy(a)).containsExactly(held);
  }

  @Test
  void aClientWithinItsLeaseIsNotRevoked() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    Lock held = grant(a.exclusive(0, 100));
    sched.advance(LEASE);
    assertThat(locks.lock(b.exclusive(10, 10))).isEqualTo(new LockResult.Denied(held));
  }

  @Test
  void aClientThatNeverRegisteredIsNeverCourtesy() {
    Lock held = grant(a.exclusive(0, 100)); // NLM-style: no registration, no lease
    ShareReservation open = locks.open(a.open("R", "W"));
    sched.advance(LEASE.multipliedBy(10));

    assertThat(locks.lock(b.exclusive(10, 10))).isEqualTo(new LockResult.Denied(held));
    assertThat(failure(() -> locks.open(b.open("W", ""))).code()).isEqualTo(ErrorCode.SHARE_DENIED);
    assertThat(locks.test(b.exclusive(10, 10))).contains(held);
    assertThat(heldBy(a)).containsExactly(held);
    assertThat(locks.opens(on.file())).containsExactly(open);
    assertThat(info(a.client())).get().extracting(ClientInfo::courtesy).isEqualTo(false);
  }

  @Test
  void testReportsAGrantWhereLockWouldRevokeAndRevokesNothing() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    Lock held = grant(a.exclusive(0, 100));
    sched.advance(LEASE.plusSeconds(1));

    assertThat(locks.test(b.exclusive(10, 10))).isEmpty();
    assertThat(heldBy(a)).containsExactly(held);
    assertThat(releasedOf(a)).isEmpty();

    assertThat(locks.lock(b.exclusive(10, 10)).granted()).isTrue();
    assertThat(heldBy(a)).isEmpty();
  }

  @Test
  void aRequestFromTheCourtesyClientItselfEndsItsCourtesy() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    Lock held = grant(a.exclusive(0, 100));
    sched.advance(LEASE.plusSeconds(1));
    assertThat(info(a.client())).get().extracting(ClientInfo::courtesy).isEqualTo(true);

    grant(other.posix("nfs4:a").shared(0, 1));

    assertThat(info(a.client())).get().extracting(ClientInfo::courtesy).isEqualTo(false);
    assertThat(locks.lock(b.exclusive(10, 10))).isEqualTo(new LockResult.Denied(held));
  }

  // ---- listing and events --------------------------------------------------------------------

  @Test
  void clientsCountsEachClientsLocksWithThePerClientLimitOffToo() {
    // no counter is kept per client while its limit is off: the listing counts the tables
    LockManager m =
        LockManagers.builder()
            .scheduler(sched)
            .config(LockConfig.builder().maxLocksPerClient(0).build())
            .build();
    m.lock(a.exclusive(0, 10));
    m.lock(a.exclusive(20, 10));
    m.lock(other.posix("nfs4:a").shared(0, 0));
    m.lock(b.shared(100, 10));
    m.unlock(a.unlock(2, 3)); // a split: [0, 9] becomes [0, 1] and [5, 9]
    m.lock(a.exclusive(40, 10));
    m.unlock(a.unlock(40, 10));
    Map<LockClient, Long> counts = new HashMap<>();
    m.clients().forEach(i -> counts.put(i.client(), i.locks()));
    assertThat(counts).containsEntry(a.client(), 4L).containsEntry(b.client(), 1L);

    // turned on, the counters start from the records held and the limit holds from then on
    m.reconfigure(m.config().toBuilder().maxLocksPerClient(5).build());
    m.clients().forEach(i -> counts.put(i.client(), i.locks()));
    assertThat(counts).containsEntry(a.client(), 4L).containsEntry(b.client(), 1L);
    assertThat(m.lock(a.exclusive(60, 10)).granted()).isTrue();
    assertThatThrownBy(() -> m.lock(a.exclusive(80, 10)))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED))
        .hasMessageContaining("per-client");
    LockTableInvariants.check(m);
    m.close();
  }

  @Test
  void clientsListsEachClientWithItsLockCount() {
    locks.registerClient(a.client(), "10.0.0.1", Duration.ofSeconds(30));
    locks.registerClient(b.client(), "10.0.0.2", Duration.ZERO);
    grant(a.exclusive(0, 10));
    grant(a.exclusive(20, 10));
    grant(other.posix("nfs4:a").shared(0, 0));
    grant(b.shared(100, 10));
    grant(c.shared(200, 10)); // c never registered but holds state

    assertThat(info(a.client()))
        .get()
        .satisfies(
            i -> {
              assertThat(i.remoteAddress()).isEqualTo("10.0.0.1");
              assertThat(i.ttl()).isEqualTo(Duration.ofSeconds(30));
              assertThat(i.connected()).isTrue();
              assertThat(i.courtesy()).isFalse();
              assertThat(i.locks()).isEqualTo(3);
              assertThat(i.lastSeen()).isEqualTo(sched.now());
            });
    assertThat(info(b.client())).get().extracting(ClientInfo::locks).isEqualTo(1L);
    assertThat(info(c.client()))
        .get()
        .satisfies(
            i -> {
              assertThat(i.connected()).isFalse();
              assertThat(i.locks()).isEqualTo(1);
            });

    locks.unlock(a.unlock(0, 10));
    assertThat(info(a.client())).get().extracting(ClientInfo::locks).isEqualTo(2L);
  }

  @Test
  void clientsShowsSilenceDisconnectionAndForgetsReleasedClients() {
    locks.registerClient(a.client(), "", Duration.ofSeconds(30));
    locks.registerClient(b.client(), "", Duration.ZERO);
    grant(a.exclusive(0, 10));
    sched.advance(LEASE.plusSeconds(1));
    assertThat(info(a.client()))
        .get()
        .satisfies(
            i -> {
              assertThat(i.courtesy()).isTrue();
              assertThat(i.lastSeen()).isEqualTo(sched.now().minus(LEASE.plusSeconds(1)));
            });

    locks.unregisterClient(a.client());
    assertThat(info(a.client()))
        .get()
        .satisfies(
            i -> {
              assertThat(i.connected()).isFalse();
              assertThat(i.courtesy()).isFalse();
            });
    locks.unregisterClient(b.client());
    assertThat(info(b.client())).isEmpty(); // held nothing: forgotten
    sched.advance(Duration.ofSeconds(31));
    assertThat(info(a.client())).isEmpty();
  }

  @Test
  void registrationAndUnregistrationAreEvents() {
    locks.registerClient(a.client(), "10.0.0.1", Duration.ZERO);
    grant(a.exclusive(0, 10));
    locks.open(a.open("R", ""));
    locks.unregisterClient(a.client());

    assertThat(eventsOf(LockEvent.ClientRegistered.class))
        .containsExactly(new LockEvent.ClientRegistered(a.client(), "10.0.0.1"));
    assertThat(eventsOf(LockEvent.ClientUnregistered.class))
        .containsExactly(new LockEvent.ClientUnregistered(a.client(), 2));
  }

  @Test
  void releasesOfAClientAreDeletedFromTheStore() {
    locks.registerClient(a.client(), "", Duration.ZERO);
    grant(a.exclusive(0, 10));
    Lock byB = grant(b.exclusive(20, 10));
    locks.open(a.open("R", ""));
    assertThat(store.records()).hasSize(3);

    locks.unregisterClient(a.client());

    assertThat(store.records()).containsOnlyKeys(byB.id().toString());
    checkEverything();
  }
}
