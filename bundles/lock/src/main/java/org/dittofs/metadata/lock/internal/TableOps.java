package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * The mechanics every operation on a file shares, all called with the file table's monitor held:
 * conflict search (with courtesy revocation and FIFO fairness), grant (limits, then the store, then
 * memory), release (memory, then a queued store write), the wait queue and its wake-up re-check.
 * The order of a grant is what makes SPEC 10 hold: nothing is applied in memory before the store
 * took it, and a refusal at any step gives back what earlier steps counted.
 */
final class TableOps {
  private final Supplier<LockConfig> config;
  private final LockScheduler scheduler;
  private final LockIdGenerator ids;
  private final PosixChanges posix;
  private final WindowsChanges windows;
  private final OwnerRegistry owners;
  private final LockLimits limits;
  private final ClientRegistry clients;
  private final StoreWriter writer;
  private final WaitForGraph graph;
  private final GracePeriod grace;
  private final Runnable endGraceEarly;

  TableOps(
      Supplier<LockConfig> config,
      LockScheduler scheduler,
      LockIdGenerator ids,
      OwnerRegistry owners,
      LockLimits limits,
      ClientRegistry clients,
      StoreWriter writer,
      WaitForGraph graph,
      GracePeriod grace,
      Runnable endGraceEarly) {
    this.config = config;
    this.scheduler = scheduler;
    this.ids = ids;
    this.posix = new PosixChanges(ids);
    this.windows = new WindowsChanges(ids);
    this.owners = owners;
    this.limits = limits;
    this.clients = clients;
    this.writer = writer;
    this.graph = graph;
    this.grace = grace;
    this.endGraceEarly = endGraceEarly;
  }

  PosixChanges posix() {
    return posix;
  }

  WindowsChanges windows() {
    return windows;
  }

  /**
   * The conflict a request meets: a granted lock (revoking courtesy clients' conflicting locks on
   * the way), else under FIFO fairness a conflicting waiter queued before {@code self} (all waiters
   * when {@code self} is null). Null if it can be granted now.
   */
  Lock conflict(FileLockTable t, LockRequest req, Waiter self, Deferred d, boolean revoke) {
    boolean weakens = weakens(t, req);
    // a downgrade never waits behind waiters, and no lock conflicts with bytes its owner holds at
    // least as strongly; but a WINDOWS zero-length lock conflicts with a range holding the bytes
    // on both sides of it, which a downgrade's range (or its coalesced span) can do where it
    // joins two of the owner's records, so both are checked like any request's
    Lock c = grantedConflict(t, req, req.range(), d, revoke);
    if (c == null && req.flavour() == LockFlavour.POSIX) {
      ByteRange span = posix.coalescedSpan(t, req);
      if (span != req.range()) {
        c = grantedConflict(t, req, span, d, revoke);
      }
    }
    if (c != null || weakens) {
      return c;
    }
    if (t.waiters != null && config.get().fairness() == LockConfig.Fairness.FIFO) {
      Lock first = null;
      for (Waiter w : t.waiters) {
        if (w == self) {
          break;
        }
        Lock q = w.asLock();
        if (Conflicts.conflicts(q, req.owner(), req.type(), req.range(), Conflicts.Purpose.LOCK)
            && (first == null || FileLockTable.order(q, first) < 0)) {
          first = q;
        }
      }
      return first;
    }
    return null;
  }

  /** The first granted lock conflicting with {@code req}'s owner and type over {@code range}. */
  private Lock grantedConflict(
      FileLockTable t, LockRequest req, ByteRange range, Deferred d, boolean revoke) {
    while (true) {
      Lock c =
          t.firstConflict(
              req.owner(),
              req.type(),
              range,
              Conflicts.Purpose.LOCK,
              revoke ? l -> true : l -> !revocable(l, req));
      if (c == null || !revocable(c, req)) {
        return c;
      }
      revokeCourtesy(t, c.client(), req, range, d);
    }
  }

  /**
   * Whether a POSIX request only keeps or weakens bytes its owner already holds: every byte of its
   * range is held by the owner with at least its type (a downgrade, or a no-op). Such a request
   * takes nothing from anyone, so no byte of it conflicts (no other owner's lock can conflict with
   * bytes the owner holds at least as strongly) and it never waits behind waiters; SPEC 4: a
   * downgrade always succeeds and wakes waiters; SPEC 10: it is never refused because the store is
   * down. The one conflict it can meet is a WINDOWS zero-length lock on a boundary between two of
   * the owner's records that its range or coalesced span joins (SPEC 2), checked by {@link
   * #conflict}.
   */
  boolean weakens(FileLockTable t, LockRequest req) {
    if (req.flavour() != LockFlavour.POSIX) {
      return false;
    }
    OwnerLocks own = t.ownerLocks(req.owner());
    if (own == null || own.all().get(0).flavour() != LockFlavour.POSIX) {
      return false; // WINDOWS locks of an owner whose queued POSIX request outlived its flavour
    }
    long next = req.range().first(); // the first byte not yet found held
    long last = req.range().last();
    for (Lock l : own.disjointOverlapping(next, last)) {
      if (Long.compareUnsigned(l.range().first(), next) > 0
          || (req.type() == LockType.EXCLUSIVE && !l.exclusive())) {
        return false;
      }
      if (Long.compareUnsigned(l.range().last(), last) >= 0) {
        return true;
      }
      next = l.range().last() + 1;
    }
    return false;
  }

