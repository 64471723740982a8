package org.dittofs.metadata.store.postgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dittofs.metadata.store.postgres.PostgresServer.count;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.dittofs.metadata.store.postgres.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node killed with SIGKILL in the middle of traffic (docs/cluster.md, "Nodes, partitions"): three
 * nodes in child JVMs (lease 5 s, heartbeat 300 ms), two of them fighting over one file while a
 * watch reads the database for two owners holding conflicting locks at one moment ({@link
 * ConflictWatch}), and each owner checks its granted locks are in the database ({@link
 * MutualExclusion}); then one node is killed. Its client that registers at the idle survivor within
 * the lease keeps its lock (a node answers its commands one at a time, so a busy survivor would
 * register it only after its traffic: failover); its other clients' state, its workers' locks and
 * its queued request are gone after the lease, released by a survivor; nobody is granted on behalf
 * of the dead waiter; the survivors' traffic finishes with no violation and no error; the watch
 * never saw a conflict.
 */
@ExtendWith(PostgresServer.class)
class ClusterNodeLossTest {
  private static final String[] OPTIONS = {
    "-Ddittofs.lease.seconds=5", "-Ddittofs.heartbeat.millis=300"
  };

  @Test
  void aKilledNodesClientsFailOverOrExpireAndNothingAcknowledgedIsLost() throws Exception {
    String db = "nodeloss";
    DataSource raw = PostgresServer.dataSource(db);
    try (ClusterHarness h = ClusterHarness.start(db, 3, OPTIONS);
        ConflictWatch watch = new ConflictWatch(raw)) {
      NodeProcess n0 = h.node(0);
      NodeProcess n1 = h.node(1);
      NodeProcess victim = h.node(2);
      // the victim's clients: one will fail over, one will not
      granted(victim, "F0", "cFail", "fo");
      granted(victim, "G0", "cGone", "gone");
      // a survivor's lock, and a request of the victim queued behind it
      granted(n0, "S0", "cS0", "held");
      assertThat(victim.send("register cV0 0")).isEqualTo("OK");
      assertThat(victim.send("block v V0 cV0 held posix exclusive 0-0 600000"))
          .isEqualTo("PENDING");

      List<CompletableFuture<String>> traffic = new ArrayList<>();
      for (NodeProcess n : List.of(n0, victim)) {
        traffic.add(
            CompletableFuture.supplyAsync(() -> n.send("exclusive hot " + n.node() + " 3 300")));
      }
      TimeUnit.MILLISECONDS.sleep(1500); // well into the traffic
      victim.kill();
      assertThat(n1.send("register cFail 0")).isEqualTo("OK"); // failover, within the lease

      String r = traffic.get(0).get(120, TimeUnit.SECONDS); // the survivor's; the victim's died
      String[] w = r.split(" ");
      assertThat(w[0]).as(r).isEqualTo("EXCLUSIVE");
      assertThat(Long.parseLong(w[3])).as("violations: " + r).isZero();
      assertThat(Long.parseLong(w[4])).as("errors: " + r).isZero();

      // after the lease: the victim's state that did not fail over is gone, released by a survivor
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (count(
                  raw,
                  "SELECT count(*) FROM locks WHERE client_id IN ('cGone')"
                      + " OR client_id LIKE 'n2-%'")
              > 0
          || count(raw, "SELECT count(*) FROM lock_waiters WHERE node = 'n2'") > 0) {
        assertThat(System.nanoTime())
            .as("the dead node's state outlived its lease")
            .isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(100);
      }
      // the client that failed over kept its lock, and releases it at its new node
      released(n1, n0, "F0", "cFail", "fo");
      // the survivor's lock is intact, and nobody is granted for the dead waiter
      released(n0, n1, "S0", "cS0", "held");
      assertThat(n1.send("locks gone")).isEqualTo("LOCKS");
      assertThat(watch.reads()).isPositive();
      assertThat(watch.found()).isEmpty();
    }
  }

  /** Registers {@code client} at node {@code n}, whose owner is then granted bytes 0-9 of file. */
  private static void granted(NodeProcess n, String owner, String client, String file) {
    assertThat(n.send("register " + client + " 0")).isEqualTo("OK");
    assertThat(n.send("lock " + owner + " " + client + " " + file + " posix exclusive 0-9"))
        .startsWith("GRANTED");
  }

  /**
   * The exclusive lock of {@code owner} on bytes 0-9 of {@code file}, seen at node {@code seen}, is
   * released at node {@code releasing}; {@code seen} lists no lock on the file after it.
   */
  private static void released(
      NodeProcess releasing, NodeProcess seen, String owner, String client, String file) {
    assertThat(seen.send("locks " + file))
        .isEqualTo("LOCKS " + owner + "@" + client + ":EXCLUSIVE:POSIX:0-9");
    assertThat(releasing.send("unlock " + owner + " " + file + " posix 0-9")).isEqualTo("OK");
    assertThat(seen.send("locks " + file)).isEqualTo("LOCKS");
  }
}
