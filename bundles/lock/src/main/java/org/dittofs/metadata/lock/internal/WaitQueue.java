package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;

/**
 * The waiters of each file and the wait-for graph between owners (SPEC 5): queuing a blocking
 * request (waiter cap, deadlock check), re-checking the queue after the table changed, and ending
 * waits (granted, cancelled, timed out, failed).
 *
 * <p>The wait-for edges, and how a waiter leaving the queue is answered, are kept by {@link
 * WaitLinks}: in memory on one node, in the cluster's database in cluster mode, where a queue also
 * holds the waiters of other nodes (they are granted here like local ones, and answered by their
 * node).
 *
 * <p>Concurrency: {@code links} guards its own state (a leaf monitor on one node); the queues and
 * the moment of their next lease re-check ({@link FileLockTable#leaseCheckAt}) are the tables'
 * state, and every method runs under the table's monitor.
 */
final class WaitQueue {
  private final WaitLinks links;
  private final LiveConfig config;
  private final LockScheduler scheduler;
  private final LockIdGenerator ids;
  private final OwnerRegistry owners;
  private final ClientRegistry clients;
  private final TableOps ops;
  private final ConflictSearch conflicts;
  private final LockLimits limits;

  WaitQueue(
      LiveConfig config,
      LockScheduler scheduler,
      LockIdGenerator ids,
      OwnerRegistry owners,
      ClientRegistry clients,
      TableOps ops,
      ConflictSearch conflicts,
      WaitLinks links,
      LockLimits limits) {
    this.limits = limits;
    this.links = links;
    this.config = config;
    this.scheduler = scheduler;
    this.ids = ids;
    this.owners = owners;
    this.clients = clients;
    this.ops = ops;
    this.conflicts = conflicts;
  }

  /**
   * Queues a blocking request that conflicts now. In cluster mode it reserves its client's count
   * for its grant first ({@link LockLimits#reserveForWaiter}, checked as {@code check} says).
   *
   * @return the queued waiter
   * @throws StoreError LOCK_LIMIT_EXCEEDED (waiter cap, per-client reservation) or DEADLOCK;
   *     nothing queued then
   * @throws ClientRecount see {@link LockLimits.Check#RECOUNT_FIRST}
   */
  Waiter enqueue(
      FileLockTable t,
      LockRequest req,
      Waiter.Canceller canceller,
      LockLimits.Check check,
      Deferred d) {
    int max = config.get().maxWaitersPerFile();
    int queued = t.waiters().size();
    if (max > 0 && queued >= max) {
      d.event(new LockEvent.LimitHit("waiters-per-file", queued, max));
      throw LockErrors.lockLimitExceeded("waiters-per-file", queued, max);
    }
    // before the edges are written: a refused request leaves nothing in the cluster's graph
    int reserved = limits.reserveForWaiter(req, clients, check, d);
    Waiter w =
        new Waiter(ids.next(t), req, scheduler.now(), scheduler.nanoTime(), ids.epoch(), canceller);
    w.reserve(reserved);
    ConflictSearch.Blockers b;
    List<LockOwner> cycle;
    try {
      b = conflicts.blockers(t, req, null);
      cycle = links.setBlockers(t, w, b.owners());
    } catch (RuntimeException e) {
      limits.giveBack(req.client(), w.takeReservation(), clients);
      throw e;
    }
    if (cycle != null) {
      limits.giveBack(req.client(), w.takeReservation(), clients);
      throw deadlock(req.owner(), cycle, d);
    }
    t.addWaiter(w);
    links.queued(t, w);
    t.leaseCheckAt(ClientRegistry.earlier(t.leaseCheckAt(), b.courtesyAt()));
    clients.touch(req.client()).files.add(req.file());
    return w;
  }

  /**
   * Re-checks the waiters in FIFO order after the file's table changed (SPEC 5: every change that
   * can clear or create a conflict, grants included). Those whose conflict cleared are granted
   * atomically (and only they are woken); the others stay in place with their wait-for edges set to
   * their current blockers, failing with DEADLOCK if the new edges close a cycle. A pass that
   * changed the table (a grant, a waiter leaving, a courtesy revocation) may have cleared or
   * created a conflict for a waiter checked before it in the same pass, so passes repeat until one
   * changes nothing. Each repeated pass removed a waiter or revoked a record, so this ends.
   *
   * <p>The last pass also sets when the waiters want the next re-check without a change of the file
   * ({@link FileLockTable#leaseCheckAt}): the first moment a client holding a lock that blocks one
   * of them becomes a courtesy client (SPEC 9), whose conflicting locks the waiter then revokes as
   * a new request would. {@link LockTables} keeps a timer for that moment.
   */
  void recheck(FileLockTable t, Deferred d) {
    int before;
    long leaseCheck;
    do {
      before = t.changes();
      leaseCheck = ClientRegistry.NEVER;
      if (!t.hasWaiters()) {
        return; // the last waiter left: its removal cleared the moment
      }
      for (Waiter w : new ArrayList<>(t.waiters())) {
        LockRequest r = w.request();
        Lock c = conflicts.conflict(t, r, w, d, true);
        if (c == null) {
          try {
            // SPEC 1: the owner may have taken locks of the other flavour while this waited
            try {
              owners.checkFlavour(t.existingIndex(r.owner()), r.owner(), r.flavour());
            } catch (OwnerRegistry.SettleFirst s) {
              if (w.wasSettled()) {
                throw s.refusal();
              }
              if (w.askSettle()) {
                d.later(() -> inTurn(() -> settleFor(w))); // with no table held
              }
              continue; // it waits for the settle
            }
            // a waiter's own reservation makes room for its grant; another node's waiter is not
            // checked here (its node reserved for it)
            limits.giveBack(r.client(), w.takeReservation(), clients);
            Lock l =
                ops.grant(
                    t,
                    r,
                    ops.changeFor(t, r),
                    false,
                    w.isLocal() ? LockLimits.Check.CHECK : LockLimits.Check.NONE,
                    d);
            dequeue(t, w);
            links.granted(t, w, l, d);
            if (w.isLocal()) { // a remote waiter's node reports its wait
              d.event(new LockEvent.Waited(r, waited(w), LockEvent.WaitOutcome.GRANTED));
            }
          } catch (StoreError e) {
            finish(t, w, e, LockEvent.WaitOutcome.FAILED, d);
          }
        } else {
          w.blockedAgain(); // a settle done for it is old news by its next chance
          ConflictSearch.Blockers b = conflicts.blockers(t, r, w);
          List<LockOwner> cycle = links.setBlockers(t, w, b.owners());
          if (cycle != null) {
            finish(t, w, deadlock(r.owner(), cycle, d), LockEvent.WaitOutcome.DEADLOCK, d);
          } else {
            leaseCheck = ClientRegistry.earlier(leaseCheck, b.courtesyAt());
          }
        }
      }
    } while (t.changes() != before);
    t.leaseCheckAt(leaseCheck);
  }

