package org.dittofs.metadata.lock.internal;

import java.util.Arrays;
import java.util.List;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockOwner;

/**
 * One owner's locks on one file, sorted by (first byte unsigned, id). For a POSIX owner the locks
 * are disjoint, so their last bytes are sorted too and the locks overlapping or touching a range
 * are a contiguous run found by binary search.
 *
 * <p>Compact for the usual owner with one lock on a file: that lock sits in the field {@code held};
 * an array, kept there once made, holds them from the second on (one field for both keeps the
 * object at 40 bytes with compressed references, 32 before the registry's pin and count were kept
 * here: with a hundred owners holding one lock each on a file, this object is retained per lock).
 * With its owner inside, it is also its own entry in the file's {@link OwnerIndex}.
 *
 * <p>Not thread-safe: guarded by the owning {@link FileLockTable}'s monitor (a lane's table: its
 * lane's lock).
 */
class OwnerLocks {
  /** The longest shift of the array done by a loop rather than {@code System.arraycopy}. */
  static final int SHIFT_BY_HAND = 4;

  final LockOwner owner;

  /**
   * The owner's entry in the manager's {@link OwnerRegistry}, cached here so that a grant or
   * release counts the owner's records without a map lookup; null until first used, replaced if the
   * registry swept it. Written under the table's monitor, like everything here.
   */
  OwnerRegistry.Entry registryEntry;

  /**
   * The file, while this index holds a pin ({@link OwnerRegistry}, "pins": the count of its last
   * record kept when it emptied, so that the owner's next lock here counts nothing); else null.
   * Under the table's monitor, like everything here.
   */
  FileHandle pinnedOn;

  /**
   * The owner's records here that the registry counts ({@link OwnerRegistry#adjust}): the records
   * of the index but while a change is tried out and taken back (a multi-range lock's trial, {@link
   * RangeLocks}), whose records are never counted. Under the table's monitor.
   */
  int counted;

  /**
   * The client state whose file set holds this file, as last recorded by a grant of this owner
   * ({@link TableOps#recordClient}), or null: the owner's next requests find their client here
   * without a map lookup, also while several owners take turns on a hot file (one memo per file
   * missed on every turn). Cleared when the file leaves a client's set ({@link
   * FileLockTable#forgetClients}). Under the table's monitor, like everything here.
   */
  ClientState client;

  /**
   * The lock (or null) while the owner has held at most one here; from the time it held two, the
   * locks in a {@code Lock[]}, sorted, of which the first {@code size} are in use.
   */
  private Object held;

  private int size;

  OwnerLocks(LockOwner owner) {
    this.owner = owner;
  }

  /**
   * This index as a lane's table holds it ({@link Padded}): itself if it is one already (a lane's
   * before a dissolution), else a copy with the same locks, client memo, registry entry and pin.
   */
  OwnerLocks padded() {
    if (this instanceof Padded) {
      return this;
    }
    OwnerLocks c = new Padded(owner);
    c.client = client;
    c.registryEntry = registryEntry;
    c.pinnedOn = pinnedOn; // the copy takes the pin and the count over: this one is let go
    c.counted = counted;
    pinnedOn = null;
    for (Lock l : all()) {
      c.add(l);
    }
    return c;
  }

  /**
   * An owner's index in a lane's table: padded after its fields ({@link Lane}, "layout"), 64 bytes
   * more than the 40 of a file table's index (see the class comment); it stays padded when a
   * dissolution gives it back to the file's table.
   */
  static final class Padded extends OwnerLocks {
    long q0, q1, q2, q3, q4, q5, q6, q7;

    Padded(LockOwner owner) {
      super(owner);
    }
  }

