package org.dittofs.metadata.lock.internal;

import java.util.function.Consumer;
import java.util.function.Predicate;
import org.dittofs.metadata.lock.LockOwner;

/**
 * A file's owner indexes by owner: an open-addressing hash table (linear probing) of {@link
 * OwnerLocks}, each carrying its owner as its key; entries leave only by {@link #removeIf} (the
 * sweep of idle indexes), which rebuilds the table. One array slot per entry and no entry object:
 * with a hundred owners holding one lock each on a file, this is about a third of what a {@code
 * HashMap} of the same entries retains.
 *
 * <p>Not thread-safe: guarded by the owning {@link FileLockTable}'s monitor.
 */
final class OwnerIndex {
  private static final OwnerLocks[] NONE = new OwnerLocks[0];

  private OwnerLocks[] slots = NONE; // length 0 or a power of two, at most 4/5 full
  private int size;

  int size() {
    return size;
  }

  /** The owner's index, or null. */
  OwnerLocks get(LockOwner owner) {
    OwnerLocks[] s = slots;
    if (size == 0) {
      return null;
    }
    int mask = s.length - 1;
    for (int i = spread(owner.hashCode()) & mask; ; i = (i + 1) & mask) {
      OwnerLocks e = s[i];
      if (e == null) {
        return null;
      }
      if (e.owner == owner || e.owner.equals(owner)) {
        return e;
      }
    }
  }

  /** Adds an index whose owner has none here yet. */
  void add(OwnerLocks own) {
    if (5 * (size + 1) > 4 * slots.length) {
      grow();
    }
    insert(slots, own);
    size++;
  }

  /** Removes the indexes that {@code which} accepts. */
  void removeIf(Predicate<OwnerLocks> which) {
    OwnerLocks[] old = slots;
    OwnerLocks[] next = new OwnerLocks[old.length];
    int kept = 0;
    for (OwnerLocks e : old) {
      if (e != null && !which.test(e)) {
        insert(next, e);
        kept++;
      }
    }
    slots = next;
    size = kept;
  }

  void forEach(Consumer<OwnerLocks> action) {
    for (OwnerLocks e : slots) {
      if (e != null) {
        action.accept(e);
      }
    }
  }

  private void grow() {
    OwnerLocks[] old = slots;
    OwnerLocks[] next = new OwnerLocks[old.length == 0 ? 4 : 2 * old.length];
    for (OwnerLocks e : old) {
      if (e != null) {
        insert(next, e);
      }
    }
    slots = next;
  }

  private static void insert(OwnerLocks[] s, OwnerLocks own) {
    int mask = s.length - 1;
    int i = spread(own.owner.hashCode()) & mask;
    while (s[i] != null) {
      i = (i + 1) & mask;
    }
    s[i] = own;
  }

  private static int spread(int h) {
    int x = h * 0x9E3779B1;
    return x ^ (x >>> 16);
  }
}