  /**
   * Ends a wait that is still queued with CANCELLED or TIMED_OUT. Returns false if it was no longer
   * queued (granted or ended meanwhile).
   */
  boolean end(
      FileLockTable t,
      Waiter w,
      ErrorCode code,
      String why,
      LockEvent.WaitOutcome outcome,
      Deferred d) {
    if (!t.waiters().contains(w)) {
      return false;
    }
    finish(t, w, ended(w, code, why), outcome, d);
    return true;
  }

  /**
   * Cancels every waiter of the table that {@code which} accepts: CANCELLED, "was cancelled: why".
   */
  void cancelAll(FileLockTable t, Predicate<Waiter> which, String why, Deferred d) {
    for (Waiter w : new ArrayList<>(t.waiters())) {
      if (which.test(w)) {
        finish(
            t,
            w,
            ended(w, ErrorCode.CANCELLED, "was cancelled: " + why),
            LockEvent.WaitOutcome.CANCELLED,
            d);
      }
    }
  }

  /**
   * Settles the pins of waiter {@code w}'s owner elsewhere, then re-checks its file once more; if
   * the settle cannot run now (a swap held traffic past the lock timeout), the file is re-checked
   * after the store retry interval and the waiter asks again. Called with no table held.
   */
  private void settleFor(Waiter w) {
    OwnerRegistry.Settler settler = owners.settler();
    FileHandle file = w.request().file();
    try {
      settler.settle(w.request().owner());
    } catch (RuntimeException e) {
      w.settleFailed();
      scheduler.schedule(() -> settler.recheck(file), config.get().storeRetryInterval());
      throw e;
    }
    w.settled();
    settler.recheck(file);
  }

  /**
   * The waiters' settles (and their re-checks) a thread is running, or null: one re-check may free
   * a waiter that asks for a settle of its own, which then waits its turn here instead of running
   * nested inside the first (a queue of such waiters would otherwise nest once per waiter).
   */
  private static final ThreadLocal<ArrayDeque<Runnable>> SETTLES = new ThreadLocal<>();

  /** Runs {@code settle} now, or after the one this thread is running; one failing stops none. */
  private static void inTurn(Runnable settle) {
    ArrayDeque<Runnable> queue = SETTLES.get();
    if (queue != null) {
      queue.add(settle);
      return;
    }
    queue = new ArrayDeque<>();
    queue.add(settle);
    SETTLES.set(queue);
    try {
      for (Runnable next = queue.poll(); next != null; next = queue.poll()) {
        try {
          next.run();
        } catch (RuntimeException e) {
          EventBus.LOG.warn("a waiter's settle failed (its file is re-checked later)", e);
        }
      }
    } finally {
      SETTLES.remove();
    }
  }

  /** Number of waiters with wait-for edges, for tests. */
  int edges() {
    return links.edges();
  }

  /** Removes a waiter and completes it with a failure. */
  private void finish(
      FileLockTable t, Waiter w, StoreError error, LockEvent.WaitOutcome outcome, Deferred d) {
    dequeue(t, w);
    links.failed(t, w, error, d);
    if (w.isLocal()) {
      d.event(new LockEvent.Waited(w.request(), waited(w), outcome));
    }
  }

  /** A CANCELLED or TIMED_OUT error for a waiter. */
  private static StoreError ended(Waiter w, ErrorCode code, String why) {
    return new StoreError(
        code, "blocking request " + w + " " + why, null, w.request().file().toHex(), null, null);
  }

  private void dequeue(FileLockTable t, Waiter w) {
    t.removeWaiter(w);
    w.cancelTimer();
    limits.giveBack(w.request().client(), w.takeReservation(), clients);
  }

  private Duration waited(Waiter w) {
    return Duration.ofNanos(Math.max(0, scheduler.nanoTime() - w.enqueuedNanos()));
  }

  private StoreError deadlock(LockOwner waiter, List<LockOwner> cycle, Deferred d) {
    d.event(new LockEvent.Deadlock(waiter, cycle));
    return LockErrors.deadlock(waiter.id(), cycle.stream().map(LockOwner::id).toList());
  }
}
