package org.dittofs.metadata.lock.internal;

import java.util.List;
import java.util.Set;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockOwner;

/**
 * Where {@link WaitQueue} keeps what a queue does not hold itself: the wait-for edges of its
 * waiters, and how a waiter that leaves the queue is answered. On one node ({@link #local}) that is
 * the in-memory {@link WaitForGraph} and the waiter's own pending answer; in cluster mode ({@link
 * ClusterLinks}) the cluster's graph and queued-request rows, written with the file's operation.
 * Called under the file table's monitor.
 */
interface WaitLinks {
  /**
   * Sets the owners {@code w} waits on, unless that closes a cycle (the request's own owner does
   * not count).
   *
   * @return null if set; else the cycle, from a blocker to {@code w}'s owner
   */
  List<LockOwner> setBlockers(FileLockTable t, Waiter w, Set<LockOwner> blockers);

  /** {@code w} joined the table's queue (after its blockers were set). */
  void queued(FileLockTable t, Waiter w);

  /** {@code w} left the queue with lock {@code l}; its caller is answered after the monitor. */
  void granted(FileLockTable t, Waiter w, Lock l, Deferred d);

  /** {@code w} left the queue with {@code error}; its caller is answered after the monitor. */
  void failed(FileLockTable t, Waiter w, StoreError error, Deferred d);

  /** Number of waiters with edges here, for tests. */
  int edges();

  /** One node's links: the in-memory graph, and each waiter answered here. */
  static WaitLinks local() {
    WaitForGraph graph = new WaitForGraph();
    return new WaitLinks() {
      @Override
      public List<LockOwner> setBlockers(FileLockTable t, Waiter w, Set<LockOwner> blockers) {
        return graph.setBlockers(w, w.request().owner(), blockers);
      }

      @Override
      public void queued(FileLockTable t, Waiter w) {}

      @Override
      public void granted(FileLockTable t, Waiter w, Lock l, Deferred d) {
        graph.remove(w, w.request().owner());
        d.complete(w, l);
      }

      @Override
      public void failed(FileLockTable t, Waiter w, StoreError error, Deferred d) {
        graph.remove(w, w.request().owner());
        d.fail(w, error);
      }

      @Override
      public int edges() {
        return graph.size();
      }
    };
  }
}
