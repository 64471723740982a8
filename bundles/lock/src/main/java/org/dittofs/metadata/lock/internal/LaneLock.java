package org.dittofs.metadata.lock.internal;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * A {@link Lane}'s lock: reentrant and exclusive, like a non-fair {@link
 * java.util.concurrent.locks.ReentrantLock}, but one object (the synchronizer itself, whose state
 * its owner's fast path writes on every request) padded after its fields, so that no other lane's
 * state is allocated into its cache line (see {@link Lane}).
 *
 * <p><b>Concurrency.</b> The state is {@link AbstractQueuedSynchronizer}'s: the hold count, 0 when
 * free; the exclusive owner thread is set by the thread that takes it from 0.
 */
final class LaneLock extends AbstractQueuedSynchronizer {
  private static final long serialVersionUID = 1L;

  /** Cache-line padding after the synchronizer's fields. */
  long q0, q1, q2, q3, q4, q5, q6, q7;

  void lock() {
    if (!compareAndSetState(0, 1)) {
      acquire(1);
    } else {
      setExclusiveOwnerThread(Thread.currentThread());
    }
  }

  void unlock() {
    release(1);
  }

  /** How many times the calling thread holds this lock (0 if it does not). */
  int getHoldCount() {
    return isHeldExclusively() ? getState() : 0;
  }

  @Override
  protected boolean tryAcquire(int acquires) {
    Thread current = Thread.currentThread();
    int c = getState();
    if (c == 0) {
      if (compareAndSetState(0, acquires)) {
        setExclusiveOwnerThread(current);
        return true;
      }
    } else if (current == getExclusiveOwnerThread()) {
      int next = c + acquires;
      if (next < 0) {
        throw new Error("Maximum lock count exceeded");
      }
      setState(next);
      return true;
    }
    return false;
  }

  @Override
  protected boolean tryRelease(int releases) {
    if (Thread.currentThread() != getExclusiveOwnerThread()) {
      throw new IllegalMonitorStateException("a lane's lock released by a thread not holding it");
    }
    int c = getState() - releases;
    boolean free = c == 0;
    if (free) {
      setExclusiveOwnerThread(null);
    }
    setState(c);
    return free;
  }

  @Override
  protected boolean isHeldExclusively() {
    return getExclusiveOwnerThread() == Thread.currentThread();
  }
}
