package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.Requests;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Courtesy clients in a cluster (docs/cluster.md, SPEC 9), on two nodes sharing an {@link
 * InMemoryLockCluster} and one virtual clock. Client A belongs to node n0; the other owners'
 * requests arrive at n1. The courtesy scenarios of the single-node contract ({@code ClientsTest},
 * {@code CourtesyWaitersTest}) hold across the nodes: once A's lease ran out at n0, a conflicting
 * request at n1 revokes A's conflicting state and is granted (the same events as on one node, at
 * the node that decides), a waiter at n1 is granted at that moment, a test reports the grant, opens
 * are closed; A's node learns it (its count of A's locks drops); a request of A at n0 ends its
 * courtesy at every node; a client that failed over is not revoked by the node it left.
 */
class ClusterCourtesyTest {
  private static final Duration LEASE = Duration.ofSeconds(10);
  private static final Duration NS = Duration.ofNanos(1);

  private final ManualScheduler clock = new ManualScheduler();
  private final InMemoryLockCluster cluster = new InMemoryLockCluster(clock::nanoTime);
  private final List<LockEvent> events0 = new CopyOnWriteArrayList<>();
  private final List<LockEvent> events1 = new CopyOnWriteArrayList<>();
  private final LockManager n0 = node("n0", events0);
  private final LockManager n1 = node("n1", events1);

  private final Requests on = Requests.on("f");
  private final Requests.Owner a = on.posix("nfs4:a");
  private final Requests.Owner b = on.posix("nfs4:b");
  private final Requests.Owner c = on.posix("nfs4:c");

  @AfterEach
  void close() {
    n0.close();
    n1.close();
  }

  private LockManager node(String id, List<LockEvent> events) {
    return LockManagers.builder()
        .scheduler(clock)
        .config(LockConfig.DEFAULTS.toBuilder().leaseTime(LEASE).build())
        .cluster(cluster.node(id))
        .listener(events::add)
        .build();
  }

  private Lock grant(LockManager n, org.dittofs.metadata.lock.LockRequest r) {
    LockResult res = n.lock(r);
    assertThat(res.granted()).as("grant of %s", r).isTrue();
    return ((LockResult.Granted) res).lock();
  }

  /** A registered at n0 holds {@code held}; then silent for longer than the lease. */
  private Lock heldByALapsed(org.dittofs.metadata.lock.LockRequest r) {
    n0.registerClient(a.client(), "10.0.0.1", null);
    Lock held = grant(n0, r);
    clock.advance(LEASE.plus(NS));
    return held;
  }

  private long locksOfAAtN0() {
    return n0.clients().stream()
        .filter(i -> i.client().equals(a.client()))
        .mapToLong(ClientInfo::locks)
        .sum();
  }

  private List<LockEvent.Released> revokedAt(List<LockEvent> events) {
    return events.stream()
        .filter(LockEvent.Released.class::isInstance)
        .map(LockEvent.Released.class::cast)
        .filter(e -> e.reason() == LockEvent.ReleaseReason.REVOKED)
        .toList();
  }

  @Test
  void aLapsedClientIsRevokedAtItsNode() {
    heldByALapsed(a.exclusive(0, 10));
    assertThat(n0.lock(b.exclusive(0, 10))).isInstanceOf(LockResult.Granted.class);
  }

  @Test
  void aLapsedClientIsRevokedByAConflictingRequestAtAnotherNode() {
    Lock held = heldByALapsed(a.exclusive(0, 100));
    assertThat(locksOfAAtN0()).isEqualTo(1);

    Lock got = grant(n1, b.exclusive(10, 10));

    assertThat(n1.locks(on.file())).containsExactly(got);
    assertThat(revokedAt(events1))
        .singleElement()
        .satisfies(e -> assertThat(e.removed()).containsExactly(held));
    assertThat(revokedAt(events0)).as("published once, where decided").isEmpty();
    clock.advance(Duration.ZERO); // n0 handles the notification: it reloads the file
    assertThat(locksOfAAtN0()).as("A's node learns that A lost the lock").isZero();
    assertThat(n0.locks(on.file())).containsExactly(got);
  }

  @Test
  void onlyTheConflictingLocksAreRevokedAndTheClientStaysCourtesy() {
    n0.registerClient(a.client(), "", null);
    grant(n0, a.exclusive(0, 10));
    Lock keep = grant(n0, a.exclusive(100, 10));
    Lock keepShared = grant(n0, a.shared(200, 10));
    clock.advance(LEASE.plus(NS));

    assertThat(n1.lock(b.exclusive(5, 1)).granted()).isTrue();
    assertThat(n1.lock(c.shared(200, 10)).granted()).isTrue(); // shares: revokes nothing
    assertThat(n1.locks(on.file()))
        .filteredOn(l -> l.owner().equals(a.owner()))
        .containsExactlyInAnyOrder(keep, keepShared);
    // revoking its state is not a request of the client: it is still courtesy, at every node
    assertThat(n1.lock(c.exclusive(100, 10)).granted()).isTrue();
    assertThat(revokedAt(events1)).hasSize(2);
  }

  @Test
  void aWaiterAtAnotherNodeIsGrantedWhenTheBlockersLeaseRunsOut() {
    n0.registerClient(a.client(), "", null);
    Lock held = grant(n0, a.exclusive(0, 100));
    PendingLock p = n1.lockBlocking(b.exclusive(50, 10), Duration.ofMinutes(5));
    assertThat(p.isDone()).isFalse();

    clock.advance(LEASE);
    assertThat(p.isDone()).as("not before the lease ran out").isFalse();
    clock.advance(NS);

    assertThat(p.poll()).get().extracting(Lock::range).isEqualTo(ByteRange.of(50, 59));
    assertThat(n1.locks(on.file())).extracting(Lock::owner).containsExactly(b.owner());
    assertThat(revokedAt(events0))
        .singleElement()
        .satisfies(e -> assertThat(e.removed()).containsExactly(held));
  }

