package org.dittofs.metadata.runnable;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.dittofs.metadata.metrics.testing.PrometheusText;
import org.dittofs.metadata.store.postgres.LocalPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "two nodes on one machine against one PostgreSQL", run as written: one PostgreSQL
 * server (embedded here, instead of {@code initdb}/{@code pg_ctl}) with the database {@code
 * dittofs}, then the runnable jar started twice in one working directory with the README's
 * properties ({@code -Ddittofs.cluster.url}, {@code .user=postgres}, {@code .node=node-1} and
 * {@code node-2}; only the HTTP ports are free ones instead of 8081 and 8082). What the README
 * shows must hold, through the runnable's own interfaces (its Gogo shell and {@code /metrics}):
 * alice's lock taken at node-1 refuses bob at node-2 and is listed there, {@code cluster:nodes}
 * lists both nodes live, each node's metrics name it and count two live nodes; a release at one
 * node lets the other grant. Both stopped with Ctrl-D (end of input) exit 0; one started again
 * finds alice's lock left, is in the cluster's grace period, refuses bob with GRACE_PERIOD, takes
 * alice's reclaim and ends grace at {@code lock:complete alice}. Waits poll with a deadline.
 */
class ClusterRunnableIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  static EmbeddedPostgres pg;

  @BeforeAll
  static void postgres() throws IOException {
    pg = EmbeddedPostgres.builder().start();
    // README: psql ... -c "CREATE DATABASE dittofs"
    LocalPostgres.ensureDatabase(pg, "dittofs");
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    if (pg != null) {
      pg.close();
    }
  }

  /** The README's command line of one node, less the HTTP port (a free one). */
  private static String[] node(String id) {
    return new String[] {
      "-Ddittofs.cluster.url=" + new LocalPostgres(pg.getPort()).url("dittofs"),
      "-Ddittofs.cluster.user=" + LocalPostgres.USER,
      "-Ddittofs.cluster.node=" + id
    };
  }

  @Test
  void twoNodesShareOneLockSpaceAndTheRestartedClusterIsInGrace() throws Exception {
    try (RunningServer node1 = RunningServer.start(dir, "node-1", node("node-1"));
        RunningServer node2 = RunningServer.start(dir, "node-2", node("node-2"))) {
      assertThat(node1.answer("lock:acquire alice report.txt 0 100", "alice report.txt"))
          .contains("GRANTED  alice report.txt [0, 99] EXCLUSIVE POSIX, id 1.1");
      assertThat(node2.answer("lock:acquire bob report.txt 50 10", "bob report.txt"))
          .contains(
              "REFUSED  bob report.txt [50, 59] EXCLUSIVE POSIX: conflicts with EXCLUSIVE [0, 99]"
                  + " of 'alice' (POSIX, id 1.1)");

      String nodes =
          untilShell(
              node2,
              "cluster:nodes",
              o -> o.lines().filter(l -> l.matches("node-[12] .*\\blive\\b.*")).count() == 2);
      assertThat(nodes)
          .contains("this node: node-2, cluster epoch 1, grace not active")
          .containsPattern("(?m)^node-1 +live ")
          .containsPattern("(?m)^node-2 \\* +live ");
      assertThat(node2.answer("lock:list", "report.txt"))
          .contains("report.txt: 1 lock")
          .containsPattern("(?m)^  alice +\\[0, 99\\] +EXCLUSIVE +POSIX +shell:alice +- +1\\.1$");

      for (RunningServer n : new RunningServer[] {node1, node2}) {
        String id = n == node1 ? "node-1" : "node-2";
        PrometheusText m =
            metrics(n, t -> t.value("dittofs_lock_cluster_nodes_live").orElse(0.0) == 2.0);
        assertThat(m.require("dittofs_lock_cluster_node", "node", id)).isEqualTo(1);
        assertThat(m.require("dittofs_lock_locks")).isEqualTo(1);
        assertThat(m.require("dittofs_lock_opens_held")).isZero();
        assertThat(m.require("dittofs_lock_waiters")).isZero();
      }

      // the other way round: a lock at node-2 refuses node-1 until node-2 releases it
      assertThat(node2.answer("lock:acquire erin notes.txt 0 eof", "erin notes.txt"))
          .contains("GRANTED  erin notes.txt [0, EOF] EXCLUSIVE POSIX");
      assertThat(node1.answer("lock:acquire frank notes.txt 10 1 shared", "frank notes.txt"))
          .contains("REFUSED  frank notes.txt [10, 10] SHARED POSIX: conflicts with EXCLUSIVE")
          .contains("of 'erin'");
      assertThat(node2.answer("lock:release erin notes.txt 0 eof", "erin notes.txt"))
          .contains("RELEASED erin notes.txt [0, EOF] POSIX");
      assertThat(node1.answer("lock:acquire frank notes.txt 10 1 shared", "frank notes.txt"))
          .contains("GRANTED  frank notes.txt [10, 10] SHARED POSIX");
      assertThat(node1.answer("lock:release frank notes.txt 10 1", "frank notes.txt"))
          .contains("RELEASED frank notes.txt [10, 10] POSIX");
      // Ctrl-D at both (close, in reverse order)
    }
    // both stopped by end of input, cleanly; a node of a cluster needs no other PostgreSQL store,
    // so the notice that none is configured stays silent
    for (String node : new String[] {"node-1.err", "node-2.err"}) {
      assertThat(dir.resolve(node))
          .content()
          .doesNotContain("SEVERE ")
          .doesNotContain("no configuration, so no PostgreSQL store runs");
    }

    try (RunningServer node1 = RunningServer.start(dir, "node-1-again", node("node-1"))) {
      assertThat(node1.answer("lock:grace", "grace period:"))
          .contains("grace period: ACTIVE")
          .contains("restored 1 record from the store")
          .contains("expected clients: shell:alice");
      assertThat(node1.answer("lock:acquire bob report.txt 50 10", "bob report.txt"))
          .contains("REFUSED  bob report.txt [50, 59] EXCLUSIVE POSIX: GRACE_PERIOD");
      assertThat(node1.answer("lock:reclaim alice report.txt 0 100", "alice report.txt"))
          .contains("RECLAIMED alice report.txt [0, 99] EXCLUSIVE POSIX");
      assertThat(node1.answer("lock:complete alice", "shell:alice"))
          .contains("COMPLETE shell:alice; grace period: not active");
      assertThat(node1.answer("cluster:nodes", "this node"))
          .contains("this node: node-1, cluster epoch 2, grace not active")
          .containsPattern("(?m)^node-1 \\* +live ")
          .containsPattern("(?m)^node-2 +gone ");
      assertThat(node1.answer("lock:acquire bob report.txt 150 10", "bob report.txt"))
          .contains("GRANTED  bob report.txt [150, 159] EXCLUSIVE POSIX");
      assertThat(node1.log()).contains("cluster node 'node-1' starts the cluster");
    }
  }

  /** Runs {@code command} until its output satisfies {@code done}; returns that output. */
  private static String untilShell(RunningServer server, String command, Predicate<String> done)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String o = server.answer(command, "");
      if (done.test(o)) {
        return o;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("'" + command + "' did not get there within " + WAIT + ":\n" + o);
      }
      Thread.sleep(200);
    }
  }

  /** Scrapes {@code /metrics} until {@code done} holds for what it answers. */
  private static PrometheusText metrics(RunningServer server, Predicate<PrometheusText> done)
      throws InterruptedException {
    HttpResponse<String> r =
        server.awaitHttp(
            "/metrics", x -> x.statusCode() == 200 && done.test(PrometheusText.parse(x.body())));
    return PrometheusText.parse(r.body());
  }
}
