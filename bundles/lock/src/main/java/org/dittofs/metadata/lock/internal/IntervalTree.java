package org.dittofs.metadata.lock.internal;

import java.util.function.Consumer;
import java.util.function.Predicate;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;

/**
 * The locks of one file (of one type), ordered by (first byte unsigned, id).
 *
 * <p>Two representations, like the bins of a {@code HashMap}: up to {@value #ARRAY_MAX} locks sit
 * in a sorted array that searches scan from the start (most files hold a handful of locks, and a
 * short scan of one array beats walking nodes: no node per lock, no pointer chasing); above that, a
 * treap whose nodes carry the largest last byte of their subtree. A search for the locks
 * overlapping {@code [qFirst, qLast]} then visits O(log n + m) nodes, m being the locks it reports
 * or filters; the first match in order is found without visiting the rest. The treap goes back to
 * an array when it shrinks to {@value #ARRAY_BACK} locks (not at once, so that a file hovering at
 * the threshold does not convert on every change). Both give the same answers in the same order.
 *
 * <p>Priorities are a hash of the lock id, so shapes are deterministic and expected depth is O(log
 * n). A zero-length lock at X is kept with first = last = X: every range that can conflict with it
 * ends at or after X and starts at or before X-1, so pruning stays correct; callers filter
 * candidates with the exact predicate.
 *
 * <p>Not thread-safe: guarded by the owning {@link FileLockTable}'s monitor.
 */
final class IntervalTree {
  /**
   * 40 bytes with compressed references: the range is the lock's own (immutable, shared), so its
   * bounds are one load away instead of being copied into the node.
   */
  private static final class Node {
    final Lock lock;
    final ByteRange range;
    final int priority;
    long maxLast;
    Node left;
    Node right;

    Node(Lock lock) {
      this.lock = lock;
      this.range = lock.range();
      this.maxLast = range.last();
      long h = lock.id().sequence() * 0x9E3779B97F4A7C15L ^ lock.id().epoch();
      h ^= h >>> 29;
      this.priority = (int) (h * 0xBF58476D1CE4E5B9L >>> 32);
    }
  }

  /** The most locks kept in the sorted array; one more turns it into a treap. */
  static final int ARRAY_MAX = 64;

  /** The size at which a shrinking treap turns back into an array. */
  static final int ARRAY_BACK = ARRAY_MAX / 2;

  private static final Lock[] NONE = new Lock[0];

  /**
   * The sorted locks while the array is in use (kept, even empty, for reuse); null for the treap.
   */
  private Lock[] array = NONE;

  private Node root;
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void insert(Lock lock) {
    if (array != null) {
      if (size < ARRAY_MAX) {
        int at = -indexOf(lock) - 1; // a lock is inserted once, so it is never found
        if (size == array.length) {
          array = java.util.Arrays.copyOf(array, size == 0 ? 2 : Math.min(ARRAY_MAX, 2 * size));
        }
        if (at < size) {
          System.arraycopy(array, at, array, at + 1, size - at);
        }
        array[at] = lock;
        size++;
        return;
      }
      toTreap();
    }
    root = insert(root, new Node(lock));
    size++;
  }

  /** Removes the lock (found by first byte and id). Returns whether it was present. */
  boolean remove(Lock lock) {
    if (array != null) {
      int at = indexOf(lock);
      if (at < 0) {
        return false;
      }
      if (at < size - 1) {
        System.arraycopy(array, at + 1, array, at, size - at - 1);
      }
      array[--size] = null;
      return true;
    }
    int before = size;
    root = remove(root, lock);
    if (size <= ARRAY_BACK) {
      toArray();
    }
    return size < before;
  }

  /**
   * The first lock in (first, id) order that overlaps {@code [qFirst, qLast]} (unsigned, inclusive)
   * and passes {@code filter}, or null.
   */
  Lock first(long qFirst, long qLast, Predicate<Lock> filter) {
    return array != null ? scan(qFirst, qLast, filter) : first(root, qFirst, qLast, filter);
  }

  /**
   * The first lock in (first, id) order overlapping {@code [qFirst, qLast]} that {@code applies}
   * accepts and that conflicts ({@link Conflicts#conflicts}) with a request of {@code owner} for
   * {@code type} over {@code range}, or null. The array is scanned with no filter object: the
   * search of the common small table allocates and writes nothing.
   */
  Lock firstConflict(
      long qFirst,
      long qLast,
      LockOwner owner,
      LockType type,
      ByteRange range,
      Conflicts.Purpose purpose,
      Predicate<Lock> applies) {
    if (array == null) {
      return first(
          root,
          qFirst,
          qLast,
          l -> applies.test(l) && Conflicts.conflicts(l, owner, type, range, purpose));
    }
    for (int i = overlapping(0, qFirst, qLast); i >= 0; i = overlapping(i + 1, qFirst, qLast)) {
      Lock l = array[i];
      if (applies.test(l) && Conflicts.conflicts(l, owner, type, range, purpose)) {
        return l;
      }
    }
    return null;
  }

  /** Calls {@code action} for each lock overlapping {@code [qFirst, qLast]}, in order. */
  void forEachOverlapping(long qFirst, long qLast, Consumer<Lock> action) {
    if (array != null) {
      scan(
          qFirst,
          qLast,
          l -> {
            action.accept(l);
            return false;
          });
    } else {
      forEach(root, qFirst, qLast, action);
    }
  }

