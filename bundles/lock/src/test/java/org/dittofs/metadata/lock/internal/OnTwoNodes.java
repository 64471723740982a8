package org.dittofs.metadata.lock.internal;

import java.util.Set;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.testing.ClusterRequests;
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

  /** A POSIX request of {@code owner} (its own client) for bytes {@code first} to {@code last}. */
  protected static LockRequest posix(
      FileHandle f, String owner, LockType type, long first, long last) {
    return ClusterRequests.posix(f, owner, clientOf(owner), type, first, last);
  }

  /** An open of {@code f} by {@code owner} (its own client). */
  protected static OpenRequest open(
      FileHandle f, String owner, Set<ShareAccess> access, Set<ShareAccess> deny) {
    return ClusterRequests.open(f, owner, clientOf(owner), access, deny);
  }

  /** The client of {@code owner}'s requests. */
  protected static LockClient clientOf(String owner) {
    return new LockClient("c-" + owner, "t");
  }

  @AfterEach
  final void closeNodes() {
    n0.close();
    n1.close();
  }
}
