package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 * <p>A store that is away (SPEC 10, a database that stopped): a batch refused as unreachable stops
 * the round at once and fails every grant waiting; while a retry is scheduled, releases queue
 * without waiting for the store and, if the last refusal came only after {@link #AWAY_NANOS},
 * grants are refused at once; the retry rounds run on their own thread, never on the scheduler's
 * timer thread, so lock timeouts keep firing. A grant is thus answered within about two attempts of
 * the store (the one in progress when it came, and its own).
 *
 * <p>In cluster mode no write enters the queue: each goes into the file transaction of the
 * operation that makes it ({@link CurrentFile}), committed before the operation answers.
 *
 * <p>Closing ({@link #close}, after the manager's last flush) cancels the retry timer and schedules
 * no other: a round that is still waiting for the store on the retry thread then ends after its
 * attempt, whatever it gives, without touching the scheduler (which its owner may have closed).
 *
 * <p>Concurrency: {@code queue}, {@code writing}, {@code retryTimer}, {@code away} and {@code
 * closed} are guarded by this object's monitor, which is never held while calling the store or
 * completing an entry.
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
  private final Executor retries;
  private final CurrentFile coordinated; // cluster mode: writes go to the operation's transaction
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();
  private boolean writing;
  private LockScheduler.Timer retryTimer;
  private boolean away; // the last write was refused as unreachable after AWAY_NANOS or more
  private boolean closed; // the manager stopped: no retry is scheduled any more

  /**
   * A store that takes this long to refuse a write as unreachable is away (a pool waiting for a
   * connection to a stopped database): until a write lands again, grants are refused at once.
   */
  static final long AWAY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * @param retries where the retry rounds run: a timer task only hands the round over, since a
   *     round waits for the store (a pool's connection timeout while the database is down) and a
   *     timer thread it blocks delays every lock timeout; {@code Runnable::run} runs it in the
   *     timer task (a test scheduler)
   * @param coordinated cluster mode: writes go into the current operation's file transaction
   *     instead of the queue and commit with the operation, before it answers, releases included;
   *     null on one node
   */
  StoreWriter(
      LockStore store,
      LockScheduler scheduler,
      Supplier<Duration> retryInterval,
      EventBus events,
      Executor retries,
      CurrentFile coordinated) {
    this.store = store;
    this.scheduler = scheduler;
    this.retryInterval = retryInterval;
    this.events = events;
    this.retries = retries;
    this.coordinated = coordinated;
  }

  /** A daemon thread of its own for retry rounds, gone while idle. */
  static Executor retryThread() {
    ThreadPoolExecutor e =
        new ThreadPoolExecutor(
            1,
            1,
            10,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "dittofs-lock-store-retry");
              t.setDaemon(true);
              return t;
            });
    e.allowCoreThreadTimeOut(true);
    return e;
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
    if (coordinated != null) {
      coordinated.write(ops);
      return;
    }
    refuseWhileAway();
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

  /**
   * Refuses a grant at once while the store is away and its retry is pending, rather than queueing
   * it for another attempt that would wait as long: a grant is answered within about one attempt of
   * the store whatever the number of grants waiting. The retry (every {@code storeRetryInterval})
   * finds out when the store is back.
   *
   * @throws StoreError STORE_UNAVAILABLE
   */
  private synchronized void refuseWhileAway() {
    if (away && retryTimer != null) {
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE,
          "the lock store is unreachable (its last write was refused after waiting for it, and"
              + " no write has landed since); nothing was changed");
    }
  }

  /** Queues a write that must land; returns at once. */
  void writeAsync(List<LockStoreOp> ops) {
    if (ops.isEmpty() || !persisting()) {
      return;
    }
    if (coordinated != null) {
      coordinated.write(ops); // cluster mode: a release commits before it answers
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
      retryTimer = scheduleRetry();
    }
  }

  /**
   * Stops retrying: the retry timer is cancelled and none is scheduled from now on; what is still
   * queued stays unwritten (the store is not marked cleanly shut down, so the next start enters
   * grace). Called once the manager has made its last attempt ({@link #flush}). Idempotent.
   */
  synchronized void close() {
    closed = true;
    if (retryTimer != null) {
      retryTimer.cancel();
      retryTimer = null;
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

  /**
   * Queues an entry; returns whether the caller leads the round. A release does not lead while a
   * retry is scheduled (the store failed and has not taken a write since): it returns at once and
   * the retry lands it, so that releases do not wait for a database that is away.
   */
  private synchronized boolean enqueue(Entry e) {
    queue.add(e);
    if (writing || (e.done == null && retryTimer != null)) {
      return false;
    }
    writing = true;
    return true;
  }

  /** Schedules the next retry round; none once closed. Called under this object's monitor. */
  private LockScheduler.Timer scheduleRetry() {
    if (closed) {
      return null;
    }
    return scheduler.schedule(() -> retries.execute(this::retry), retryInterval.get());
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

  /**
   * Commits a round. A batch the store refused as unreachable stops the round: every grant waiting
   * fails, the releases wait for the retry, and no entry is tried again now (each attempt may wait
   * as long as the first). A batch refused otherwise is tried entry by entry, so that only a bad
   * grant fails.
   *
   * @return false if the round stopped on a release that must be retried
   */
  private boolean commitBatch(LockStore store, List<Entry> batch) {
    long started = scheduler.nanoTime();
    RuntimeException batchFailure = applyBatch(store, batch);
    if (batchFailure == null) {
      finish(batch, null);
      return true;
    }
    if (unreachable(batchFailure)) {
      synchronized (this) {
        away = scheduler.nanoTime() - started >= AWAY_NANOS;
      }
      return stop(batch, -1, batchFailure);
    }
    if (batch.size() == 1) {
      if (batch.get(0).done == null) {
        return stop(batch, 0, batchFailure);
      }
      finish(batch, batchFailure);
      return true;
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
        if (unreachable(failure)) {
          return stop(batch, i - 1, failure);
        }
        finish(List.of(e), failure);
      }
    }
    return true;
  }

  /** Applies the batch's writes in one commit; returns the failure, or null. */
  private RuntimeException applyBatch(LockStore store, List<Entry> batch) {
    try {
      List<LockStoreOp> ops = new ArrayList<>();
      batch.forEach(e -> ops.addAll(e.ops));
      apply(store, ops);
      return null;
    } catch (RuntimeException failure) {
      return failure;
    }
  }

  private static boolean unreachable(RuntimeException failure) {
    return failure instanceof StoreError se && se.code() == ErrorCode.STORE_UNAVAILABLE;
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
      if (failure == null) {
        away = false;
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
   * The entry at {@code batch[from]} cannot land (a release; {@code -1}: the store is unreachable):
   * fail the synchronous entries behind it, keep the asynchronous ones queued in order, and
   * schedule a retry.
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
        retryTimer = scheduleRetry();
      }
    }
    StoreError unavailable =
        new StoreError(
            ErrorCode.STORE_UNAVAILABLE,
            "the lock store is unreachable, or an earlier release is still waiting for it: "
                + failure.getMessage(),
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
      if (closed || writing || queue.isEmpty()) {
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
