package org.dittofs.metadata.lock.internal;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;

/**
 * The locks of one file (of one type); searches answer in (first byte unsigned, id) order.
 *
 * <p>Two representations, like the bins of a {@code HashMap}: up to {@value #ARRAY_MAX} locks sit
 * in an unsorted array that searches scan in full, keeping the lowest match (most files hold a
 * handful of locks, and a scan of one short array beats walking nodes: no node per lock, no pointer
 * chasing); a lock is appended, and a removed one's slot takes the last lock, so a change writes
 * one or two slots and never shifts the array (a shift is a {@code System.arraycopy} of references
 * into an old array, which under G1 costs a runtime call and a StoreLoad fence to dirty its cards:
 * a sixth of an uncontended lock+unlock pair, see benchmarks/README.md). Above that, a treap whose
 * nodes carry the largest last byte of their subtree: a search for the locks overlapping {@code
 * [qFirst, qLast]} then visits O(log n + m) nodes, m being the locks it reports or filters; the
 * first match in order is found without visiting the rest. The treap goes back to an array when it
 * shrinks to {@value #ARRAY_BACK} locks (not at once, so that a file hovering at the threshold does
 * not convert on every change). Both give the same answers in the same order. A lane's tree ({@link
 * Padded}) is a treap at every size.
 *
 * <p>Priorities are a hash of the lock id, so shapes are deterministic and expected depth is O(log
 * n). A zero-length lock at X is kept with first = last = X: every range that can conflict with it
 * ends at or after X and starts at or before X-1, so pruning stays correct; callers filter
 * candidates with the exact predicate.
 *
 * <p>Not thread-safe: guarded by the owning {@link FileLockTable}'s monitor (a lane's table: its
 * lane's lock).
 */
class IntervalTree {
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
   * The locks, unsorted, while the array is in use (kept, even empty, for reuse); null for the
   * treap.
   */
  private Lock[] array;

  /** Whether the tree is a treap at every size ({@link Padded}). */
  private final boolean treapOnly;

  private Node root;
  private int size;

  IntervalTree() {
    this(false);
  }

  private IntervalTree(boolean treapOnly) {
    this.treapOnly = treapOnly;
    this.array = treapOnly ? null : NONE;
  }

  /**
   * A lane's tree ({@link Lane}, "layout"): padded after its fields, and a treap at every size, so
   * that a change writes this object and nodes allocated by the changing thread, never the slots of
   * an array that the collector may have put next to another lane's state.
   */
  static final class Padded extends IntervalTree {
    long q0, q1, q2, q3, q4, q5, q6, q7;

