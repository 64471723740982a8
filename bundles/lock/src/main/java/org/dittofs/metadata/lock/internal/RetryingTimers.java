package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockScheduler;

/**
 * The manager's scheduler, with timed tasks (a waiter's timeout, a client's ttl release, the end of
 * grace, a lease re-check; in cluster mode also a notified file's reload) run again every {@code
 * retry} while they fail with STORE_UNAVAILABLE: on one node, a store swap holds traffic for longer
 * than the lock timeout ({@link TrafficGate}); in cluster mode, the database cannot be reached
 * (docs/cluster.md, SPEC 10: releases no client waits for are retried until they land; a timeout is
 * decided only once the node knows whether the waiter was granted meanwhile). Every such task is
 * one or more file operations that each either happened or not, so running it again is safe; a task
 * that did part of its work and must not start over (the end of grace, a ttl release) retries its
 * rest itself. Cancelling a timer also stops its retries. Thread-safe as the delegate.
 */
final class RetryingTimers implements LockScheduler {
  private static final org.slf4j.Logger LOG = EventBus.LOG;

  private final LockScheduler delegate;
  private final Supplier<Duration> retry;

  RetryingTimers(LockScheduler delegate, Supplier<Duration> retry) {
    this.delegate = delegate;
    this.retry = retry;
  }

  @Override
  public Instant now() {
    return delegate.now();
  }

  @Override
  public long nanoTime() {
    return delegate.nanoTime();
  }

  @Override
  public Instant instantAt(long nanoTime) {
    return delegate.instantAt(nanoTime);
  }

  @Override
  public Timer schedule(Runnable task, Duration delay) {
    Retrying r = new Retrying(task);
    r.next(delay);
    return r;
  }

  /** A task and its current timer; cancelled for good once cancelled. */
  private final class Retrying implements Timer, Runnable {
    private final Runnable task;
    private Timer timer; // guarded by this
    private boolean cancelled; // guarded by this

    Retrying(Runnable task) {
      this.task = task;
    }

    synchronized void next(Duration delay) {
      if (!cancelled) {
        timer = delegate.schedule(this, delay);
      }
    }

    @Override
    public void run() {
      try {
        task.run();
      } catch (StoreError e) {
        if (e.code() != ErrorCode.STORE_UNAVAILABLE) {
          throw e;
        }
        LOG.warn(
            "a timed lock task cannot run now, retried in " + retry.get() + ": " + e.getMessage());
        next(retry.get());
      }
    }

    @Override
    public synchronized boolean cancel() {
      cancelled = true;
      return timer != null && timer.cancel();
    }
  }
}
