package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.function.Supplier;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.spi.LockCluster;

/**
 * Which node a registered client belongs to, for {@link ClientSessions}: nobody else's business on
 * one node ({@link #NONE}); in cluster mode the cluster's record of it ({@link LockCluster}), so
 * that a client that registers at another node takes its state there (failover) and a dead node's
 * clients are released by a live one after their lease (docs/cluster.md, SPEC 9).
 */
interface ClientHome {
  /** A client registered here with {@code ttl} (zero: none). */
  void registered(LockClient client, Duration ttl);

  /** A client unregistered here with a ttl (its release is pending). */
  void unregistered(LockClient client, Duration ttl);

  /** Whether a ttl release timed here may release the client now. */
  boolean mayRelease(LockClient client);

  /** The client's state was released. */
  void released(LockClient client);

  /** One node: every client is this node's. */
  ClientHome NONE =
      new ClientHome() {
        @Override
        public void registered(LockClient client, Duration ttl) {}

        @Override
        public void unregistered(LockClient client, Duration ttl) {}

        @Override
        public boolean mayRelease(LockClient client) {
          return true;
        }

        @Override
        public void released(LockClient client) {}
      };

  /**
   * The cluster's record of clients; a client's state outlives a dead node by the lease time or its
   * ttl, whichever is longer. A client registered here has its lease timed by {@code courtesy},
   * which tells the cluster when it becomes a courtesy client.
   */
  static ClientHome of(LockCluster cluster, Supplier<Duration> lease, ClusterCourtesy courtesy) {
    return new ClientHome() {
      @Override
      public void registered(LockClient client, Duration ttl) {
        Duration l = lease.get();
        cluster.clientRegistered(client.id(), client.adapter(), ttl.compareTo(l) > 0 ? ttl : l);
        courtesy.registered(client);
      }

      @Override
      public void unregistered(LockClient client, Duration ttl) {
        courtesy.gone(client);
        cluster.clientUnregistered(client.id(), client.adapter(), ttl);
      }

      @Override
      public boolean mayRelease(LockClient client) {
        return cluster.mayRelease(client.id(), client.adapter());
      }

      @Override
      public void released(LockClient client) {
        courtesy.gone(client);
        cluster.clientReleased(client.id(), client.adapter());
      }
    };
  }
}
