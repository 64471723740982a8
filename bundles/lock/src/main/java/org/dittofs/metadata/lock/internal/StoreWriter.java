package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.spi.LockStoreOp;

/**
 * The ordered write path to the {@link LockStore} (SPEC 10), with group commit.
 *
 * <p>Writes enter one FIFO queue. Grants, upgrades and opens write synchronously: the caller waits
 * until its entry is committed and applies its change in memory only then. Releases, downgrades and
 * closes write asynchronously: memory changed already, and the entry stays queued, retried in order
 * every {@code storeRetryInterval}, until it lands. Because every write goes through the one queue,
 * a grant is never committed ahead of an earlier release, so the store replays memory's history
 * exactly.
 *
 * <p>Group commit: the thread that finds no writer active becomes the leader and commits every
 * queued entry in one {@link LockStore#apply} call, repeating while entries arrive; the other
 * writers wait for their entry. If a batch fails, its entries are tried one by one so that only the
 * bad grant fails; a failing release stops the round (it must land before anything after it), and
 * the synchronous entries behind it fail with STORE_UNAVAILABLE.
 *
 * <p>Concurrency: {@code queue}, {@code writing} and {@code retryTimer} are guarded by this
 * object's monitor, which is never held while calling the store or completing an entry.
 */
final class StoreWriter {
  private static final class Entry {
    final List<LockStoreOp> ops;
    final CompletableFuture<Void> done; // null for asynchronous entries
    final boolean undo; // restores records after a synchronous write failed

    Entry(List<LockStoreOp> ops, boolean sync) {
      this(ops, sync, false);
    }

    Entry(List<LockStoreOp> ops, boolean sync, boolean undo) {
      this.ops = ops;
      this.done = sync ? new CompletableFuture<>() : null;
      this.undo = undo;
    }
  }

  // written under this monitor; volatile so that the request path can ask persisting() without it
  private volatile LockStore store; // null: no persistence at all
  private final LockScheduler scheduler;
  private final Supplier<Duration> retryInterval;
  private final EventBus events;
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();
  private boolean writing;
  private LockScheduler.Timer retryTimer;

  StoreWriter(
      LockStore store, LockScheduler scheduler, Supplier<Duration> retryInterval, EventBus events) {
    this.store = store;
    this.scheduler = scheduler;
    this.retryInterval = retryInterval;
    this.events = events;
  }