  private boolean revocable(Lock held, LockRequest req) {
    return !held.client().equals(req.client()) && clients.isCourtesy(held.client());
  }

  /** The change a grant of {@code req} makes. */
  LockChange changeFor(FileLockTable t, LockRequest req) {
    return changeFor(t, req, scheduler.now());
  }

  /**
   * As {@link #changeFor(FileLockTable, LockRequest)}, stamped with the request's clock reading.
   */
  LockChange changeFor(FileLockTable t, LockRequest req, long nanoTime) {
    return changeFor(t, req, scheduler.instantAt(nanoTime));
  }

  private LockChange changeFor(FileLockTable t, LockRequest req, Instant now) {
    return req.flavour() == LockFlavour.POSIX
        ? posix.grant(t, req, now)
        : windows.grant(t, req, now);
  }

  /**
   * Grants a computed change: owner flavour, limits (not for reclaims), the store, then memory. A
   * downgrade ({@link #weakens}) is handled like a release: counted without limit checks, applied
   * at once with its store write queued; like every change of the table, it has the waiters
   * re-checked when the operation ends ({@link FileLockTable#changes}).
   *
   * @return the record to answer with
   * @throws StoreError INVALID_ARGUMENT, LOCK_LIMIT_EXCEEDED or STORE_UNAVAILABLE; nothing changed
   */
  Lock grant(FileLockTable t, LockRequest req, LockChange ch, boolean reclaim, Deferred d) {
    if (ch.isEmpty()) {
      if (d.wantsEvents()) {
        d.event(new LockEvent.Granted(ch.result(), 0, reclaim));
      }
      return ch.result();
    }
    boolean downgrade = !reclaim && weakens(t, req);
    int delta = ch.delta();
    OwnerLocks index = t.ownerIndex(req.owner());
    owners.adjust(index, req.owner(), req.flavour(), delta);
    try {
      if (reclaim || downgrade) {
        limits.count(t, ch, clients);
      } else {
        limits.reserve(t, ch, clients, d);
      }
      try {
        // the store records are built only when there is a store to write them to
        if (downgrade) {
          if (writer.persisting()) {
            writer.writeAsync(ops(ch));
          }
        } else if (writer.persisting()) {
          writer.writeSync(ops(ch), undo(ch));
        }
      } catch (RuntimeException e) {
        limits.unreserve(ch, clients);
        throw e;
      }
    } catch (RuntimeException e) {
      owners.adjust(index, req.owner(), req.flavour(), -delta);
      throw e;
    }
    t.apply(ch);
    recordClient(t, req);
    if (d.wantsEvents()) {
      d.event(new LockEvent.Granted(ch.result(), delta, reclaim));
    }
    return ch.result();
  }

  /**
   * Applies a release of one owner's records at once, queues its store write and re-checks nothing:
   * callers wake the waiters when their whole operation is done.
   */
  void release(
      FileLockTable t,
      LockOwner owner,
      LockFlavour flavour,
      LockChange ch,
      LockEvent.ReleaseReason reason,
      Deferred d) {
    forget(t, owner, flavour, ch, reason, d);
    if (!ch.isEmpty() && writer.persisting()) {
      writer.writeAsync(ops(ch));
    }
  }

  /** Applies a release in memory only (the store already has it, or is written by the caller). */
  void forget(
      FileLockTable t,
      LockOwner owner,
      LockFlavour flavour,
      LockChange ch,
      LockEvent.ReleaseReason reason,
      Deferred d) {
    if (ch.isEmpty()) {
      return;
    }
    t.apply(ch);
    owners.adjust(t.ownerIndex(owner), owner, flavour, ch.delta());
    limits.count(t, ch, clients);
    trackRestored(t, ch.removed(), ch.added(), d);
    if (d.wantsEvents()) {
      d.event(
          new LockEvent.Released(
              owner, ch.removed().get(0).file(), ch.removed(), ch.delta(), reason));
    }
  }

