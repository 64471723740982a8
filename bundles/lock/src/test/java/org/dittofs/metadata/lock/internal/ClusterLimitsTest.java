package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-client and total limits across the nodes of a cluster (docs/cluster.md, SPEC 8) on lock
 * managers sharing an {@link InMemoryLockCluster}: the total is never overshot by the nodes
 * together and is refused exactly (quota flows to the node that needs it), a dead node's records
 * stay counted; a client's limit is checked at its node, exactly even when other nodes released
 * some of its records, and a blocking request reserves what its grant may add, so that another node
 * can grant it without checking.
 */
class ClusterLimitsTest {
  private static final Duration AWAIT = Duration.ofSeconds(20);

  private final InMemoryLockCluster cluster = new InMemoryLockCluster();
  private final List<LockManager> nodes = new ArrayList<>();

  @AfterEach
  void close() {
    nodes.forEach(LockManager::close);
  }

  private LockManager node(String id, LockConfig config) {
    LockManager m = LockManagers.builder().config(config).cluster(cluster.node(id)).build();
    nodes.add(m);
    return m;
  }

  private static LockConfig total(int max) {
    return LockConfig.DEFAULTS.toBuilder().maxLocksTotal(max).build();
  }

  private static LockConfig perClient(int max) {
    return LockConfig.DEFAULTS.toBuilder().maxLocksPerClient(max).build();
  }

  private static LockRequest x(String file, String owner, String client, long at) {
    return LockRequest.builder(FileHandle.of(file), LockOwner.of(owner))
        .share("s")
        .client(new LockClient(client, "t"))
        .posix()
        .type(LockType.EXCLUSIVE)
        .range(ByteRange.of(at, at))
        .build();
  }

  private static void unlock(LockManager n, String file, String owner, long at) {
    n.unlock(
        new UnlockRequest(
            FileHandle.of(file), LockOwner.of(owner), LockFlavour.POSIX, ByteRange.of(at, at)));
  }