  @Test
  void aBlockingRequestAtAnotherNodeAgainstACourtesyClientIsGrantedAtOnce() {
    heldByALapsed(a.shared(0, 100));
    PendingLock p = n1.lockBlocking(b.exclusive(0, 100), null);
    assertThat(p.isDone()).isTrue();
    assertThat(p.poll()).isPresent();
  }

  @Test
  void aTestAtAnotherNodeReportsTheGrantAndRevokesNothing() {
    Lock held = heldByALapsed(a.exclusive(0, 100));
    assertThat(n1.test(b.exclusive(10, 10))).isEmpty();
    assertThat(n1.locks(on.file())).containsExactly(held);
    assertThat(revokedAt(events1)).isEmpty();
  }

  @Test
  void aLapsedClientsConflictingOpenIsClosedForAnOpenAtAnotherNode() {
    n0.registerClient(a.client(), "", null);
    ShareReservation held = n0.open(a.open("R", "W"));
    ShareReservation compatible = n0.open(c.open("R", ""));
    clock.advance(LEASE.plus(NS));

    ShareReservation opened = n1.open(b.open("W", ""));

    assertThat(n1.opens(on.file())).containsExactlyInAnyOrder(compatible, opened);
    assertThat(events1)
        .filteredOn(LockEvent.Closed.class::isInstance)
        .containsExactly(new LockEvent.Closed(held, LockEvent.ReleaseReason.REVOKED));
  }

  @Test
  void aClientWithinItsLeaseIsNotRevokedAtAnotherNode() {
    n0.registerClient(a.client(), "", null);
    Lock held = grant(n0, a.exclusive(0, 100));
    clock.advance(LEASE);
    assertThat(n1.lock(b.exclusive(10, 10))).isEqualTo(new LockResult.Denied(held));
    ShareReservation open = n0.open(a.open("R", "W"));
    assertThat(shareDenied(() -> n1.open(b.open("W", "")))).isTrue();
    assertThat(n0.opens(on.file())).containsExactly(open);
  }

  @Test
  void aRequestOfTheClientAtItsNodeEndsItsCourtesyEverywhere() {
    Lock held = heldByALapsed(a.exclusive(0, 100));
    grant(n0, on.posix("nfs4:a").shared(200, 1)); // a request of A (same client)
    assertThat(n1.lock(b.exclusive(10, 10))).isEqualTo(new LockResult.Denied(held));
  }

  @Test
  void aKeepAliveAtItsNodeEndsItsCourtesyEverywhere() {
    Lock held = heldByALapsed(a.exclusive(0, 100));
    n0.keepAlive(a.client());
    assertThat(n1.lock(b.exclusive(10, 10))).isEqualTo(new LockResult.Denied(held));
    clock.advance(LEASE.plus(NS)); // silent again
    assertThat(n1.lock(b.exclusive(10, 10)).granted()).isTrue();
  }

  @Test
  void aClientThatNeverRegisteredIsNeverCourtesyAtAnyNode() {
    Lock held = grant(n0, a.exclusive(0, 100)); // NLM-style: no registration, no lease
    clock.advance(LEASE.multipliedBy(10));
    assertThat(n1.lock(b.exclusive(10, 10))).isEqualTo(new LockResult.Denied(held));
    assertThat(n1.test(b.exclusive(10, 10))).contains(held);
  }

  @Test
  void anUnregisteredClientWithATtlPendingIsNotCourtesyAtAnotherNode() {
    n0.registerClient(a.client(), "", Duration.ofMinutes(10));
    Lock held = grant(n0, a.exclusive(0, 100));
    clock.advance(LEASE.plus(NS)); // marked courtesy
    n0.unregisterClient(a.client()); // its release is pending for the ttl: no lease, no courtesy
    assertThat(n1.lock(b.exclusive(10, 10))).isEqualTo(new LockResult.Denied(held));
  }

  @Test
  void aClientThatFailedOverIsNotRevokedByTheNodeItLeft() {
    n0.registerClient(a.client(), "10.0.0.1", null);
    Lock held = grant(n0, a.exclusive(0, 10));
    n1.registerClient(a.client(), "10.0.0.1", null); // failover: A lives at n1 now
    clock.advance(Duration.ofSeconds(9));
    n1.keepAlive(a.client());
    clock.advance(Duration.ofSeconds(2)); // n0 has not heard from A for longer than its lease
    assertThat(n0.lock(b.exclusive(0, 10))).isEqualTo(new LockResult.Denied(held));
    assertThat(n1.locks(on.file())).hasSize(1);
  }

  @Test
  void aClientThatFailedOverIsRevokedOnceItsLeaseRunsOutAtItsNewNode() {
    n0.registerClient(a.client(), "10.0.0.1", null);
    grant(n0, a.exclusive(0, 10));
    n1.registerClient(a.client(), "10.0.0.1", null);
    clock.advance(LEASE.plus(NS));
    assertThat(n0.lock(b.exclusive(0, 10)).granted()).isTrue();
  }

  private static boolean shareDenied(Runnable r) {
    try {
      r.run();
      return false;
    } catch (StoreError e) {
      return e.code() == ErrorCode.SHARE_DENIED;
    }
  }
}
