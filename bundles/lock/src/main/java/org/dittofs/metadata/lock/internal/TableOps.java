package org.dittofs.metadata.lock.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * The changes every operation on a file shares, all called with the file table's monitor held:
 * grant (owner count, limits, then the store, then memory) and release (memory, then a queued store
 * write) of lock records, and the close of opens. The order of a grant is what makes SPEC 10 hold:
 * nothing is applied in memory before the store took it, and a refusal at any step gives back what
 * earlier steps counted. Conflicts are decided before, by {@link ConflictSearch}.
 *
 * <p>Concurrency: no state of its own (its collaborators guard theirs); called under the table's
 * monitor (on a lane's table in its fast path: under the lane's lock, {@link Lanes}).
 */
final class TableOps {
  private final LockScheduler scheduler;
  private final PosixChanges posix;
  private final WindowsChanges windows;
  private final OwnerRegistry owners;
  private final LockLimits limits;
  private final ClientRegistry clients;
  private final StoreWriter writer;
  private final RestoredMarks restored;

  TableOps(
      LockScheduler scheduler,
      LockIdGenerator ids,
      OwnerRegistry owners,
      LockLimits limits,
      ClientRegistry clients,
      StoreWriter writer,
      RestoredMarks restored) {
    this.scheduler = scheduler;
    this.posix = new PosixChanges(ids);
    this.windows = new WindowsChanges(ids);
    this.owners = owners;
    this.limits = limits;
    this.clients = clients;
    this.writer = writer;
    this.restored = restored;
  }

  OwnerRegistry owners() {
    return owners;
  }

  PosixChanges posix() {
    return posix;
  }

  WindowsChanges windows() {
    return windows;
  }

  /** The change a grant of {@code req} makes. */
  LockChange changeFor(FileLockTable t, LockRequest req) {
    return changeFor(t, req, scheduler.now());
  }

  /** As {@link #changeFor(FileLockTable, LockRequest)}, stamped {@code now}. */
  LockChange changeFor(FileLockTable t, LockRequest req, Instant now) {
    return req.flavour() == LockFlavour.POSIX
        ? posix.grant(t, req, now)
        : windows.grant(t, req, now);
  }

  /**
   * Grants a computed change: owner flavour, limits (not for reclaims), the store, then memory. A
   * downgrade ({@link PosixChanges#weakens}) is handled like a release: counted without limit
   * checks, applied at once with its store write queued; like every change of the table, it has the
   * waiters re-checked when the operation ends ({@link FileLockTable#changes}).
   *
   * @return the record to answer with
   * @throws StoreError INVALID_ARGUMENT, LOCK_LIMIT_EXCEEDED or STORE_UNAVAILABLE; nothing changed
   */
  Lock grant(FileLockTable t, LockRequest req, LockChange ch, boolean reclaim, Deferred d) {
    return grant(t, req, ch, reclaim, LockLimits.Check.CHECK, d);
  }

