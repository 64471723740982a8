package org.dittofs.metadata.lock.internal;

import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
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

  /** A POSIX request of {@code owner} (its own client) for bytes {@code first} to {@code last}. */
  protected static LockRequest posix(
      FileHandle f, String owner, LockType type, long first, long last) {
    return LockRequest.builder(f, LockOwner.of(owner))
        .share("s")
        .client(new LockClient("c-" + owner, "t"))
        .posix()
        .type(type)
        .range(ByteRange.of(first, last))
        .build();
  }

  @AfterEach
  final void closeNodes() {
    n0.close();
    n1.close();
  }
}