  /**
   * The array's first lock overlapping the range that {@code filter} accepts (in order), or null.
   */
  private Lock scan(long qFirst, long qLast, Predicate<Lock> filter) {
    for (int i = overlapping(0, qFirst, qLast); i >= 0; i = overlapping(i + 1, qFirst, qLast)) {
      if (filter.test(array[i])) {
        return array[i];
      }
    }
    return null;
  }

  /**
   * The index of the array's first lock from {@code from} on that overlaps {@code [qFirst, qLast]},
   * or -1 (the array is sorted by first byte: the scan stops past {@code qLast}).
   */
  private int overlapping(int from, long qFirst, long qLast) {
    Lock[] a = array;
    for (int i = from, n = size; i < n; i++) {
      ByteRange r = a[i].range();
      if (Long.compareUnsigned(r.first(), qLast) > 0) {
        return -1;
      }
      if (Long.compareUnsigned(r.last(), qFirst) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** Calls {@code action} for every lock, in order. */
  void forEach(Consumer<Lock> action) {
    forEachOverlapping(0, -1L, action);
  }

  /** Whether the locks sit in the array (for tests). */
  boolean isArray() {
    return array != null;
  }

  /** The lock's index in the array, or {@code -(insertion point) - 1}. */
  private int indexOf(Lock lock) {
    return indexOf(array, size, lock);
  }

  /**
   * The index of {@code lock} among the first {@code size} locks of {@code a}, sorted by (first
   * byte unsigned, id), or {@code -(insertion point) - 1}.
   */
  static int indexOf(Lock[] a, int size, Lock lock) {
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = FileLockTable.order(a[mid], lock);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  private void toTreap() {
    Node r = null;
    for (int i = 0; i < size; i++) {
      r = insert(r, new Node(array[i]));
    }
    root = r;
    array = null;
  }

  private void toArray() {
    Lock[] a = new Lock[ARRAY_MAX];
    int[] n = new int[1];
    forEach(root, 0, -1L, l -> a[n[0]++] = l);
    root = null;
    array = a;
  }

  private static int compare(Lock a, Node b) {
    int c = Long.compareUnsigned(a.range().first(), b.range.first());
    return c != 0 ? c : a.id().compareTo(b.lock.id());
  }

  private static Node insert(Node t, Node x) {
    if (t == null) {
      return x;
    }
    if (compare(x.lock, t) < 0) {
      t.left = insert(t.left, x);
      if (t.left.priority > t.priority) {
        return rotateUp(t, t.left);
      }
    } else {
      t.right = insert(t.right, x);
      if (t.right.priority > t.priority) {
        return rotateUp(t, t.right);
      }
    }
    pull(t);
    return t;
  }

  private Node remove(Node t, Lock key) {
    if (t == null) {
      return null;
    }
    int c = compare(key, t);
    if (c < 0) {
      t.left = remove(t.left, key);
    } else if (c > 0) {
      t.right = remove(t.right, key);
    } else {
      size--;
      return merge(t.left, t.right);
    }
    pull(t);
    return t;
  }

  private static Node merge(Node a, Node b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    if (a.priority > b.priority) {
      a.right = merge(a.right, b);
      pull(a);
      return a;
    }
    b.left = merge(a, b.left);
    pull(b);
    return b;
  }

  /**
   * Rotates {@code c}, a child of {@code t}, up into t's place (t becomes c's child on the other
   * side, c's inner subtree moves to t); returns c, the new root of the subtree.
   */
  private static Node rotateUp(Node t, Node c) {
    if (c == t.left) {
      t.left = c.right;
      c.right = t;
    } else {
      t.right = c.left;
      c.left = t;
    }
    pull(t);
    pull(c);
    return c;
  }

  private static void pull(Node t) {
    long m = t.range.last();
    if (t.left != null && Long.compareUnsigned(t.left.maxLast, m) > 0) {
      m = t.left.maxLast;
    }
    if (t.right != null && Long.compareUnsigned(t.right.maxLast, m) > 0) {
      m = t.right.maxLast;
    }
    t.maxLast = m;
  }

  private static Lock first(Node t, long qFirst, long qLast, Predicate<Lock> filter) {
    while (t != null && Long.compareUnsigned(t.maxLast, qFirst) >= 0) {
      Lock found = first(t.left, qFirst, qLast, filter);
      if (found != null) {
        return found;
      }
      if (Long.compareUnsigned(t.range.first(), qLast) > 0) {
        return null;
      }
      if (Long.compareUnsigned(t.range.last(), qFirst) >= 0 && filter.test(t.lock)) {
        return t.lock;
      }
      t = t.right;
    }
    return null;
  }

  private static void forEach(Node t, long qFirst, long qLast, Consumer<Lock> action) {
    while (t != null && Long.compareUnsigned(t.maxLast, qFirst) >= 0) {
      forEach(t.left, qFirst, qLast, action);
      if (Long.compareUnsigned(t.range.first(), qLast) > 0) {
        return;
      }
      if (Long.compareUnsigned(t.range.last(), qFirst) >= 0) {
        action.accept(t.lock);
      }
      t = t.right;
    }
  }
}
