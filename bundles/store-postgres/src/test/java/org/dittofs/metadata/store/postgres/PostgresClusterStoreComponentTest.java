package org.dittofs.metadata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.spi.ClusterNode;
import org.dittofs.metadata.lock.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.service.jdbc.DataSourceFactory;
import org.postgresql.osgi.PGDataSourceFactory;

/**
 * The cluster store's DS component outside a framework, constructed as SCR would with pgjdbc's
 * DataSourceFactory: two instances over one database are two nodes of one lock space; a node id the
 * cluster cannot use falls back to the host name with one log line; a database that cannot be
 * reached leaves the component up, its node answering STORE_UNAVAILABLE (the metadata service
 * retries joining).
 */
@ExtendWith(PostgresServer.class)
class PostgresClusterStoreComponentTest {
  private static final FileHandle F = FileHandle.of("f");

  private final DataSourceFactory factory = new PGDataSourceFactory();
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = new LogCapture(PostgresClusterStoreComponent.PID);
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  private static Map<String, Object> properties(String url, String node) {
    Map<String, Object> p = new HashMap<>();
    p.put("url", url);
    p.put("user", PostgresServer.user());
    p.put("pool.size", 3);
    if (node != null) {
      p.put("cluster.node", node);
    }
    p.put("cluster.heartbeat.millis", 200);
    p.put("service.pid", PostgresClusterStoreComponent.PID + "~" + node);
    p.put("service.factoryPid", PostgresClusterStoreComponent.PID);
    return p;
  }

  private static LockRequest x(String owner) {
    return LockRequest.builder(F, LockOwner.of(owner))
        .share("s")
        .client(new LockClient("c-" + owner, "t"))
        .posix()
        .exclusive()
        .range(ByteRange.of(0, 9))
        .build();
  }

  /** Two nodes of a cluster over one database, both component and service. */
  private interface TwoNodes {
    void run(MetadataManager alpha, MetadataManager beta) throws Exception;
  }

  /** Runs {@code test} on nodes alpha and beta over {@code database}; stops both afterwards. */
  private void onTwoNodes(String database, TwoNodes test) throws Exception {
    String url = PostgresServer.url(database);
    PostgresClusterStoreComponent alpha =
        new PostgresClusterStoreComponent(factory, properties(url, "alpha"));
    PostgresClusterStoreComponent beta =
        new PostgresClusterStoreComponent(factory, properties(url, "beta"));
    MetadataManager a = MetadataServices.over(alpha).start();
    MetadataManager b = MetadataServices.over(beta).start();
    try {
      test.run(a, b);
    } finally {
      a.close();
      b.close();
      alpha.deactivate();
      beta.deactivate();
    }
  }

  @Test
  void twoInstancesOverOneDatabaseAreTwoNodesOfOneLockSpace() throws Exception {
    onTwoNodes(
        "clustercomponent",
        (a, b) -> {
          assertThat(a.lockManager().clusterNode()).isEqualTo(Optional.of("alpha"));
          assertThat(a.lockManager().lock(x("o1"))).isInstanceOf(LockResult.Granted.class);
          assertThat(b.lockManager().lock(x("o2"))).isInstanceOf(LockResult.Denied.class);
          assertThat(b.lockManager().clusterNodes())
              .filteredOn(ClusterNode::live)
              .extracting(ClusterNode::node)
              .containsExactly("alpha", "beta");
        });
    assertThat(log.lines(Level.SEVERE)).isEmpty();
  }

  /**
   * The counts that the metrics gauges read (docs/cluster.md, SPEC 12) are the cluster's, counted
   * in the database: a lock and an open taken at alpha and a request waiting at beta count the same
   * at both nodes; the waiter gone, it no longer counts.
   */
  @Test
  void lockOpenAndWaiterCountsAreTheClustersAtEveryNode() throws Exception {
    onTwoNodes(
        "clustercounts",
        (a, b) -> {
          assertThat(a.lockManager().lock(x("o1"))).isInstanceOf(LockResult.Granted.class);
          a.lockManager()
              .open(
                  new OpenRequest(
                      FileHandle.of("g"),
                      "s",
                      LockOwner.of("o1"),
                      new LockClient("c-o1", "t"),
                      Set.of(ShareAccess.READ),
                      Set.of()));
          PendingLock waiting = b.lockManager().lockBlocking(x("o2"), Duration.ofSeconds(60));
          for (MetadataManager m : List.of(a, b)) {
            assertThat(m.lockManager().lockCount()).isEqualTo(1);
            assertThat(m.lockManager().openCount()).isEqualTo(1);
            assertThat(m.lockManager().waiterCount()).isEqualTo(1);
          }
          waiting.cancel();
          assertThat(a.lockManager().waiterCount()).isZero();
          assertThat(b.lockManager().waiterCount()).isZero();
        });
  }

  @Test
  void aNodeIdTheClusterCannotUseFallsBackToTheHostName() throws Exception {
    PostgresClusterStoreComponent c =
        new PostgresClusterStoreComponent(
            factory, properties(PostgresServer.url("clustercomponent"), "x".repeat(300)));
    try {
      assertThat(c.lockCluster().node()).isEqualTo(InetAddress.getLocalHost().getHostName());
      assertThat(log.lines(Level.SEVERE)).singleElement().asString().contains("cluster.node");
    } finally {
      c.deactivate();
    }
  }

  @Test
  void anUnreachableDatabaseLeavesTheComponentUpItsNodeAnsweringUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    PostgresClusterStoreComponent c =
        new PostgresClusterStoreComponent(
            factory,
            properties(
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/x?connectTimeout=2", "gamma"));
    try {
      try {
        c.lockCluster().join(Duration.ofSeconds(1));
        throw new AssertionError("joined a cluster it cannot reach");
      } catch (StoreError e) {
        assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
      }
    } finally {
      c.deactivate();
    }
  }
}
