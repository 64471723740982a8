package org.dittofs.metadata.store.postgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dittofs.metadata.store.postgres.cluster.Probes.await;
import static org.dittofs.metadata.store.postgres.cluster.Probes.number;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.store.jdbc.ClusteredJdbcStore;
import org.dittofs.metadata.store.postgres.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Courtesy across nodes over PostgreSQL (docs/cluster.md, SPEC 9): two nodes in this JVM, client A
 * registered at n0 with a lease of 1 s. Once its lease ran out at n0 (n0 marks it in {@code
 * cluster_clients.courtesy_at}), B's conflicting request at n1 revokes A's lock and is granted, the
 * revocation is published at n1, and n0 learns that A lost it; a request of A at n0 clears the mark
 * before it is answered, after which n1 refuses B again. Waits for the lease are polled and
 * bounded; no assertion depends on a duration (the lease is made an hour before the renewal is
 * checked).
 */
@ExtendWith(PostgresServer.class)
class ClusterCourtesyOnPostgresTest {
  private static final LockClient A = new LockClient("a", "t");
  private static final LockClient B = new LockClient("b", "t");

  /** A lease of 1 s (shared with ClusterDeadNodeCourtesyTest). */
  static final LockConfig SHORT_LEASE =
      LockConfig.DEFAULTS.toBuilder().leaseTime(Duration.ofSeconds(1)).build();

  /** Client {@code c}'s POSIX exclusive lock of bytes {@code first..last} of {@code file}. */
  static LockRequest exclusive(String file, LockClient c, long first, long last) {
    return LockRequest.builder(FileHandle.of(file), LockOwner.of("o-" + c.id()))
        .share("s")
        .client(c)
        .posix()
        .type(LockType.EXCLUSIVE)
        .range(ByteRange.of(first, last))
        .build();
  }

  /**
   * A manager of node store {@code s} with {@link #SHORT_LEASE} that adds its events to {@code
   * events}.
   */
  static LockManager listened(ClusteredJdbcStore s, List<LockEvent> events) {
    return LockManagers.builder()
        .config(SHORT_LEASE)
        .cluster(s.lockCluster())
        .listener(events::add)
        .build();
  }

  /**
   * Polls {@code req} (client B's, owner {@code o-b}) at {@code n} until it is granted, its
   * conflicting holder lapsed; asserts the grant is B's and that {@code events} hold one release,
   * the holder's revocation.
   */
  static void grantedOnceLapsed(LockManager n, LockRequest req, List<LockEvent> events)
      throws InterruptedException {
    LockResult got =
        await(
            () -> {
              LockResult r = n.lock(req);
              return r.granted() ? r : null;
            });
    assertThat(((LockResult.Granted) got).lock().owner().id()).isEqualTo("o-b");
    assertThat(events)
        .filteredOn(LockEvent.Released.class::isInstance)
        .map(e -> ((LockEvent.Released) e).reason())
        .containsExactly(LockEvent.ReleaseReason.REVOKED);
  }

  @Test
  void aLapsedClientOfOneNodeIsRevokedAtTheOtherUntilItIsHeardAgain() throws Exception {
    ClusterDatabase db = ClusterDatabase.named("courtesy");
    DataSource raw = db.raw();
    List<LockEvent> events1 = new CopyOnWriteArrayList<>();
    try (ClusteredJdbcStore s0 = db.node("n0");
        ClusteredJdbcStore s1 = db.node("n1");
        LockManager n0 =
            LockManagers.builder().config(SHORT_LEASE).cluster(s0.lockCluster()).build();
        LockManager n1 = listened(s1, events1)) {
      n0.registerClient(A, "10.0.0.1", Duration.ZERO);
      assertThat(n0.lock(exclusive("f", A, 0, 99)).granted()).isTrue();

      // B at n1 is refused while A's lease runs, and granted once n0 said A is a courtesy client
      grantedOnceLapsed(n1, exclusive("f", B, 10, 19), events1);
      assertThat(number(raw, "SELECT count(*) FROM locks WHERE client_id = 'a'")).isZero();
      assertThat(number(raw, "SELECT count(*) FROM locks WHERE client_id = 'b'")).isOne();
      await(() -> locksOf(n0, A) == 0 ? Boolean.TRUE : null); // n0 was told: A lost it

      // A is heard again: the mark is cleared before its request is answered
      assertThat(n0.lock(exclusive("g", A, 0, 99)).granted()).isTrue();
      await(() -> number(raw, COURTESY_OF_A) == 1 ? Boolean.TRUE : null); // silent again
      n0.reconfigure(SHORT_LEASE.toBuilder().leaseTime(Duration.ofHours(1)).build());
      n0.keepAlive(A);
      assertThat(number(raw, COURTESY_OF_A)).isZero();
      assertThat(n1.lock(exclusive("g", B, 10, 19)).granted()).isFalse();
    }
  }

  private static final String COURTESY_OF_A =
      "SELECT count(*) FROM cluster_clients WHERE client_id = 'a' AND courtesy_at IS NOT NULL";

  private static long locksOf(LockManager n, LockClient c) {
    return n.clients().stream()
        .filter(i -> i.client().equals(c))
        .mapToLong(ClientInfo::locks)
        .sum();
  }
}
