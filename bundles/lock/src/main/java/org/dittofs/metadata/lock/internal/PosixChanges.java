package org.dittofs.metadata.lock.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;

/**
 * POSIX grant and release as changes of one owner's records (SPEC 4). An owner's POSIX locks on a
 * file are disjoint and no two of the same type touch; both computations keep that invariant.
 * Conflicts with other owners are checked by the caller first; these functions only rewrite the
 * owner's own records.
 *
 * <p>Concurrency: no state of its own; called under the table's monitor (on a lane's table: under
 * the lane's lock, {@link Lanes}).
 */
final class PosixChanges {
  private final LockIdGenerator ids;

  PosixChanges(LockIdGenerator ids) {
    this.ids = ids;
  }

  /**
   * The change that makes the owner hold {@code req.range()} with {@code req.type()}: same-type
   * locks that overlap or touch the range are coalesced with it into one record; other-type locks
   * lose the bytes of the range (keeping up to two pieces).
   */
  LockChange grant(FileLockTable table, LockRequest req, Instant now) {
    ByteRange r = req.range();
    long f = r.first();
    long l = r.last();
    OwnerLocks own = table.ownerLocks(req.owner());
    List<Lock> near =
        own == null
            ? List.of()
            : own.disjointOverlapping(f == 0 ? 0 : f - 1, l == ByteRange.MAX ? l : l + 1);
    if (near.isEmpty()) { // nothing of the owner's to merge or split: the request's range as it is
      Lock granted = newLock(table, req, r, req.type(), now);
      return new LockChange(List.of(), List.of(granted), granted);
    }
    List<Lock> removed = new ArrayList<>(near.size());
    List<Lock> added = new ArrayList<>(3);
    long newFirst = f;
    long newLast = l;
    for (Lock c : near) {
      ByteRange cr = c.range();
      if (c.type() == req.type() && !cr.overlaps(r) && table.isRestored(c.id())) {
        continue; // a restored record not reclaimed yet is never merged with live state
      }
      if (c.type() == req.type()) {
        if (cr.encloses(r)) {
          return LockChange.unchanged(c); // already held with this type: nothing changes
        }
        if (Long.compareUnsigned(cr.first(), newFirst) < 0) {
          newFirst = cr.first();
        }
        if (Long.compareUnsigned(cr.last(), newLast) > 0) {
          newLast = cr.last();
        }
        removed.add(c);
      } else if (cr.overlaps(r)) {
        removed.add(c);
        keepOutside(table, c, f, l, added);
      }
    }
    Lock granted = newLock(table, req, ByteRange.of(newFirst, newLast), req.type(), now);
    added.add(granted);
    return new LockChange(removed, added, granted);
  }

  /**
   * The range the owner's record will cover after a grant of {@code req}: the request widened by
   * the owner's same-type locks that overlap or touch it. Widening can make the record span a
   * boundary X-1|X where another owner holds a WINDOWS zero-length lock at X, so conflicts are
   * checked on this range too.
   */
  ByteRange coalescedSpan(FileLockTable table, LockRequest req) {
    ByteRange r = req.range();
    OwnerLocks own = table.ownerLocks(req.owner());
    if (own == null || own.first().flavour() != req.flavour()) {
      return r; // never merged with WINDOWS locks (an owner's queued request of its old flavour)
    }
    long f = r.first();
    long l = r.last();
    long newFirst = f;
    long newLast = l;
    for (Lock c : own.disjointOverlapping(f == 0 ? 0 : f - 1, l == ByteRange.MAX ? l : l + 1)) {
      ByteRange cr = c.range();
      if (c.type() != req.type() || (!cr.overlaps(r) && table.isRestored(c.id()))) {
        continue;
      }
      if (Long.compareUnsigned(cr.first(), newFirst) < 0) {
        newFirst = cr.first();
      }
      if (Long.compareUnsigned(cr.last(), newLast) > 0) {
        newLast = cr.last();
      }
    }
    return newFirst == f && newLast == l ? r : ByteRange.of(newFirst, newLast);
  }

  /**
   * Whether a POSIX request only keeps or weakens bytes its owner already holds: every byte of its
   * range is held by the owner with at least its type (a downgrade, or a no-op). Such a request
   * takes nothing from anyone, so no byte of it conflicts (no other owner's lock can conflict with
   * bytes the owner holds at least as strongly) and it never waits behind waiters; SPEC 4: a
   * downgrade always succeeds and wakes waiters; SPEC 10: it is never refused because the store is
   * down. The one conflict it can meet is a WINDOWS zero-length lock on a boundary between two of
   * the owner's records that its range or coalesced span joins (SPEC 2), checked by {@link
   * ConflictSearch#conflict}.
   */
  boolean weakens(FileLockTable t, LockRequest req) {
    if (req.flavour() != LockFlavour.POSIX) {
      return false;
    }
    OwnerLocks own = t.ownerLocks(req.owner());
    if (own == null || own.first().flavour() != LockFlavour.POSIX) {
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

  /** The change that removes the owner's bytes in {@code range}; empty if it holds none. */
  LockChange release(FileLockTable table, UnlockRequest req) {
    OwnerLocks own = table.ownerLocks(req.owner());
    if (own == null) {
      return LockChange.NONE;
    }
    long f = req.range().first();
    long l = req.range().last();
    List<Lock> hit = own.disjointOverlapping(f, l);
    if (hit.isEmpty()) {
      return LockChange.NONE;
    }
    List<Lock> added = List.of(); // pieces are rare: a list only when there are some
    for (Lock c : hit) {
      if (Long.compareUnsigned(c.range().first(), f) < 0
          || Long.compareUnsigned(c.range().last(), l) > 0) {
        if (added.isEmpty()) {
          added = new ArrayList<>(2);
        }
        keepOutside(table, c, f, l, added);
      }
    }
    return new LockChange(hit, added, null);
  }

  /** Adds the pieces of {@code c} before {@code f} and after {@code l}, with fresh ids. */
  private void keepOutside(FileLockTable table, Lock c, long f, long l, List<Lock> out) {
    ByteRange cr = c.range();
    if (Long.compareUnsigned(cr.first(), f) < 0) {
      out.add(piece(table, c, ByteRange.of(cr.first(), f - 1)));
    }
    if (Long.compareUnsigned(cr.last(), l) > 0) {
      out.add(piece(table, c, ByteRange.of(l + 1, cr.last())));
    }
  }

  /**
   * A remainder of {@code c}: same owner, type, acquisition time and epoch, new id. The epoch is
   * the cut record's, so a piece of a restored record is restored too (SPEC 11; in cluster mode a
   * record is restored by its older epoch, docs/cluster.md).
   */
  private Lock piece(FileLockTable table, Lock c, ByteRange range) {
    return new Lock(
        ids.next(table),
        c.owner(),
        c.client(),
        c.share(),
        c.file(),
        range,
        c.type(),
        c.flavour(),
        c.acquiredAt(),
        c.epoch());
  }

  private Lock newLock(
      FileLockTable table, LockRequest req, ByteRange range, LockType type, Instant now) {
    return new Lock(
        ids.next(table),
        req.owner(),
        req.client(),
        req.share(),
        req.file(),
        range,
        type,
        req.flavour(),
        now,
        ids.epoch());
  }
}