  /** Closes an open at once and queues its delete. */
  void close(FileLockTable t, ShareReservation open, LockEvent.ReleaseReason reason, Deferred d) {
    forget(t, open, reason, d);
    writer.writeAsync(List.of(new LockStoreOp.Delete(open.id().toString())));
  }

  /** Closes an open in memory only. */
  void forget(FileLockTable t, ShareReservation open, LockEvent.ReleaseReason reason, Deferred d) {
    t.opens.remove(open);
    trackRestored(t, List.of(open.id()), d);
    d.event(new LockEvent.Closed(open, reason));
  }

  /** Queues a blocking request, or refuses it (waiter cap, deadlock). */
  Waiter enqueue(
      FileLockTable t,
      LockRequest req,
      Duration timeout,
      java.util.function.Predicate<Waiter> canceller,
      Deferred d) {
    int max = config.get().maxWaitersPerFile();
    int queued = t.waiters().size();
    if (max > 0 && queued >= max) {
      d.event(new LockEvent.LimitHit("waiters-per-file", queued, max));
      throw LockErrors.lockLimitExceeded("waiters-per-file", queued, max);
    }
    Waiter w =
        new Waiter(ids.next(t), req, scheduler.now(), scheduler.nanoTime(), ids.epoch(), canceller);
    List<LockOwner> cycle = graph.setBlockers(w, req.owner(), blockers(t, req, null));
    if (cycle != null) {
      throw deadlock(req.owner(), cycle, d);
    }
    t.addWaiter(w);
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
   */
  void wake(FileLockTable t, Deferred d) {
    int before;
    do {
      before = t.changes;
      if (t.waiters == null) {
        return;
      }
      for (Waiter w : new ArrayList<>(t.waiters)) {
        LockRequest r = w.request();
        Lock c = conflict(t, r, w, d, true);
        if (c == null) {
          try {
            // SPEC 1: the owner may have taken locks of the other flavour while this waited
            owners.checkFlavour(r.owner(), r.flavour());
            Lock l = grant(t, r, changeFor(t, r), false, d);
            dequeue(t, w);
            d.complete(w, l);
            d.event(new LockEvent.Waited(r, waited(w), LockEvent.WaitOutcome.GRANTED));
          } catch (StoreError e) {
            finish(t, w, e, LockEvent.WaitOutcome.FAILED, d);
          }
        } else {
          List<LockOwner> cycle = graph.setBlockers(w, r.owner(), blockers(t, r, w));
          if (cycle != null) {
            finish(t, w, deadlock(r.owner(), cycle, d), LockEvent.WaitOutcome.DEADLOCK, d);
          }
        }
      }
    } while (t.changes != before);
  }

  /** Removes a waiter and completes it with a failure. */
  void finish(
      FileLockTable t, Waiter w, StoreError error, LockEvent.WaitOutcome outcome, Deferred d) {
    dequeue(t, w);
    d.fail(w, error);
    d.event(new LockEvent.Waited(w.request(), waited(w), outcome));
  }

  /** A CANCELLED or TIMED_OUT error for a waiter. */
  static StoreError waitEnded(Waiter w, ErrorCode code, String why) {
    return new StoreError(
        code, "blocking request " + w + " " + why, null, w.request().file().toHex(), null, null);
  }

  private void dequeue(FileLockTable t, Waiter w) {
    t.removeWaiter(w);
    graph.remove(w, w.request().owner());
    if (w.timer != null) {
      w.timer.cancel();
      w.timer = null;
    }
  }

  private Duration waited(Waiter w) {
    return Duration.ofNanos(Math.max(0, scheduler.nanoTime() - w.enqueuedNanos()));
  }

  /**
   * The owners {@code req} waits on, exactly as {@link #conflict} decides: owners of the granted
   * locks that conflict with the record the grant would leave (a POSIX request's coalesced span,
   * which contains its range) and, under FIFO fairness and unless the request is a downgrade (which
   * never waits behind waiters), of the conflicting waiters queued before it.
   */
  private Set<LockOwner> blockers(FileLockTable t, LockRequest req, Waiter self) {
    Set<LockOwner> out = new HashSet<>();
    ByteRange span = req.flavour() == LockFlavour.POSIX ? posix.coalescedSpan(t, req) : req.range();
    t.forEachConflict(
        req.owner(), req.type(), span, Conflicts.Purpose.LOCK, l -> out.add(l.owner()));
    if (config.get().fairness() == LockConfig.Fairness.FIFO && !weakens(t, req)) {
      for (Waiter w : t.waiters()) {
        if (w == self) {
          break;
        }
        if (Conflicts.conflicts(
            w.asLock(), req.owner(), req.type(), req.range(), Conflicts.Purpose.LOCK)) {
          out.add(w.request().owner());
        }
      }
    }
    return out;
  }

  private StoreError deadlock(LockOwner waiter, List<LockOwner> cycle, Deferred d) {
    d.event(new LockEvent.Deadlock(waiter, cycle));
    return LockErrors.deadlock(waiter.id(), cycle.stream().map(LockOwner::id).toList());
  }

  /** Releases a courtesy client's locks that conflict with {@code req} on this file. */
  private void revokeCourtesy(
      FileLockTable t, LockClient client, LockRequest req, ByteRange range, Deferred d) {
    Map<LockOwner, List<Lock>> victims = new LinkedHashMap<>();
    t.forEachConflict(
        req.owner(),
        req.type(),
        range,
        Conflicts.Purpose.LOCK,
        l -> {
          if (l.client().equals(client)) {
            victims.computeIfAbsent(l.owner(), o -> new ArrayList<>()).add(l);
          }
        });
    for (Map.Entry<LockOwner, List<Lock>> e : victims.entrySet()) {
      LockFlavour flavour = e.getValue().get(0).flavour();
      release(
          t,
          e.getKey(),
          flavour,
          new LockChange(e.getValue(), List.of(), null),
          LockEvent.ReleaseReason.REVOKED,
          d);
    }
  }

  /**
   * Keeps the restored marks of a release: removed restored records are gone, their pieces stay
   * restored. Only the pieces of a restored record are marked (a piece lies inside its parent, and
   * an owner's POSIX records are disjoint): the pieces of a live (reclaimed) record that the same
   * release split stay live, so the end of grace does not drop them.
   */
  private void trackRestored(FileLockTable t, List<Lock> removed, List<Lock> added, Deferred d) {
    if (t.restored == null) {
      return;
    }
    int gone = 0;
    List<Lock> parents = new ArrayList<>(1);
    for (Lock l : removed) {
      if (t.restored.remove(l.id())) {
        gone++;
        parents.add(l);
      }
    }
    for (Lock piece : added) {
      for (Lock parent : parents) {
        if (parent.owner().equals(piece.owner()) && parent.range().encloses(piece.range())) {
          t.restored.add(piece.id());
          gone--;
          break;
        }
      }
    }
    settleRestored(t, gone, d);
  }

  private void trackRestored(
      FileLockTable t, List<org.dittofs.metadata.lock.LockId> removed, Deferred d) {
    if (t.restored == null) {
      return;
    }
    int gone = 0;
    for (org.dittofs.metadata.lock.LockId id : removed) {
      if (t.restored.remove(id)) {
        gone++;
      }
    }
    settleRestored(t, gone, d);
  }

  /** Counts restored records that left a table; ends grace early once none is outstanding. */
  void settleRestored(FileLockTable t, int gone, Deferred d) {
    if (t.restored != null && t.restored.isEmpty()) {
      t.restored = null;
    }
    if (gone != 0 && grace.restoredGone(gone)) {
      d.later(endGraceEarly);
    }
  }

  /**
   * Notes the file among the request's client's files (for releasing the client), unless the table
   * remembers doing so already for this very client state: the common run of grants by one client
   * on one file then pays no set insertion. The memory is forgotten when the client's locks on the
   * file are released as a whole ({@link #forgetClients}), which is when the file leaves the set.
   * The request's client was touched by the request's validation; this does not touch it again.
   */
  void recordClient(FileLockTable t, LockRequest req) {
    ClientState s = clients.state(req.client(), t);
    if (t.recordedClient != s) {
      s.files.add(req.file());
      t.recordedClient = s;
    }
  }

  /** Forgets which client {@link #recordClient} noted last on this table. */
  static void forgetClients(FileLockTable t) {
    t.recordedClient = null;
  }

  /**
   * The operations that restore the store's records of a change that was not applied in memory: its
   * new records deleted, the records it removed put back.
   */
  static List<LockStoreOp> undo(LockChange ch) {
    List<LockStoreOp> ops = new ArrayList<>(ch.removed().size() + ch.added().size());
    for (Lock l : ch.added()) {
      ops.add(new LockStoreOp.Delete(l.id().toString()));
    }
    for (Lock l : ch.removed()) {
      ops.add(new LockStoreOp.Put(PersistedLock.of(l)));
    }
    return ops;
  }

  static List<LockStoreOp> ops(LockChange ch) {
    List<LockStoreOp> ops = new ArrayList<>(ch.removed().size() + ch.added().size());
    for (Lock l : ch.removed()) {
      ops.add(new LockStoreOp.Delete(l.id().toString()));
    }
    for (Lock l : ch.added()) {
      ops.add(new LockStoreOp.Put(PersistedLock.of(l)));
    }
    return ops;
  }
}
