package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;

/**
 * Holds lock traffic while the manager moves to another store. Every operation on a file passes
 * {@link #enter}/{@link #exit}; {@link #close} stops new entries and waits until none is inside;
 * {@link #open} lets the held ones through.
 *
 * <p>Concurrency: the fast path is a volatile read and a striped counter (no shared lock): an
 * operation increments {@code inside}, then re-reads {@code closed}; the closer sets {@code
 * closed}, then waits for {@code inside} to reach zero. Both are sequentially consistent, so an
 * operation either sees the gate closed and backs out, or is counted before the closer's wait.
 * Waiting threads park on this object's monitor, which guards nothing else.
 */
final class TrafficGate {
  private final LongAdder inside = new LongAdder();
  private volatile boolean closed;

  /**
   * Enters, waiting while the gate is closed.
   *
   * @throws StoreError STORE_UNAVAILABLE if it stays closed longer than {@code maxWait}
   */
  void enter(Duration maxWait) {
    while (true) {
      if (!closed) {
        inside.increment();
        if (!closed) {
          return;
        }
        exit();
      }
      awaitOpen(maxWait);
    }
  }

  void exit() {
    inside.decrement();
    if (closed) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** Stops new entries and waits until every operation inside has left. */
  void close() {
    closed = true;
    synchronized (this) {
      while (inside.sum() > 0) {
        try {
          wait(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          closed = false;
          notifyAll();
          throw new StoreError(ErrorCode.STORE_UNAVAILABLE, "interrupted while swapping stores");
        }
      }
    }
  }

  /** Lets traffic through again. */
  synchronized void open() {
    closed = false;
    notifyAll();
  }

  private synchronized void awaitOpen(Duration maxWait) {
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
