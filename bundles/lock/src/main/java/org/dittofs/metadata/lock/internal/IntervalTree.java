package org.dittofs.metadata.lock.internal;

import java.util.function.Consumer;
import java.util.function.Predicate;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;

/**
 * The locks of one file (of one type), ordered by (first byte unsigned, id) in a treap whose nodes
 * carry the largest last byte of their subtree. A search for the locks overlapping {@code [qFirst,
 * qLast]} visits O(log n + m) nodes, m being the locks it reports or filters; the first match in
 * order is found without visiting the rest.
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

  private Node root;
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return root == null;
  }

  void insert(Lock lock) {
    root = insert(root, new Node(lock));
    size++;
  }

  /** Removes the lock (found by first byte and id). Returns whether it was present. */
  boolean remove(Lock lock) {
    int before = size;
    root = remove(root, lock);
    return size < before;
  }

  /**
   * The first lock in (first, id) order that overlaps {@code [qFirst, qLast]} (unsigned, inclusive)
   * and passes {@code filter}, or null.
   */
  Lock first(long qFirst, long qLast, Predicate<Lock> filter) {
    return first(root, qFirst, qLast, filter);
  }

  /** Calls {@code action} for each lock overlapping {@code [qFirst, qLast]}, in order. */
  void forEachOverlapping(long qFirst, long qLast, Consumer<Lock> action) {
    forEach(root, qFirst, qLast, action);
  }

  /** Calls {@code action} for every lock, in order. */
  void forEach(Consumer<Lock> action) {
    forEach(root, 0, -1L, action);
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
        return rotateRight(t);
      }
    } else {
      t.right = insert(t.right, x);
      if (t.right.priority > t.priority) {
        return rotateLeft(t);
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

  private static Node rotateRight(Node t) {
    Node l = t.left;
    t.left = l.right;
    l.right = t;
    pull(t);
    pull(l);
    return l;
  }

  private static Node rotateLeft(Node t) {
    Node r = t.right;
    t.right = r.left;
    r.left = t;
    pull(t);
    pull(r);
    return r;
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
