package org.dittofs.metadata.lock.internal;

import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.junit.jupiter.api.AfterEach;

/**
 * Tests of cluster mode on two lock managers, nodes n0 and n1, sharing an {@link
 * InMemoryLockCluster}; both are closed after each test.
 */
abstract class OnTwoNodes {
  protected final InMemoryLockCluster cluster = new InMemoryLockCluster();
  protected final LockManager n0 = LockManagers.builder().cluster(cluster.node("n0")).build();
  protected final LockManager n1 = LockManagers.builder().cluster(cluster.node("n1")).build();

  @AfterEach
  final void closeNodes() {
    n0.close();
    n1.close();
  }
}
