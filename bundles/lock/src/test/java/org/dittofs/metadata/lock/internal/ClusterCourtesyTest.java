package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Courtesy clients in a cluster (docs/cluster.md, SPEC 9): a client whose lease lapsed at its node
 * is revoked there by a conflicting request, as on one node; a client that failed over to another
 * node is not, however stale the first node's memory of it.
 */
class ClusterCourtesyTest {
  private static final FileHandle F = FileHandle.of("f");
  private static final LockClient X = new LockClient("x", "t");
  private static final LockClient Y = new LockClient("y", "t");

  private final ManualScheduler clock = new ManualScheduler();
  private final InMemoryLockCluster cluster = new InMemoryLockCluster(clock::nanoTime);
  private final LockManager n0 = node("n0");
  private final LockManager n1 = node("n1");

  @AfterEach
  void close() {
    n0.close();
    n1.close();
  }

  private LockManager node(String id) {
    return LockManagers.builder()
        .scheduler(clock)
        .config(LockConfig.DEFAULTS.toBuilder().leaseTime(Duration.ofSeconds(10)).build())
        .cluster(cluster.node(id))
        .build();
  }

  private static LockRequest x(LockClient c, String owner) {
    return LockRequest.builder(F, LockOwner.of(owner))
        .share("s")
        .client(c)
        .posix()
        .type(LockType.EXCLUSIVE)
        .range(ByteRange.of(0, 9))
        .build();
  }

  @Test
  void aLapsedClientIsRevokedAtItsNode() {
    n0.registerClient(X, "10.0.0.1", null);
    assertThat(n0.lock(x(X, "ox"))).isInstanceOf(LockResult.Granted.class);
    clock.advance(Duration.ofSeconds(11));
    assertThat(n0.lock(x(Y, "oy"))).isInstanceOf(LockResult.Granted.class);
  }

  @Test
  void aClientThatFailedOverIsNotRevokedByTheNodeItLeft() {
    n0.registerClient(X, "10.0.0.1", null);
    assertThat(n0.lock(x(X, "ox"))).isInstanceOf(LockResult.Granted.class);
    n1.registerClient(X, "10.0.0.1", null); // failover: X lives at n1 now
    clock.advance(Duration.ofSeconds(11)); // n0 has not heard from X for longer than its lease
    assertThat(n0.lock(x(Y, "oy"))).isInstanceOf(LockResult.Denied.class);
    assertThat(n1.locks(F)).hasSize(1);
  }
}
