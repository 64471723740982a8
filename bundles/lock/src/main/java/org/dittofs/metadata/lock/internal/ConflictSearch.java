package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;

/**
 * What a request meets on a file (SPEC 3, 5, 9): the granted lock it conflicts with, revoking a
 * courtesy client's conflicting locks on the way, else under FIFO fairness a conflicting waiter
 * queued before it; and, for a request that must wait, the owners it waits on. Acquire, test,
 * reclaim and the waiters' re-check all ask here, so they decide alike.
 *
 * <p>Who is a courtesy client is {@link CourtesyClients}' decision, on one node and across the
 * nodes of a cluster.
 *
 * <p>Concurrency: no state of its own; called under the table's monitor (in a lane's fast path,
 * under the lane's lock: a conflict found there sends the request to the slow path, {@link Lanes}).
 */
final class ConflictSearch {
  private final LiveConfig config;
  private final PosixChanges posix;
  private final ClientRegistry clients;
  private final TableOps ops;
  private final CourtesyClients courtesy;

  ConflictSearch(
      LiveConfig config, ClientRegistry clients, TableOps ops, CourtesyClients courtesy) {
    this.config = config;
    this.posix = ops.posix();
    this.clients = clients;
    this.ops = ops;
    this.courtesy = courtesy;
  }

  /**
   * The conflict a request meets: a granted lock (revoking courtesy clients' conflicting locks on
   * the way when {@code revoke}), else under FIFO fairness a conflicting waiter queued before
   * {@code self} (all waiters when {@code self} is null). Null if it can be granted now.
   */
  Lock conflict(FileLockTable t, LockRequest req, Waiter self, Deferred d, boolean revoke) {
    boolean weakens = posix.weakens(t, req);
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
    if (t.hasWaiters() && config.get().fairness() == LockConfig.Fairness.FIFO) {
      Lock first = null;
      for (Waiter w : t.waiters()) {
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
              revoke ? l -> true : l -> !courtesy.revocable(l.client(), req.client(), false));
      if (c == null) {
        return null;
      }
      t.requireMain(); // in a lane: nothing is revoked there, the whole file decides
      if (!courtesy.revocable(c.client(), req.client(), revoke)) {
        return c;
      }
      revokeCourtesy(t, c.client(), req, range, d);
    }
  }

  /** Releases a courtesy client's locks that conflict with {@code req} on this file. */
  private void revokeCourtesy(
      FileLockTable t, LockClient client, LockRequest req, ByteRange range, Deferred d) {
    List<Lock> victims = new ArrayList<>();
    t.forEachConflict(
        req.owner(),
        req.type(),
        range,
        Conflicts.Purpose.LOCK,
        l -> {
          if (l.client().equals(client)) {
            victims.add(l);
          }
        });
    ops.releaseEach(t, victims, LockEvent.ReleaseReason.REVOKED, d);
  }

  /**
   * What a waiter waits on: the owners it waits on and the first moment a lease that may free it
   * runs out ({@link ClientRegistry#firstCourtesy}: of the clients holding the granted locks that
   * block it, {@link ClientRegistry#NEVER} if none).
   */
  record Blockers(Set<LockOwner> owners, long courtesyAt) {}

  /**
   * The owners {@code req} waits on, exactly as {@link #conflict} decides: owners of the granted
   * locks that conflict with the record the grant would leave (a POSIX request's coalesced span,
   * which contains its range) and, under FIFO fairness and unless the request is a downgrade (which
   * never waits behind waiters), of the conflicting waiters queued before it; and when one of the
   * clients holding those locks becomes a courtesy client, whose locks the request would revoke.
   */
  Blockers blockers(FileLockTable t, LockRequest req, Waiter self) {
    Set<LockOwner> out = new HashSet<>();
    Set<LockClient> holders = new HashSet<>();
    ByteRange span = req.flavour() == LockFlavour.POSIX ? posix.coalescedSpan(t, req) : req.range();
    t.forEachConflict(
        req.owner(),
        req.type(),
        span,
        Conflicts.Purpose.LOCK,
        l -> {
          out.add(l.owner());
          holders.add(l.client());
        });
    if (config.get().fairness() == LockConfig.Fairness.FIFO && !posix.weakens(t, req)) {
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
    return new Blockers(out, clients.firstCourtesy(holders, req.client()));
  }
}
