package org.dittofs.metadata.store.jdbc;

import java.util.Objects;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.spi.ClusteredMetadataStore;
import org.dittofs.metadata.spi.ForwardingMetadataStore;

/**
 * A PostgreSQL metadata store shared by several servers as one lock space (docs/cluster.md): the
 * store's transactions as {@link JdbcMetadataStore} serves them, and the {@link JdbcLockCluster} of
 * this node over the same pool. {@link #close} leaves the cluster, then closes the store.
 * Thread-safe.
 */
public final class ClusteredJdbcStore extends ForwardingMetadataStore
    implements ClusteredMetadataStore, AutoCloseable {
  private final JdbcMetadataStore store;
  private final JdbcLockCluster cluster;

  public ClusteredJdbcStore(JdbcMetadataStore store, JdbcLockCluster cluster) {
    super(store);
    this.store = store;
    this.cluster = Objects.requireNonNull(cluster, "cluster");
  }

  @Override
  public LockCluster lockCluster() {
    return cluster;
  }

  @Override
  public void close() {
    try {
      cluster.leave();
    } finally {
      store.close();
    }
  }
}