  /** Whether the lock was granted; false for a refusal by {@code limit}; anything else fails. */
  private static boolean tryLock(LockManager n, LockRequest r, String limit) {
    try {
      assertThat(n.lock(r)).isInstanceOf(LockResult.Granted.class);
      return true;
    } catch (StoreError e) {
      assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED);
      assertThat(((ErrorDetail.Limit) e.detail().orElseThrow()).limit()).isEqualTo(limit);
      return false;
    }
  }

  /** Locks one byte after another on file {@code f}; returns how many were granted of {@code n}. */
  private static int lockMany(LockManager node, String f, String owner, int from, int n) {
    int granted = 0;
    for (int i = from; i < from + n; i++) {
      if (tryLock(node, x(f, owner, "c-" + owner, 2L * i), "total")) {
        granted++;
      }
    }
    return granted;
  }

  @Test
  void theTotalIsExactAcrossNodesAndQuotaGoesWhereItIsNeeded() {
    LockManager a = node("a", total(10));
    LockManager b = node("b", total(10));
    LockManager c = node("c", total(10));
    assertThat(lockMany(a, "fa", "oa", 0, 6)).isEqualTo(6);
    assertThat(lockMany(b, "fb", "ob", 0, 6)).isEqualTo(4); // a gave back what it did not use
    assertThat(lockMany(c, "fc", "oc", 0, 2)).isZero();
    for (int i = 0; i < 3; i++) {
      unlock(a, "fa", "oa", 2L * i);
    }
    assertThat(lockMany(c, "fc", "oc", 0, 4)).isEqualTo(3); // what a released, by way of a
    assertThat(a.lockCount()).isEqualTo(10);
    assertThat(cluster.quotaCounted()).isEqualTo(10);
    assertThat(cluster.quotaCommitted()).isLessThanOrEqualTo(10);
  }

  @Test
  void nodesRacingForTheTotalNeverOvershootIt() throws Exception {
    List<LockManager> all =
        List.of(node("a", total(25)), node("b", total(25)), node("c", total(25)));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integer>> got = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        LockManager n = all.get(t % 3);
        String owner = "o" + t;
        got.add(pool.submit(() -> lockMany(n, "f" + owner, owner, 0, 10)));
      }
      int granted = 0;
      for (Future<Integer> f : got) {
        granted += f.get();
      }
      assertThat(granted).isLessThanOrEqualTo(25).isPositive();
      assertThat(all.get(0).lockCount()).isEqualTo(granted);
      assertThat(cluster.quotaCommitted()).isLessThanOrEqualTo(25);
      assertThat(cluster.quotaCounted()).isEqualTo(granted);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aDeadNodesRecordsStayCountedAndItsUnusedQuotaComesBack() {
    LockManager a = node("a", total(10));
    LockManager b = node("b", total(10));
    assertThat(lockMany(a, "fa", "oa", 0, 4)).isEqualTo(4);
    cluster.die("a");
    assertThat(lockMany(b, "fb", "ob", 0, 8)).isEqualTo(6);
    assertThat(b.lockCount()).isEqualTo(10);
    assertThat(cluster.quotaCounted()).isEqualTo(10);
  }

  @Test
  void aClientsLimitIsExactAtItsNodeWhenAnotherNodeReleasedSomeOfItsLocks() {
    LockManager home = node("home", perClient(3));
    LockManager other = node("other", perClient(3));
    LockClient c = new LockClient("c-o", "t");
    home.registerClient(c, "10.0.0.1", null);
    for (int i = 0; i < 3; i++) {
      assertThat(tryLock(home, x("f", "o", "c-o", 2L * i), "per-client")).isTrue();
    }
    assertThat(tryLock(home, x("g", "o", "c-o", 0), "per-client")).isFalse();
    // two of them released at another node: the home node's table of f is stale now
    unlock(other, "f", "o", 0);
    unlock(other, "f", "o", 2);
    assertThat(tryLock(home, x("g", "o", "c-o", 0), "per-client")).isTrue();
    assertThat(tryLock(home, x("g", "o", "c-o", 2), "per-client")).isTrue();
    assertThat(tryLock(home, x("g", "o", "c-o", 4), "per-client")).isFalse();
  }

  @Test
  void aWaiterReservesItsGrantSoThatAnotherNodeMayGrantIt() throws Exception {
    LockManager home = node("home", perClient(3));
    LockManager other = node("other", perClient(3));
    LockRequest blocked = x("g", "o", "c-o", 0);
    assertThat(tryLock(other, x("g", "holder", "c-holder", 0), "per-client")).isTrue();
    assertThat(tryLock(home, x("f", "o", "c-o", 0), "per-client")).isTrue();
    assertThat(tryLock(home, x("f", "o", "c-o", 2), "per-client")).isTrue();
    // 2 held + 2 reserved for a POSIX grant would pass 3: refused when it would be queued
    StoreError e = refusedBlocking(home, blocked);
    assertThat(((ErrorDetail.Limit) e.detail().orElseThrow()).limit()).isEqualTo("per-client");
    unlock(home, "f", "o", 2);
    PendingLock p = home.lockBlocking(blocked, Duration.ofSeconds(60));
    assertThat(p.isDone()).isFalse();
    unlock(other, "g", "holder", 0); // the other node grants it, unchecked
    assertThat(p.await(AWAIT)).isPresent();
    // 2 held now, the reservation given back: exactly one more
    assertThat(tryLock(home, x("h", "o", "c-o", 0), "per-client")).isTrue();
    assertThat(tryLock(home, x("h", "o", "c-o", 2), "per-client")).isFalse();
  }

  private static StoreError refusedBlocking(LockManager n, LockRequest r) {
    try {
      n.lockBlocking(r, Duration.ofSeconds(60));
    } catch (StoreError e) {
      assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED);
      return e;
    }
    throw new AssertionError("queued");
  }
}