  /**
   * As {@link #grant(FileLockTable, LockRequest, LockChange, boolean, Deferred)}, checking the
   * per-client limit as {@code check} says (cluster mode, {@link LockLimits}).
   *
   * @throws ClientRecount for {@link LockLimits.Check#RECOUNT_FIRST}; nothing changed
   */
  Lock grant(
      FileLockTable t,
      LockRequest req,
      LockChange ch,
      boolean reclaim,
      LockLimits.Check check,
      Deferred d) {
    if (ch.isEmpty()) {
      if (d.wantsEvents()) {
        d.event(new LockEvent.Granted(ch.result(), 0, reclaim));
      }
      return ch.result();
    }
    boolean downgrade = !reclaim && posix.weakens(t, req);
    int delta = ch.delta();
    OwnerLocks index = t.ownerIndex(req.owner());
    owners.granting(index, req.owner(), req.flavour(), delta);
    try {
      if (reclaim || downgrade) {
        limits.count(index, ch, clients);
      } else {
        limits.reserve(t, index, ch, clients, d, check);
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
      owners.undo(index, req.owner(), req.flavour(), delta);
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
   * Applies a release of one owner's records at once and queues its store write. Waiters are
   * re-checked when the whole operation is done ({@link LockTables#run}).
   */
  void release(FileLockTable t, LockChange ch, LockEvent.ReleaseReason reason, Deferred d) {
    forget(t, ch, reason, d);
    if (!ch.isEmpty() && writer.persisting()) {
      writer.writeAsync(ops(ch));
    }
  }

  /**
   * Applies a release in memory only (the store already has it, or is written by the caller). A
   * release that changes anything removes records of one owner (pieces it keeps are added): the
   * first removed record names the owner, its flavour and the file.
   */
  void forget(FileLockTable t, LockChange ch, LockEvent.ReleaseReason reason, Deferred d) {
    if (ch.isEmpty()) {
      return;
    }
    Lock first = ch.removed().get(0);
    LockOwner owner = first.owner();
    t.apply(ch);
    OwnerLocks index = t.ownerIndex(owner);
    owners.released(index, owner, first.flavour(), ch.delta(), first.file());
    limits.count(index, ch, clients);
    restored.released(t, ch.removed(), ch.added(), d);
    if (d.wantsEvents()) {
      d.event(new LockEvent.Released(owner, first.file(), ch.removed(), ch.delta(), reason));
    }
  }

  /**
   * Releases the table's locks that {@code which} accepts, owner by owner (in the order of the
   * table), queuing their store writes. Returns how many.
   */
  int releaseWhere(
      FileLockTable t, Predicate<Lock> which, LockEvent.ReleaseReason reason, Deferred d) {
    List<Lock> victims = new ArrayList<>();
    for (Lock l : t.locks()) {
      if (which.test(l)) {
        victims.add(l);
      }
    }
    releaseEach(t, victims, reason, d);
    return victims.size();
  }

  /** Releases the given records, owner by owner in the order of the list; queues the writes. */
  void releaseEach(
      FileLockTable t, List<Lock> victims, LockEvent.ReleaseReason reason, Deferred d) {
    byOwner(victims).forEach(ch -> release(t, ch, reason, d));
  }

  /** Forgets the given records in memory only, owner by owner in the order of the list. */
  void forgetEach(FileLockTable t, List<Lock> victims, LockEvent.ReleaseReason reason, Deferred d) {
    byOwner(victims).forEach(ch -> forget(t, ch, reason, d));
  }

  /** The records grouped by owner (in the order of the list) as one release each. */
  private static List<LockChange> byOwner(List<Lock> locks) {
    Map<LockOwner, List<Lock>> mine = new LinkedHashMap<>();
    for (Lock l : locks) {
      mine.computeIfAbsent(l.owner(), o -> new ArrayList<>()).add(l);
    }
    List<LockChange> out = new ArrayList<>(mine.size());
    mine.values().forEach(removed -> out.add(new LockChange(removed, List.of(), null)));
    return out;
  }

  /** Closes an open at once and queues its delete. */
  void close(FileLockTable t, ShareReservation open, LockEvent.ReleaseReason reason, Deferred d) {
    forget(t, open, reason, d);
    writer.writeAsync(List.of(new LockStoreOp.Delete(open.id().toString())));
  }

  /** Closes an open in memory only. */
  void forget(FileLockTable t, ShareReservation open, LockEvent.ReleaseReason reason, Deferred d) {
    t.opens.remove(open);
    restored.closed(t, open.id(), d);
    d.event(new LockEvent.Closed(open, reason));
  }

  /**
   * Notes the file among the request's client's files (for releasing the client), unless the
   * owner's index on the file remembers doing so already for this very client state ({@link
   * OwnerLocks#client}): the common run of grants by one owner on one file then pays no set
   * insertion and no map lookup, and so do owners taking turns on a hot file. The memory is
   * forgotten when the client's locks on the file are released as a whole ({@link #forgetClients}),
   * which is when the file leaves the set. The request's client was touched by the request's
   * validation; this does not touch it again.
   */
  void recordClient(FileLockTable t, LockRequest req) {
    OwnerLocks own = t.ownerIndex(req.owner());
    ClientState s = clients.state(req.client(), own);
    if (own.client != s) {
      // a lock-free look first: adding a file the set holds already still locks its bin
      if (!s.files.contains(req.file())) {
        s.files.add(req.file());
      }
      own.client = s;
    }
  }

  /** Forgets the clients {@link #recordClient} noted on this table (the file left their sets). */
  static void forgetClients(FileLockTable t) {
    t.forgetClients();
  }

  /** The deletes of every record of {@code locks} and {@code opens}. */
  static List<LockStoreOp> deletes(List<Lock> locks, List<ShareReservation> opens) {
    List<LockStoreOp> out = new ArrayList<>(locks.size() + opens.size());
    locks.forEach(l -> out.add(new LockStoreOp.Delete(l.id().toString())));
    opens.forEach(o -> out.add(new LockStoreOp.Delete(o.id().toString())));
    return out;
  }

  /**
   * The operations that restore the store's records of a change that was not applied in memory: its
   * new records deleted, the records it removed put back.
   */
  static List<LockStoreOp> undo(LockChange ch) {
    return ops(ch.added(), ch.removed());
  }

  static List<LockStoreOp> ops(LockChange ch) {
    return ops(ch.removed(), ch.added());
  }

  private static List<LockStoreOp> ops(List<Lock> deleted, List<Lock> put) {
    List<LockStoreOp> ops = new ArrayList<>(deleted.size() + put.size());
    for (Lock l : deleted) {
      ops.add(new LockStoreOp.Delete(l.id().toString()));
    }
    for (Lock l : put) {
      ops.add(new LockStoreOp.Put(PersistedLock.of(l)));
    }
    return ops;
  }
}
