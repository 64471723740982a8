package org.dittofs.metadata.store.postgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dittofs.metadata.store.postgres.cluster.ClusterCourtesyOnPostgresTest.SHORT_LEASE;
import static org.dittofs.metadata.store.postgres.cluster.ClusterCourtesyOnPostgresTest.exclusive;
import static org.dittofs.metadata.store.postgres.cluster.ClusterCourtesyOnPostgresTest.grantedOnceLapsed;
import static org.dittofs.metadata.store.postgres.cluster.ClusterCourtesyOnPostgresTest.listened;
import static org.dittofs.metadata.store.postgres.cluster.Probes.await;
import static org.dittofs.metadata.store.postgres.cluster.Probes.number;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.dittofs.metadata.store.jdbc.ClusteredJdbcStore;
import org.dittofs.metadata.store.postgres.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Courtesy of a dead node's clients (docs/cluster.md, SPEC 9, "Nodes, partitions"): a client of a
 * node found dead counts as a courtesy client at every live node once its lease has run out since
 * the death was found ({@code cluster_clients.orphaned_at}), before any node's heartbeat takes it
 * over; until then its state is refused to others as the lease of a live client is.
 *
 * <p>Two clients of n0: LONG registered with a ttl of an hour (its stored lease is an hour), SHORT
 * with the configured lease of 1 s. n0's timers are on virtual time that never moves, so n0 never
 * marks either of them itself ({@code courtesy_at} stays empty). n0 stops (its manager closes, its
 * clients' state stays in the database): to the other nodes a node whose liveness lock is gone is
 * dead, whether it crashed (ClusterNodeLossTest) or stopped. n2 is live throughout (joined, never
 * beating), so the cluster does not restart. n1 then joins with a heartbeat of an hour: its first
 * heartbeat declares n0 dead and marks both clients orphaned, and no later heartbeat of n1 takes
 * them over during the test. B's conflicting request at n1 is refused against LONG (its lease since
 * the death runs for an hour) and, polled, granted against SHORT, revoking SHORT's lock with a
 * REVOKED event at n1 while SHORT stays n0's orphaned client (revoked as a courtesy client, not
 * released by a take-over). No assertion depends on a duration.
 */
@ExtendWith(PostgresServer.class)
class ClusterDeadNodeCourtesyTest {
  private static final LockClient LONG = new LockClient("long", "t");
  private static final LockClient SHORT = new LockClient("short", "t");
  private static final LockClient B = new LockClient("b", "t");
  private static final Duration HOUR = Duration.ofHours(1);

  @Test
  void aDeadNodesClientIsRevokedOnceItsLeaseRanOutSinceTheDeathAndRefusedBefore() throws Exception {
    ClusterDatabase db = ClusterDatabase.named("dead_courtesy");
    DataSource raw = db.raw();
    List<LockEvent> events1 = new CopyOnWriteArrayList<>();
    try (ClusteredJdbcStore s0 = db.node("n0", HOUR);
        LockManager n0 =
            LockManagers.builder()
                .config(SHORT_LEASE)
                .scheduler(new ManualScheduler())
                .cluster(s0.lockCluster())
                .build();
        ClusteredJdbcStore s2 = db.node("n2", HOUR)) {
      LockCluster bystander = s2.lockCluster();
      bystander.join(Duration.ZERO); // live, never beating: n1 joins a running cluster later
      n0.registerClient(LONG, "10.0.0.1", HOUR);
      n0.registerClient(SHORT, "10.0.0.2", Duration.ZERO);
      assertThat(n0.lock(exclusive("long", LONG, 0, 99)).granted()).isTrue();
      assertThat(n0.lock(exclusive("short", SHORT, 0, 99)).granted()).isTrue();

      // n0 stops: its liveness lock goes, and to the other nodes it is dead (whether it crashed
      // or left: ClusterMembership.LIVE_NODES); its clients' state stays in the database
      n0.close();
      await(() -> number(raw, LIVE_N0) == 0 ? Boolean.TRUE : null);
      assertThat(number(raw, "SELECT count(*) FROM locks")).isEqualTo(2);

      try (ClusteredJdbcStore s1 = db.node("n1", HOUR);
          LockManager n1 = listened(s1, events1)) {
        // n1's first heartbeat declares n0 dead and marks its clients orphaned
        await(() -> number(raw, ORPHANED) == 2 ? Boolean.TRUE : null);
        assertThat(number(raw, "SELECT count(*) FROM cluster_nodes WHERE dead_at IS NOT NULL"))
            .isOne();

        // LONG's lease since the death runs for an hour: refused as a live client's lock
        assertThat(n1.lock(exclusive("long", B, 10, 19)).granted()).isFalse();
        assertThat(number(raw, "SELECT count(*) FROM locks WHERE client_id = 'long'")).isOne();

        // SHORT's lease runs out 1 s after the death: then B's request revokes its lock
        grantedOnceLapsed(n1, exclusive("short", B, 10, 19), events1);
        assertThat(number(raw, "SELECT count(*) FROM locks WHERE client_id = 'short'")).isZero();
        // revoked as a courtesy client of the dead node: neither marked by n0 nor taken over
        assertThat(
                number(
                    raw,
                    "SELECT count(*) FROM cluster_clients WHERE node = 'n0' AND release_at IS NULL"
                        + " AND courtesy_at IS NULL AND orphaned_at IS NOT NULL"))
            .isEqualTo(2);

        // LONG is still refused: its lease since the death has not run out
        assertThat(n1.lock(exclusive("long", B, 10, 19)).granted()).isFalse();
        assertThat(number(raw, "SELECT count(*) FROM locks WHERE client_id = 'long'")).isOne();
      } finally {
        bystander.leave();
      }
    }
  }

  private static final String LIVE_N0 =
      "SELECT count(*) FROM pg_locks l JOIN cluster_nodes n ON l.objid = n.key::oid"
          + " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 2002 AND l.objsubid = 2"
          + " AND n.node = 'n0'";

  private static final String ORPHANED =
      "SELECT count(*) FROM cluster_clients WHERE node = 'n0' AND orphaned_at IS NOT NULL";
}
