package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.lock.Lock;

/**
 * One owner's locks on one file, sorted by (first byte unsigned, id). For a POSIX owner the locks
 * are disjoint, so their last bytes are sorted too and the locks overlapping or touching a range
 * are a contiguous run found by binary search. Not thread-safe: guarded by the owning {@link
 * FileLockTable}'s monitor.
 */
final class OwnerLocks {
  private final ArrayList<Lock> locks = new ArrayList<>(2);

  /**
   * The owner's entry in the manager's {@link OwnerRegistry}, cached here so that a grant or
   * release counts the owner's records without a map lookup; null until first used, replaced if the
   * registry swept it. Written under the table's monitor, like everything here.
   */
  OwnerRegistry.Entry registryEntry;

  int size() {
    return locks.size();
  }

  boolean isEmpty() {
    return locks.isEmpty();
  }

  void add(Lock lock) {
    int i = indexOf(lock);
    locks.add(i < 0 ? -i - 1 : i, lock);
  }

  void remove(Lock lock) {
    int i = indexOf(lock);
    if (i < 0) {
      throw new IllegalStateException("lock table corrupt: " + lock + " missing from owner index");
    }
    locks.remove(i);
  }

  /**
   * The POSIX owner's locks that hold a byte of {@code [lo, hi]} (unsigned), in order. Valid only
   * for disjoint locks (POSIX owners).
   */
  List<Lock> disjointOverlapping(long lo, long hi) {
    int n = locks.size();
    int a = 0;
    int b = n;
    while (a < b) { // first index whose last >= lo
      int m = (a + b) >>> 1;
      if (Long.compareUnsigned(locks.get(m).range().last(), lo) < 0) {
        a = m + 1;
      } else {
        b = m;
      }
    }
    int end = a;
    while (end < n && Long.compareUnsigned(locks.get(end).range().first(), hi) <= 0) {
      end++;
    }
    // immutable and, for the usual zero or one lock, without a copy (callers only read it)
    return switch (end - a) {
      case 0 -> List.of();
      case 1 -> List.of(locks.get(a));
      default -> List.copyOf(locks.subList(a, end));
    };
  }

  /** The locks whose first byte is {@code first}, in id order (WINDOWS exact-match lookups). */
  List<Lock> startingAt(long first) {
    int a = 0;
    int b = locks.size();
    while (a < b) {
      int m = (a + b) >>> 1;
      if (Long.compareUnsigned(locks.get(m).range().first(), first) < 0) {
        a = m + 1;
      } else {
        b = m;
      }
    }
    int end = a;
    while (end < locks.size() && locks.get(end).range().first() == first) {
      end++;
    }
    return locks.subList(a, end);
  }

  /** Every lock, in order (snapshots). */
  List<Lock> all() {
    return locks;
  }

  private int indexOf(Lock lock) {
    int a = 0;
    int b = locks.size() - 1;
    while (a <= b) {
      int m = (a + b) >>> 1;
      Lock x = locks.get(m);
      int c = Long.compareUnsigned(x.range().first(), lock.range().first());
      if (c == 0) {
        c = x.id().compareTo(lock.id());
      }
      if (c < 0) {
        a = m + 1;
      } else if (c > 0) {
        b = m - 1;
      } else {
        return m;
      }
    }
    return -(a + 1);
  }
}
