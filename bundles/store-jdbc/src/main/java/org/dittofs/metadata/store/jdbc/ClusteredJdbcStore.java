package org.dittofs.metadata.store.jdbc;

import java.util.Objects;
import java.util.function.Function;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.spi.ClusteredMetadataStore;
import org.dittofs.metadata.spi.Transaction;

/**
 * A PostgreSQL metadata store shared by several servers as one lock space (docs/cluster.md): the
 * store's transactions as {@link JdbcMetadataStore} serves them, and the {@link JdbcLockCluster} of
 * this node over the same pool. {@link #close} leaves the cluster, then closes the store.
 * Thread-safe.
 */
public final class ClusteredJdbcStore implements ClusteredMetadataStore, AutoCloseable {
  private final JdbcMetadataStore store;
  private final JdbcLockCluster cluster;

  public ClusteredJdbcStore(JdbcMetadataStore store, JdbcLockCluster cluster) {
    this.store = Objects.requireNonNull(store, "store");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
  }

  @Override
  public LockCluster lockCluster() {
    return cluster;
  }

  @Override
  public String type() {
    return store.type();
  }

  @Override
  public Transaction begin() {
    return store.begin();
  }

  @Override
  public <T> T inTransaction(Function<Transaction, T> work) {
    return store.inTransaction(work);
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
