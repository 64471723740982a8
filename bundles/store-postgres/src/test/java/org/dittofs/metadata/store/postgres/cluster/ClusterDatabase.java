package org.dittofs.metadata.store.postgres.cluster;

import java.time.Duration;
import javax.sql.DataSource;
import org.dittofs.metadata.store.jdbc.ClusteredJdbcStore;
import org.dittofs.metadata.store.postgres.PostgresServer;
import org.dittofs.metadata.store.postgres.PostgresStores;

/**
 * One database of the test server shared by the nodes of an in-process cluster test: each node's
 * store on it, and the plain connections the test probes it with ({@link Probes#number}).
 *
 * @param url the database's JDBC URL
 * @param raw plain (unpooled) connections to it, outside every node
 */
record ClusterDatabase(String url, DataSource raw) {
  /** The database {@code name} of the test server, created if needed. */
  static ClusterDatabase named(String name) {
    return new ClusterDatabase(PostgresServer.url(name), PostgresServer.dataSource(name));
  }

  /** Node {@code node}'s store, beating at the default heartbeat. */
  ClusteredJdbcStore node(String node) {
    return PostgresStores.openCluster(url, PostgresServer.user(), null, node);
  }

  /**
   * Node {@code node}'s store, beating its heartbeat (and looking for dead nodes) every {@code
   * beat}.
   */
  ClusteredJdbcStore node(String node, Duration beat) {
    return PostgresStores.openCluster(url, PostgresServer.user(), null, node, beat);
  }
}
