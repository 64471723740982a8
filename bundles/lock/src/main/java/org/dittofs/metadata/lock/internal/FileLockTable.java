package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;

/**
 * The lock state of one file: its locks, indexed twice, and its opens.
 *
 * <p>Indexes: {@code shared} and {@code exclusive} hold every lock by type in an {@link
 * IntervalTree}, so a SHARED request searches only the EXCLUSIVE locks (nothing SHARED can conflict
 * with it) and the many-readers case stays O(log n); {@code byOwner} holds each owner's locks
 * sorted, for POSIX replacement and WINDOWS exact-match release. Invariant: a lock is in exactly
 * one tree and in its owner's {@link OwnerLocks}, or in none of them.
 *
 * <p>Concurrency: every field is guarded by this object's monitor ({@code synchronized (table)}),
 * held by {@link DefaultLockManager} for the whole of each operation on the file. {@code retired}
 * is set, under the monitor, when the empty table is removed from the manager's map; a caller that
 * finds it set after taking the monitor retries with the map's current table.
 */
final class FileLockTable {
  private final IntervalTree shared = new IntervalTree();
  private final IntervalTree exclusive = new IntervalTree();
  private final Map<LockOwner, OwnerLocks> byOwner = new HashMap<>(4);
  final OpenTable opens = new OpenTable();

  /** Pending blocking requests in FIFO order; null while there are none. */
  List<Waiter> waiters;

  /** Ids of restored records (locks and opens) not reclaimed yet; null outside grace. */
  Set<LockId> restored;

  boolean retired;

  /**
   * The conflicting lock with the lowest first byte, then the oldest, among the locks that {@code
   * applies} accepts; null if none conflicts.
   */
  Lock firstConflict(
      LockOwner owner,
      LockType type,
      ByteRange range,
      Conflicts.Purpose purpose,
      Predicate<Lock> applies) {
    long qFirst;
    long qLast = range.last();
    if (range.isZeroLength()) {
      if (range.first() == 0) {
        return null; // a zero-length range at 0 never conflicts
      }
      qFirst = range.first() - 1;
    } else {
      qFirst = range.first();
    }
    Predicate<Lock> conflicting =
        held -> applies.test(held) && Conflicts.conflicts(held, owner, type, range, purpose);
    Lock c = exclusive.first(qFirst, qLast, conflicting);
    if (type == LockType.EXCLUSIVE) {
      Lock s = shared.first(qFirst, qLast, conflicting);
      if (c == null || (s != null && order(s, c) < 0)) {
        c = s;
      }
    }
    return c;
  }

  /** Calls {@code action} for every lock that conflicts, in (first, id) order per type. */
  void forEachConflict(
      LockOwner owner,
      LockType type,
      ByteRange range,
      Conflicts.Purpose purpose,
      java.util.function.Consumer<Lock> action) {
    if (range.isZeroLength() && range.first() == 0) {
      return;
    }
    long qFirst = range.isZeroLength() ? range.first() - 1 : range.first();
    java.util.function.Consumer<Lock> filter =
        held -> {
          if (Conflicts.conflicts(held, owner, type, range, purpose)) {
            action.accept(held);
          }
        };
    exclusive.forEachOverlapping(qFirst, range.last(), filter);
    if (type == LockType.EXCLUSIVE) {
      shared.forEachOverlapping(qFirst, range.last(), filter);
    }
  }

  boolean isRestored(LockId id) {
    return restored != null && restored.contains(id);
  }

  List<Waiter> waiters() {
    return waiters == null ? List.of() : waiters;
  }

  void addWaiter(Waiter w) {
    if (waiters == null) {
      waiters = new ArrayList<>(2);
    }
    waiters.add(w);
  }

  boolean removeWaiter(Waiter w) {
    if (waiters == null || !waiters.remove(w)) {
      return false;
    }
    if (waiters.isEmpty()) {
      waiters = null;
    }
    return true;
  }

  /** The owner's locks on this file, or null if it holds none. */
  OwnerLocks ownerLocks(LockOwner owner) {
    return byOwner.get(owner);
  }

  /** Applies a change computed against the current state. */
  void apply(LockChange change) {
    for (Lock l : change.removed()) {
      remove(l);
    }
    for (Lock l : change.added()) {
      add(l);
    }
  }

  /** Reverts a change applied by {@link #apply}. */
  void undo(LockChange change) {
    for (Lock l : change.added()) {
      remove(l);
    }
    for (Lock l : change.removed()) {
      add(l);
    }
  }

  void add(Lock l) {
    (l.exclusive() ? exclusive : shared).insert(l);
    byOwner.computeIfAbsent(l.owner(), o -> new OwnerLocks()).add(l);
  }

  void remove(Lock l) {
    if (!(l.exclusive() ? exclusive : shared).remove(l)) {
      throw new IllegalStateException("lock table corrupt: " + l + " missing from its tree");
    }
    OwnerLocks own = byOwner.get(l.owner());
    own.remove(l);
    if (own.isEmpty()) {
      byOwner.remove(l.owner());
    }
  }

  int lockCount() {
    return shared.size() + exclusive.size();
  }

  boolean isEmpty() {
    return shared.isEmpty() && exclusive.isEmpty() && opens.isEmpty() && waiters == null;
  }

  /** Every lock, ordered by first byte, then id. */
  List<Lock> locks() {
    List<Lock> a = new ArrayList<>(shared.size());
    shared.forEach(a::add);
    List<Lock> b = new ArrayList<>(exclusive.size());
    exclusive.forEach(b::add);
    List<Lock> out = new ArrayList<>(a.size() + b.size());
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (j == b.size() || (i < a.size() && order(a.get(i), b.get(j)) < 0)) {
        out.add(a.get(i++));
      } else {
        out.add(b.get(j++));
      }
    }
    return out;
  }

  /** Every owner's index, for invariant checks. */
  Map<LockOwner, OwnerLocks> owners() {
    return byOwner;
  }

  /** The order of reports and snapshots: first byte (unsigned), then id (oldest first). */
  static int order(Lock a, Lock b) {
    int c = Long.compareUnsigned(a.range().first(), b.range().first());
    return c != 0 ? c : a.id().compareTo(b.id());
  }
}
