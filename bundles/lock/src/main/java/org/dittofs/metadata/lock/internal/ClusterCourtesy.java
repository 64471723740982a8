package org.dittofs.metadata.lock.internal;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.LockCluster;

/**
 * Cluster mode (docs/cluster.md, SPEC 9): this node tells the cluster when one of its registered
 * clients becomes a courtesy client and when it is heard of again, so that a conflicting request at
 * any node revokes it as one node would ({@link CourtesyClients}).
 *
 * <ul>
 *   <li>Each client registered here has a timer for the moment its lease runs out (its last request
 *       plus the lease plus 1 ns). When it fires and the client is silent still, the node marks it
 *       in the cluster ({@link LockCluster#clientCourtesy}) and re-checks the waiters of the
 *       client's files, at every node's queue (a waiter queued at another node is then granted
 *       here, revoking the client, as on one node at that moment). A client heard of meanwhile sets
 *       the timer again for its new moment; one that belongs to another node now (failover) or is
 *       not registered any more is dropped.
 *   <li>Every request of a client that the cluster may take for a courtesy client ({@link #heard},
 *       before the request runs) clears the mark first; the clear waits for revocations in flight,
 *       so a revocation is ordered before the renewal, never after. If the database cannot be
 *       reached the request fails (STORE_UNAVAILABLE) and the mark stays.
 * </ul>
 *
 * <p>Concurrency: {@code clients} is a concurrent map. Each {@link Mark}'s {@code timer} is guarded
 * by its monitor, as are the database calls that set or clear its mark, so a client's mark changes
 * one call at a time; {@code state} is volatile. The request path reads {@code state} without the
 * monitor after renewing the client's lease and a full fence; the timer writes it before it reads
 * the lease: either the request sees the mark coming (and clears it under the monitor) or the timer
 * sees the renewal (and marks nothing). The monitor is a leaf: no table monitor is taken under it.
 */
final class ClusterCourtesy {
  private static final int IDLE = 0;
  private static final int MARKING = 1;
  private static final int MARKED = 2;

  /** One registered client's mark and timer. */
  private static final class Mark {
    volatile int state = IDLE;
    LockScheduler.Timer timer; // guarded by this
  }

  private final ConcurrentHashMap<LockClient, Mark> marks = new ConcurrentHashMap<>();
  private final LockCluster cluster;
  private final ClientRegistry clients;
  private final LockScheduler timers;
  private final LongSupplier leaseNanos;
  private final LockTables tables; // whose waiters a mark re-checks
  private final WaitQueue waiting;

  ClusterCourtesy(
      LockCluster cluster,
      ClientRegistry clients,
      LockScheduler timers,
      LongSupplier leaseNanos,
      LockTables tables,
      WaitQueue waiting) {
    this.cluster = cluster;
    this.clients = clients;
    this.timers = timers;
    this.leaseNanos = leaseNanos;
    this.tables = tables;
    this.waiting = waiting;
  }

  /** A client registered here: its lease is timed from now on. */
  void registered(LockClient client) {
    Mark m = new Mark();
    Mark old = marks.put(client, m);
    if (old != null) {
      cancel(old);
    }
    synchronized (m) {
      arm(client, m);
    }
  }

  /**
   * A client unregistered or was released here: no more courtesy (the cluster cleared its mark).
   */
  void gone(LockClient client) {
    Mark m = marks.remove(client);
    if (m != null) {
      cancel(m);
    }
  }

  /** The lease time changed: every timer is set for its client's new moment. */
  void leaseTimeChanged() {
    marks.forEach(
        (c, m) -> {
          synchronized (m) {
            if (m.state == IDLE) {
              arm(c, m);
            }
          }
        });
  }

  /**
   * A request of {@code client} arrives here: it renews the client's lease, and if the cluster may
   * take the client for a courtesy client, clears that before the request runs.
   *
   * @throws StoreError STORE_UNAVAILABLE if the mark cannot be cleared
   */
  void heard(LockClient client) {
    Mark m = client == null ? null : marks.get(client);
    if (m == null) {
      return;
    }
    clients.touch(client);
    VarHandle.fullFence(); // the renewal before the read of the mark (see the class comment)
    if (m.state == IDLE) {
      return;
    }
    synchronized (m) {
      if (m.state == MARKED) {
        cluster.clientCourtesy(client.id(), client.adapter(), false);
        m.state = IDLE;
        arm(client, m);
      }
    }
  }

  /** Sets the mark's timer for the moment the client's lease runs out. Under the mark's monitor. */
  private void arm(LockClient client, Mark m) {
    ClientState s = clients.get(client);
    if (s == null) {
      return;
    }
    if (m.timer != null) {
      m.timer.cancel();
    }
    long at = s.lastSeenNanos + leaseNanos.getAsLong() + 1;
    long delay = Math.max(0, at - timers.nanoTime());
    m.timer = timers.schedule(() -> fire(client, m), Duration.ofNanos(delay));
  }

  /**
   * The client's lease may have run out: marks it in the cluster if it did, and re-checks the
   * waiters of its files. Run again by the retrying timers while the database cannot be reached.
   */
  private void fire(LockClient client, Mark m) {
    synchronized (m) {
      ClientState s = clients.get(client);
      if (marks.get(client) != m || s == null || !s.registered) {
        marks.remove(client, m);
        return;
      }
      if (m.state == MARKED) {
        // marked before; the waiters' re-check below failed and is tried again
      } else if (!clients.isCourtesy(client)) {
        arm(client, m); // heard of since the timer was set
        return;
      } else {
        m.state = MARKING;
        if (!clients.isCourtesy(client)) { // a request renewed it as the mark was coming
          m.state = IDLE;
          arm(client, m);
          return;
        }
        boolean mine;
        try {
          mine = cluster.clientCourtesy(client.id(), client.adapter(), true);
        } catch (RuntimeException e) {
          m.state = IDLE;
          throw e;
        }
        if (!mine) {
          m.state = IDLE;
          marks.remove(client, m); // it belongs to another node now
          return;
        }
        m.state = MARKED;
      }
    }
    ClientState s = clients.get(client);
    for (FileHandle f : tables.clientFiles(client, s == null ? Set.of() : s.files)) {
      recheck(f);
    }
  }

  /**
   * Re-checks a file's waiters at every node's queue (the file's table is brought up to date). A
   * failure (STORE_UNAVAILABLE) fails the timer's task, which the retrying timers run again.
   */
  private void recheck(FileHandle f) {
    tables.run(
        f,
        true,
        (t, d) -> {
          if (t.hasWaiters()) {
            waiting.recheck(t, d);
          }
          return null;
        });
  }

  private static void cancel(Mark m) {
    synchronized (m) {
      if (m.timer != null) {
        m.timer.cancel();
        m.timer = null;
      }
    }
  }
}
