package org.dittofs.metadata.lock.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.slf4j.Logger;

/**
 * Cluster mode: the total limit (SPEC 8) across nodes (docs/cluster.md). Each node holds quota
 * leased from the cluster's pool ({@link LockCluster#leaseQuota}) and counts its grants against it
 * in memory, with compare-and-set as one node counts the total: {@code headroom} is what it leased
 * and has not used. A release here gives its records back to this node's headroom. Every change of
 * the count is also committed with its operation ({@link
 * org.dittofs.metadata.lock.spi.FileTransaction#countLocks}), so the cluster knows what a node that
 * died had used. The pool never hands out more than the limit leaves, so the nodes together never
 * overshoot it.
 *
 * <p>When its headroom and the pool are exhausted, a node asks the other nodes to give back what
 * they do not use ({@link LockCluster#wantQuota}) and tries the pool again for up to {@value
 * #WAIT_MILLIS} ms before it refuses. A refusal can therefore come while a little quota is still
 * leased elsewhere (a node that did not answer in time); it never comes late. After a wait that got
 * nothing, the node waits only {@value #SHORT_WAIT_MILLIS} ms for the next {@value #WAIT_MILLIS}
 * ms, so that requests refused at the limit do not queue behind long waits.
 *
 * <p>Concurrency: {@code headroom} is atomic; {@code exhaustedUntil} is guarded by this object's
 * monitor; leasing is serialized by this object's monitor (one trip to the pool at a time), which
 * is a leaf: it is taken under a table monitor, and nothing is taken under it but the store's
 * connection.
 */
final class ClusterQuota {
  private static final Logger LOG = EventBus.LOG;

  /** How long a node short of quota waits for the others to give theirs back. */
  static final long WAIT_MILLIS = 500;

  /** How long it waits instead within {@value #WAIT_MILLIS} ms of a wait that got nothing. */
  static final long SHORT_WAIT_MILLIS = 100;

  private static final long POLL_MILLIS = 20;

  private final LockCluster cluster;
  private final CurrentFile current;
  private final AtomicLong headroom = new AtomicLong();
  private long exhaustedUntil = System.nanoTime(); // no asking before (nanoTime)

  ClusterQuota(LockCluster cluster, CurrentFile current) {
    this.cluster = cluster;
    this.current = current;
  }

  /**
   * Takes {@code n} records of quota for a grant of the current operation, leasing more from the
   * pool when this node's headroom is short. Returns false if the cluster's total would pass {@code
   * max}: nothing is taken then.
   *
   * @throws StoreError STORE_UNAVAILABLE if the pool cannot be reached
   */
  boolean take(int n, long max) {
    if (takeHeld(n)) {
      current.get().countLocks(n);
      return true;
    }
    synchronized (this) {
      if (!takeHeld(n) && !lease(n, max)) {
        return false;
      }
    }
    current.get().countLocks(n);
    return true;
  }

  /**
   * Counts a change of the current operation that is never refused: records released (or taken and
   * not granted after all) give their quota back to this node; records added without a check (a
   * reclaim's, a downgrade's, as SPEC 8 lets a release go over a limit) take it even if this node
   * has none left.
   */
  void count(int delta) {
    headroom.addAndGet(-delta);
    current.get().countLocks(delta);
  }

  /** The cluster's lock count as committed, for a refusal's message; -1 if it cannot be read. */
  long clusterCount() {
    try {
      return cluster.lockCount();
    } catch (StoreError e) {
      return -1;
    }
  }

  /** Gives this node's unused quota back to the pool (another node is short, or the node stops). */
  void giveBack() {
    long n = headroom.getAndSet(0);
    if (n <= 0) {
      return;
    }
    try {
      cluster.returnQuota(n);
    } catch (StoreError e) {
      headroom.addAndGet(n); // still this node's
      LOG.warn("unused total-limit quota stays at this node for now: " + e.getMessage());
    }
  }

  /** What this node leased and has not used, for tests. */
  long headroom() {
    return headroom.get();
  }

  private boolean takeHeld(int n) {
    while (true) {
      long h = headroom.get();
      if (h < n) {
        return false;
      }
      if (headroom.compareAndSet(h, h - n)) {
        return true;
      }
    }
  }

  /**
   * Leases enough to take {@code n}, asking the other nodes for their unused quota if the pool is
   * short. Called under this object's monitor.
   */
  private boolean lease(int n, long max) {
    long need = n - headroom.get();
    long got = need <= 0 ? 0 : cluster.leaseQuota(need, max);
    if (need > 0 && got == 0) {
      cluster.wantQuota();
      long now = System.nanoTime();
      long wait = now - exhaustedUntil >= 0 ? WAIT_MILLIS : SHORT_WAIT_MILLIS;
      long deadline = now + TimeUnit.MILLISECONDS.toNanos(wait);
      while (need > 0 && got == 0 && System.nanoTime() - deadline < 0) {
        try {
          Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        need = n - headroom.get(); // releases here may have added some meanwhile
        got = need <= 0 ? 0 : cluster.leaseQuota(need, max);
      }
      if (need > 0 && got == 0) {
        exhaustedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
      }
    }
    headroom.addAndGet(got);
    return takeHeld(n);
  }
}