    Padded() {
      super(true);
    }
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void insert(Lock lock) {
    if (array != null) {
      if (size < ARRAY_MAX) {
        if (size == array.length) {
          array = Arrays.copyOf(array, size == 0 ? 2 : Math.min(ARRAY_MAX, 2 * size));
        }
        array[size++] = lock;
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
      int at = slotOf(lock);
      if (at < 0) {
        return false;
      }
      int last = --size;
      if (at < last) {
        array[at] = array[last]; // the last lock fills the hole: nothing shifts
      }
      array[last] = null;
      return true;
    }
    boolean removed = removeNode(lock);
    if (size <= ARRAY_BACK && !treapOnly) {
      toArray();
    }
    return removed;
  }

  /**
   * The array slot of {@code lock} (the same record, else one of equal first byte and id), or -1.
   */
  private int slotOf(Lock lock) {
    Lock[] a = array;
    int n = size;
    for (int i = n - 1; i >= 0; i--) { // a lock is usually released soon after it was added
      if (a[i] == lock) {
        return i;
      }
    }
    for (int i = 0; i < n; i++) {
      if (FileLockTable.order(a[i], lock) == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The first lock in (first, id) order that overlaps {@code [qFirst, qLast]} (unsigned, inclusive)
   * and passes {@code filter}, or null.
   */
  Lock first(long qFirst, long qLast, Predicate<Lock> filter) {
    return array != null ? scan(qFirst, qLast, filter) : first(root, qFirst, qLast, filter);
  }

  /**
   * The first lock in (first, id) order overlapping {@code [qFirst, qLast]} that conflicts ({@link
   * Conflicts#conflicts}) with a request of {@code owner} for {@code type} over {@code range} and
   * that {@code applies} accepts, or null. {@code applies} is asked about conflicting locks only,
   * in that order, until it accepts one (in cluster mode it may read the database). The array is
   * scanned with no filter object: the search of the common small table allocates and writes
   * nothing.
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
      Node t = root;
      if (t == null || Long.compareUnsigned(t.maxLast, qFirst) < 0) {
        return null; // nothing reaches the range: no filter made (a lane's tree is often empty)
      }
      return first(
          t,
          qFirst,
          qLast,
          l -> Conflicts.conflicts(l, owner, type, range, purpose) && applies.test(l));
    }
    Lock[] a = array;
    Lock best = null;
    for (int i = 0, n = size; i < n; i++) {
      Lock l = a[i];
      if (overlaps(l.range(), qFirst, qLast)
          && (best == null || FileLockTable.order(l, best) < 0)
          && Conflicts.conflicts(l, owner, type, range, purpose)) {
        best = l;
      }
    }
    if (best == null || applies.test(best)) {
      return best;
    }
    return nextAccepted(
        best, qFirst, qLast, l -> Conflicts.conflicts(l, owner, type, range, purpose), applies);
  }

  /**
   * After {@code refused} (the first candidate in order, which {@code accepts} turned down), the
   * next overlapping candidate in order that {@code accepts} takes, asking it in order; or null.
   * One copy and sort, off the common path (a refusal happens only where the predicate reads more
   * than the table: courtesy clients in cluster mode, I/O checks that count some flavours only).
   */
  private Lock nextAccepted(
      Lock refused, long qFirst, long qLast, Predicate<Lock> candidate, Predicate<Lock> accepts) {
    Lock[] hits = new Lock[size];
    int m = 0;
    for (int i = 0; i < size; i++) {
      Lock l = array[i];
      if (overlaps(l.range(), qFirst, qLast)
          && FileLockTable.order(l, refused) > 0
          && candidate.test(l)) {
        hits[m++] = l;
      }
    }
    Arrays.sort(hits, 0, m, FileLockTable::order);
    for (int i = 0; i < m; i++) {
      if (accepts.test(hits[i])) {
        return hits[i];
      }
    }
    return null;
  }

  /** Calls {@code action} for each lock overlapping {@code [qFirst, qLast]}, in order. */
  void forEachOverlapping(long qFirst, long qLast, Consumer<Lock> action) {
    if (array == null) {
      forEach(root, qFirst, qLast, action);
      return;
    }
    Lock[] hits = new Lock[size]; // a copy in order (off the request path: listings, revocations)
    int m = 0;
    for (int i = 0; i < size; i++) {
      if (overlaps(array[i].range(), qFirst, qLast)) {
        hits[m++] = array[i];
      }
    }
    Arrays.sort(hits, 0, m, FileLockTable::order);
    for (int i = 0; i < m; i++) {
      action.accept(hits[i]);
    }
  }

  /**
   * The array's first lock in order overlapping the range that {@code filter} accepts, or null.
   * {@code filter} is asked about the overlapping locks in order until it accepts one, as a walk of
   * a sorted array would.
   */
  private Lock scan(long qFirst, long qLast, Predicate<Lock> filter) {
    Lock best = null;
    for (int i = 0; i < size; i++) {
      Lock l = array[i];
      if (overlaps(l.range(), qFirst, qLast)
          && (best == null || FileLockTable.order(l, best) < 0)) {
        best = l;
      }
    }
    if (best == null || filter.test(best)) {
      return best;
    }
    return nextAccepted(best, qFirst, qLast, l -> true, filter);
  }

  private static boolean overlaps(ByteRange r, long qFirst, long qLast) {
    return Long.compareUnsigned(r.first(), qLast) <= 0
        && Long.compareUnsigned(r.last(), qFirst) >= 0;
  }

  /** Calls {@code action} for every lock, in order. */
  void forEach(Consumer<Lock> action) {
    forEachOverlapping(0, -1L, action);
  }

  /** Whether the locks sit in the array (for tests). */
  boolean isArray() {
    return array != null;
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

  /**
   * Inserts {@code x} (a new node) into the subtree {@code t}; returns the subtree's new root. Top
   * down, without recursion above the place where {@code x} belongs: walks down while the nodes
   * have priority over {@code x}, raising the max of each (only where {@code x} is past it), then
   * puts {@code x} in the place of the node it met, split around it ({@link #split}: expected fewer
   * than two nodes, the rotations a bottom-up insert would make). A node on the way is written only
   * where something changes: a reference stored into an old object costs G1 a card check behind a
   * StoreLoad fence even when the value is the one already there, and most nodes a lock passes are
   * old (benchmarks/README.md, sixth round).
   */
  private static Node insert(Node t, Node x) {
    long last = x.range.last();
    Node parent = null;
    boolean left = false;
    Node at = t;
    while (at != null && at.priority >= x.priority) { // x goes below: ties keep the older on top
      if (Long.compareUnsigned(at.maxLast, last) < 0) {
        at.maxLast = last;
      }
      parent = at;
      left = compare(x.lock, at) < 0;
      at = left ? at.left : at.right;
    }
    if (at != null) {
      split(at, x);
      pull(x);
    }
    if (parent == null) {
      return x;
    }
    if (left) {
      parent.left = x;
    } else {
      parent.right = x;
    }
    return t;
  }

  /**
   * Splits the subtree {@code t} around {@code x}'s place in the order: the nodes before it become
   * {@code x}'s left subtree, the others its right ({@code x} has no children yet); maxes of the
   * nodes that moved are recomputed.
   */
  private static void split(Node t, Node x) {
    if (t == null) {
      return;
    }
    if (compare(x.lock, t) >= 0) { // t before x (as the walk down orders them): t goes left
      split(t.right, x);
      if (t.right != x.left) { // no store of an unchanged reference ({@link #insert})
        t.right = x.left;
      }
      pull(t);
      x.left = t;
    } else {
      split(t.left, x);
      if (t.left != x.right) {
        t.left = x.right;
      }
      pull(t);
      x.right = t;
    }
  }

  /**
   * Removes {@code key}; returns whether it was there. Walks down without writing, puts the merge
   * of the node's subtrees in its place, then recomputes the maxes of the ancestors that may have
   * dropped: those whose max was the removed lock's last byte, a run at the bottom of the path (a
   * max is never below its children's), usually empty.
   */
  private boolean removeNode(Lock key) {
    Node parent = null;
    boolean left = false;
    Node top = null; // the highest node on the path whose max is the removed lock's last byte
    Node t = root;
    long last = key.range().last();
    while (t != null) {
      int c = compare(key, t);
      if (c == 0) {
        break;
      }
      if (top == null && t.maxLast == last) {
        top = t;
      }
      parent = t;
      left = c < 0;
      t = left ? t.left : t.right;
    }
    if (t == null) {
      return false;
    }
    Node m = merge(t.left, t.right);
    if (parent == null) {
      root = m;
    } else if (left) {
      parent.left = m;
    } else {
      parent.right = m;
    }
    size--;
    if (t.range.last() != last) { // an equal record (first byte and id) with other bounds
      top = parent == null ? null : root;
    }
    if (top != null) {
      refresh(top, parent, key);
    }
    return true;
  }

  /**
   * Recomputes the maxes on the path from {@code a} down to {@code stop} (the path of {@code key}),
   * the lowest first; writes only those that change (a long store has no barrier, but a line left
   * clean is one another core reading the tree need not fetch again).
   */
  private static void refresh(Node a, Node stop, Lock key) {
    if (a != stop) {
      refresh(compare(key, a) < 0 ? a.left : a.right, stop, key);
    }
    long m = maxOf(a);
    if (m != a.maxLast) {
      a.maxLast = m;
    }
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
   * Checks the treap's invariants (tests): nodes in (first, id) order, every node's priority at
   * least its children's, every max exactly the largest last byte of its subtree, the size.
   *
   * @throws IllegalStateException naming the first broken one
   */
  void checkShape() {
    if (array != null) {
      return;
    }
    int[] count = {0};
    checkShape(root, null, null, count);
    if (count[0] != size) {
      throw new IllegalStateException("treap holds " + count[0] + " nodes, size says " + size);
    }
  }

  private static long checkShape(Node t, Node low, Node high, int[] count) {
    if (t == null) {
      return 0;
    }
    count[0]++;
    if ((low != null && compare(t.lock, low) <= 0)
        || (high != null && compare(t.lock, high) >= 0)) {
      throw new IllegalStateException("out of order: " + t.lock);
    }
    long m = t.range.last();
    for (Node c : new Node[] {t.left, t.right}) {
      if (c != null) {
        if (c.priority > t.priority) {
          throw new IllegalStateException("heap order broken below " + t.lock);
        }
        long cm = checkShape(c, c == t.left ? low : t, c == t.left ? t : high, count);
        if (Long.compareUnsigned(cm, m) > 0) {
          m = cm;
        }
      }
    }
    if (t.maxLast != m) {
      throw new IllegalStateException(
          "max of "
              + t.lock
              + " is "
              + Long.toUnsignedString(t.maxLast)
              + ", its subtree's "
              + Long.toUnsignedString(m));
    }
    return m;
  }

  private static void pull(Node t) {
    t.maxLast = maxOf(t);
  }

  /** The largest last byte in {@code t}'s subtree, from its children's. */
  private static long maxOf(Node t) {
    long m = t.range.last();
    if (t.left != null && Long.compareUnsigned(t.left.maxLast, m) > 0) {
      m = t.left.maxLast;
    }
    if (t.right != null && Long.compareUnsigned(t.right.maxLast, m) > 0) {
      m = t.right.maxLast;
    }
    return m;
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
