package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;

/**
 * Holds lock traffic while the manager moves to another store.
 *
 * <p><b>Protocol.</b> Every operation on a file reads {@link #isClosed} once it holds the file
 * table's monitor, before it looks at or changes anything, and backs out (leaves the monitor and
 * {@link #awaitOpen waits}) if the gate is closed. The swapper {@link #close closes} the gate, then
 * takes the monitor of every table in the manager's map, one after the other: an operation that was
 * inside a table finishes before the swapper gets its monitor, and one that enters afterwards sees
 * the gate closed. A table created concurrently is safe too: its creator inserted it into the map
 * before it read {@code closed} under the monitor; if that read saw the gate open, it came before
 * the swapper's write in the synchronization order, so the insertion happened before the swapper's
 * walk over the map, which then finds the table and waits for its monitor.
 *
 * <p>So the request path pays one volatile read and no shared write: the earlier version counted
 * operations in and out with a striped counter, two atomic writes per operation.
 *
 * <p>Concurrency: {@code closed} is volatile; waiting threads park on this object's monitor, which
 * guards nothing else.
 */
final class TrafficGate {
  private volatile boolean closed;

  /** Whether traffic is held; read by operations under their table's monitor. */
  boolean isClosed() {
    return closed;
  }

  /**
   * Stops new operations. The caller then takes every table's monitor in turn to wait for the
   * operations already inside.
   */
  void close() {
    closed = true;
  }

  /** Lets traffic through again. */
  synchronized void open() {
    closed = false;
    notifyAll();
  }

  /**
   * Waits while the gate is closed.
   *
   * @throws StoreError STORE_UNAVAILABLE if it stays closed longer than {@code maxWait}
   */
  synchronized void awaitOpen(Duration maxWait) {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (closed) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new StoreError(
            ErrorCode.STORE_UNAVAILABLE,
            "the lock store is being swapped and the request waited " + maxWait + " for it");
      }
      try {
        wait(Math.max(1, left / 1_000_000), 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreError(
            ErrorCode.STORE_UNAVAILABLE, "interrupted while waiting for a store swap");
      }
    }
  }
}