  /**
   * Writes and waits. Nothing is written when there is no store.
   *
   * <p>A failed write may still have landed: a commit whose acknowledgement was lost (the
   * connection broke after the database committed) fails although the records are stored. The
   * caller changes nothing in memory on failure, so {@code undo} (the operations that restore the
   * records as memory has them: delete what {@code ops} put, put back what it deleted) is queued
   * like a release, to land with the next write or the next retry; if the write did not land, the
   * undo changes nothing. Either way the store comes back to memory's state (SPEC 10). Undos queued
   * one after the other while the store is down share one queue entry.
   *
   * @param undo idempotent operations that restore memory's state of the records {@code ops}
   *     touches; queued only if the write fails
   * @throws StoreError STORE_UNAVAILABLE if the write did not land (the store's INVALID_ARGUMENT is
   *     passed on as it is: the store refused the batch, nothing landed)
   */
  void writeSync(List<LockStoreOp> ops, List<LockStoreOp> undo) {
    if (ops.isEmpty() || !persisting()) {
      return;
    }
    Entry e = new Entry(ops, true);
    if (enqueue(e)) {
      drain();
    }
    try {
      e.done.join();
    } catch (CompletionException ex) {
      Throwable cause = ex.getCause();
      if (cause instanceof StoreError se && se.code() == ErrorCode.INVALID_ARGUMENT) {
        throw se;
      }
      queueUndo(undo);
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE,
          "the lock store did not take the write, nothing was changed: " + cause.getMessage(),
          cause);
    }
  }

  /** Queues a write that must land; returns at once. */
  void writeAsync(List<LockStoreOp> ops) {
    if (ops.isEmpty() || !persisting()) {
      return;
    }
    if (enqueue(new Entry(ops, false))) {
      drain();
    }
  }

  /**
   * Queues an undo without trying the store at once (it just failed): the next write or the retry
   * timer lands it. Merged into the last entry if that is an undo no round is committing.
   */
  private synchronized void queueUndo(List<LockStoreOp> undo) {
    if (undo.isEmpty() || store == null) {
      return;
    }
    Entry last = queue.peekLast();
    if (!writing && last != null && last.undo) {
      queue.pollLast();
      List<LockStoreOp> merged = new ArrayList<>(last.ops.size() + undo.size());
      merged.addAll(last.ops);
      merged.addAll(undo);
      queue.addLast(new Entry(merged, false, true));
    } else {
      queue.addLast(new Entry(undo, false, true));
    }
    if (retryTimer == null && !writing) {
      retryTimer = scheduler.schedule(this::retry, retryInterval.get());
    }
  }

  /** Number of entries not yet committed. */
  synchronized int pending() {
    return queue.size();
  }

  /** Tries to land everything now. Returns whether nothing is pending afterwards. */
  boolean flush() {
    synchronized (this) {
      if (store == null) {
        return true;
      }
      if (writing || queue.isEmpty()) {
        return queue.isEmpty();
      }
      writing = true;
    }
    drain();
    return pending() == 0;
  }

  /**
   * Whether writes go anywhere. Lock-free (a volatile read): asked twice by every grant and
   * release, from every thread. The store changes only while lock traffic is held at the gate, so a
   * request never sees it change between this check and its write.
   */
  boolean persisting() {
    return store != null;
  }

  /**
   * Writes to {@code next} from now on. Entries still queued for the old store are dropped (the
   * caller copies the whole state into {@code next}); a round already committing to the old store
   * finishes there. Called with lock traffic held, so no synchronous writer is waiting.
   */
  synchronized void switchTo(LockStore next) {
    queue.clear();
    if (retryTimer != null) {
      retryTimer.cancel();
      retryTimer = null;
    }
    store = next;
  }

  private synchronized boolean enqueue(Entry e) {
    queue.add(e);
    if (writing) {
      return false;
    }
    writing = true;
    return true;
  }

  private void drain() {
    while (true) {
      List<Entry> batch;
      LockStore target;
      synchronized (this) {
        if (queue.isEmpty()) {
          writing = false;
          return;
        }
        batch = new ArrayList<>(queue);
        target = store;
      }
      if (!commitBatch(target, batch)) {
        return;
      }
    }
  }

  /** Returns false if the round stopped on a release that must be retried. */
  private boolean commitBatch(LockStore store, List<Entry> batch) {
    try {
      List<LockStoreOp> ops = new ArrayList<>();
      batch.forEach(e -> ops.addAll(e.ops));
      apply(store, ops);
      finish(batch, null);
      return true;
    } catch (RuntimeException batchFailure) {
      if (batch.size() == 1) {
        if (batch.get(0).done == null) {
          return stop(batch, 0, batchFailure);
        }
        finish(batch, batchFailure);
        return true;
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      Entry e = batch.get(i);
      try {
        apply(store, e.ops);
        finish(List.of(e), null);
      } catch (RuntimeException failure) {
        if (e.done == null) {
          return stop(batch, i, failure);
        }
        finish(List.of(e), failure);
      }
    }
    return true;
  }

  /** One commit; a success is published with its latency (for the commit-latency histogram). */
  private void apply(LockStore store, List<LockStoreOp> ops) {
    long start = scheduler.nanoTime();
    store.apply(ops);
    if (events.hasListeners()) {
      events.publish(
          new LockEvent.StoreCommitted(ops.size(), Duration.ofNanos(scheduler.nanoTime() - start)));
    }
  }

  /** Removes the entries from the queue and completes the synchronous ones. */
  private void finish(List<Entry> entries, RuntimeException failure) {
    synchronized (this) {
      for (Entry e : entries) {
        queue.remove(e);
      }
    }
    for (Entry e : entries) {
      if (e.done != null) {
        if (failure == null) {
          e.done.complete(null);
        } else {
          e.done.completeExceptionally(failure);
        }
      }
    }
    if (failure != null) {
      storeFailed(failure);
    }
  }

  /**
   * The release at {@code batch[from]} cannot land: fail the synchronous entries behind it, keep
   * the asynchronous ones queued in order, and schedule a retry.
   */
  private boolean stop(List<Entry> batch, int from, RuntimeException failure) {
    List<Entry> failed = new ArrayList<>();
    synchronized (this) {
      for (Iterator<Entry> it = queue.iterator(); it.hasNext(); ) {
        Entry e = it.next();
        int at = batch.indexOf(e);
        if (e.done != null && (at > from || at < 0)) {
          failed.add(e);
          it.remove();
        }
      }
      writing = false;
      if (retryTimer == null && !queue.isEmpty()) {
        retryTimer = scheduler.schedule(this::retry, retryInterval.get());
      }
    }
    StoreError unavailable =
        new StoreError(
            ErrorCode.STORE_UNAVAILABLE,
            "an earlier release is still waiting for the lock store: " + failure.getMessage(),
            failure);
    for (Entry e : failed) {
      e.done.completeExceptionally(unavailable);
    }
    storeFailed(failure);
    return false;
  }

  private void retry() {
    synchronized (this) {
      retryTimer = null;
      if (writing || queue.isEmpty()) {
        return;
      }
      writing = true;
    }
    drain();
  }

  private void storeFailed(RuntimeException failure) {
    EventBus.LOG.warn("lock store write failed; " + pending() + " pending", failure);
    if (events.hasListeners()) {
      events.publish(new LockEvent.StoreFailed(String.valueOf(failure.getMessage()), pending()));
    }
  }
}
