package org.dittofs.metadata.store.postgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dittofs.metadata.store.postgres.PostgresServer.count;

import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.dittofs.metadata.store.postgres.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The life of a cluster across real JVMs over one PostgreSQL (docs/cluster.md, SPEC 8 and 11): the
 * grace period after the whole cluster restarted is entered once, at every node, every node accepts
 * reclaims of records made at any node of the last run, and it ends once for all; the total limit
 * holds for the nodes together, quota moves to the node that needs it and a killed node's records
 * stay counted; a client's limit is exact at its node after another node released some of its
 * locks.
 */
@ExtendWith(PostgresServer.class)
class ClusterLifeTest {
  private static final String REFUSED = "ERROR LOCK_LIMIT_EXCEEDED";

  @Test
  void aRestartedClusterEntersGraceOnceAndEveryNodeAcceptsReclaims() throws Exception {
    String db = "grace";
    String[] options = {"-Ddittofs.grace.seconds=300", "-Ddittofs.heartbeat.millis=300"};
    try (ClusterHarness last = ClusterHarness.start(db, 2, options)) {
      assertThat(last.node(0).send("lock A cA fa posix exclusive 0-9")).startsWith("GRANTED");
      assertThat(last.node(1).send("lock B cB fb posix exclusive 0-9")).startsWith("GRANTED");
      assertThat(last.node(1).send("lock B cB fb posix exclusive 20-29")).startsWith("GRANTED");
      last.node(0).kill();
      last.node(1).kill();
    }
    try (ClusterHarness h = ClusterHarness.start(db, 2, options)) {
      NodeProcess n0 = h.node(0);
      NodeProcess n1 = h.node(1);
      for (NodeProcess n : new NodeProcess[] {n0, n1}) {
        assertThat(n.send("grace"))
            .isEqualTo("GRACE on expected=2 completed=0 restored=3 reclaimed=0");
        assertThat(n.send("lock N cN fn posix exclusive 0-0")).isEqualTo("ERROR GRACE_PERIOD");
      }
      // each node reclaims a lock the other node of the last run made
      assertThat(n1.send("reclaim A cA fa posix exclusive 0-9")).startsWith("GRANTED");
      assertThat(n0.send("reclaim B cB fb posix exclusive 0-9")).startsWith("GRANTED");
      assertThat(n0.send("reclaimdone cA")).isEqualTo("OK");
      assertThat(n1.send("grace"))
          .isEqualTo("GRACE on expected=2 completed=1 restored=3 reclaimed=2");
      assertThat(n1.send("reclaimdone cB")).isEqualTo("OK"); // the last expected client: over
      assertThat(n1.send("grace")).startsWith("GRACE off");
      assertThat(n1.send("lock N cN fn posix exclusive 0-0")).startsWith("GRANTED");
      // the other node heard of it; cB's lock that nobody reclaimed is gone
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String answer;
      while (!(answer = n0.send("lock M cM fm posix exclusive 0-0")).startsWith("GRANTED")) {
        assertThat(answer).isEqualTo("ERROR GRACE_PERIOD");
        assertThat(System.nanoTime()).as("n0 left grace").isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(50);
      }
      assertThat(n0.send("locks fb")).isEqualTo("LOCKS B@cB:EXCLUSIVE:POSIX:0-9");
      assertThat(n0.send("locks fa")).isEqualTo("LOCKS A@cA:EXCLUSIVE:POSIX:0-9");
      assertThat(
              count(
                  PostgresServer.dataSource(db),
                  "SELECT count(*) FROM locks WHERE epoch < (SELECT epoch FROM server_state)"))
          .isZero();
    }
  }

  @Test
  void theLimitsHoldForTheNodesTogether() throws Exception {
    String db = "limits";
    DataSource raw = PostgresServer.dataSource(db);
    try (ClusterHarness h =
        ClusterHarness.start(
            db,
            2,
            "-Ddittofs.total.max=12",
            "-Ddittofs.client.max=3",
            "-Ddittofs.heartbeat.millis=300")) {
      NodeProcess n0 = h.node(0);
      NodeProcess n1 = h.node(1);
      // per client, at the client's node, after another node released two of its locks
      assertThat(n0.send("register p 0")).isEqualTo("OK");
      for (String r : new String[] {"0-0", "2-2", "4-4"}) {
        assertThat(n0.send("lock P p fp posix exclusive " + r)).startsWith("GRANTED");
      }
      assertThat(n0.send("lock P p fq posix exclusive 0-0")).isEqualTo(REFUSED);
      assertThat(n1.send("unlock P fp posix 0-0")).isEqualTo("OK");
      assertThat(n1.send("unlock P fp posix 2-2")).isEqualTo("OK");
      assertThat(n0.send("lock P p fq posix exclusive 0-0")).startsWith("GRANTED");
      assertThat(n0.send("lock P p fq posix exclusive 2-2")).startsWith("GRANTED");
      assertThat(n0.send("lock P p fq posix exclusive 4-4")).isEqualTo(REFUSED);
      // the total (3 records so far): n0 takes 5, n1 gets what is left of 12 and no more
      assertThat(grants(n0, "a", 0, 5)).isEqualTo(5);
      assertThat(grants(n1, "b", 0, 6)).isEqualTo(4);
      assertThat(n0.send("unlock a0 ga0 posix 0-0")).isEqualTo("OK");
      assertThat(n0.send("unlock a1 ga1 posix 0-0")).isEqualTo("OK");
      assertThat(grants(n1, "b", 6, 3)).isEqualTo(2); // what n0 released, by way of n0
      assertThat(n1.send("count")).isEqualTo("COUNT 12");
      // n0 dies holding 6 records: they stay counted, its unused quota comes back
      n0.kill();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (count(raw, "SELECT count(*) FROM cluster_nodes WHERE node = 'n0' AND quota <> 0")
              + count(
                  raw,
                  "SELECT count(*) FROM cluster_usage WHERE node_key ="
                      + " (SELECT key FROM cluster_nodes WHERE node = 'n0')")
          > 0) {
        assertThat(System.nanoTime()).as("n0's quota was folded").isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(100);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(n1.send("unlock b" + i + " gb" + i + " posix 0-0")).isEqualTo("OK");
      }
      assertThat(grants(n1, "c", 0, 4)).isEqualTo(3);
      assertThat(n1.send("count")).isEqualTo("COUNT 12");
      assertThat(count(raw, "SELECT count(*) FROM locks WHERE kind = 'LOCK'")).isEqualTo(12);
    }
  }

  /** Tries {@code n} locks (owner, client and file named after {@code prefix}); returns grants. */
  private static int grants(NodeProcess node, String prefix, int from, int n) {
    int granted = 0;
    for (int i = from; i < from + n; i++) {
      String o = prefix + i;
      String a = node.send("lock " + o + " " + o + " g" + o + " posix exclusive 0-0");
      if (a.startsWith("GRANTED")) {
        granted++;
      } else {
        assertThat(a).isEqualTo(REFUSED);
      }
    }
    return granted;
  }
}