  /** An index with no owner attached (tests of the ordering alone). */
  OwnerLocks() {
    this(null);
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The lock with the lowest (first byte, id); the index must not be empty. */
  Lock first() {
    return held instanceof Lock[] a ? a[0] : (Lock) held;
  }

  void add(Lock lock) {
    Lock[] many;
    if (held instanceof Lock[] a) {
      many = a;
    } else {
      if (size == 0) {
        held = lock;
        size = 1;
        return;
      }
      many = new Lock[4];
      many[0] = (Lock) held;
      held = many;
    }
    int i = indexOf(lock);
    int at = i < 0 ? -i - 1 : i;
    if (size == many.length) {
      many = Arrays.copyOf(many, 2 * size);
      held = many;
    }
    shift(many, at, at + 1, size - at);
    many[at] = lock;
    size++;
  }

  void remove(Lock lock) {
    int i = indexOf(lock);
    if (i < 0) {
      throw new IllegalStateException("lock table corrupt: " + lock + " missing from owner index");
    }
    if (!(held instanceof Lock[] many)) {
      held = null;
      size = 0;
      return;
    }
    shift(many, i + 1, i, size - i - 1);
    many[--size] = null;
  }

  /**
   * Moves {@code count} references from {@code from} to {@code to} within {@code a}. A few are
   * moved one by one: {@code System.arraycopy} of references into an old array (an owner's index
   * outlives many requests) ends in a G1 runtime call that dirties the range's cards behind a
   * StoreLoad fence, which costs more than a short loop (measured: an owner holding 2 more locks on
   * the file, 10-25% of a lock+unlock pair; breakeven near 8 references, see benchmarks/README.md).
   */
  private static void shift(Lock[] a, int from, int to, int count) {
    if (count > SHIFT_BY_HAND) {
      System.arraycopy(a, from, a, to, count);
    } else if (to > from) {
      for (int k = count - 1; k >= 0; k--) {
        a[to + k] = a[from + k];
      }
    } else {
      for (int k = 0; k < count; k++) {
        a[to + k] = a[from + k];
      }
    }
  }

  /**
   * The POSIX owner's locks that hold a byte of {@code [lo, hi]} (unsigned), in order. Valid only
   * for disjoint locks (POSIX owners).
   */
  List<Lock> disjointOverlapping(long lo, long hi) {
    if (!(held instanceof Lock[] a)) {
      Lock one = (Lock) held;
      return size == 1
              && Long.compareUnsigned(one.range().last(), lo) >= 0
              && Long.compareUnsigned(one.range().first(), hi) <= 0
          ? List.of(one)
          : List.of();
    }
    int n = size;
    int from = 0;
    int to = n;
    while (from < to) { // first index whose last >= lo
      int m = (from + to) >>> 1;
      if (Long.compareUnsigned(a[m].range().last(), lo) < 0) {
        from = m + 1;
      } else {
        to = m;
      }
    }
    int end = from;
    while (end < n && Long.compareUnsigned(a[end].range().first(), hi) <= 0) {
      end++;
    }
    // immutable and, for the usual zero or one lock, without a copy (callers only read it)
    return switch (end - from) {
      case 0 -> List.of();
      case 1 -> List.of(a[from]);
      default -> List.copyOf(Arrays.asList(a).subList(from, end));
    };
  }

  /** The locks whose first byte is {@code first}, in id order (WINDOWS exact-match lookups). */
  List<Lock> startingAt(long first) {
    if (!(held instanceof Lock[] many)) {
      Lock one = (Lock) held;
      return size == 1 && one.range().first() == first ? List.of(one) : List.of();
    }
    int from = 0;
    int to = size;
    while (from < to) {
      int m = (from + to) >>> 1;
      if (Long.compareUnsigned(many[m].range().first(), first) < 0) {
        from = m + 1;
      } else {
        to = m;
      }
    }
    int end = from;
    while (end < size && many[end].range().first() == first) {
      end++;
    }
    return Arrays.asList(many).subList(from, end);
  }

  /** Every lock, in order (a copy). */
  List<Lock> all() {
    if (!(held instanceof Lock[] many)) {
      return size == 0 ? List.of() : List.of((Lock) held);
    }
    return List.copyOf(Arrays.asList(many).subList(0, size));
  }

  private int indexOf(Lock lock) {
    if (!(held instanceof Lock[] many)) {
      if (size == 0) {
        return -1;
      }
      int c = FileLockTable.order((Lock) held, lock);
      return c == 0 ? 0 : c < 0 ? -2 : -1;
    }
    return IntervalTree.indexOf(many, size, lock);
  }
}
