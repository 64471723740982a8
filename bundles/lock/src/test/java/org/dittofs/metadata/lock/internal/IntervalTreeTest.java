package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The interval treap against a brute-force list, in unsigned 64-bit order. */
class IntervalTreeTest {
  private static final FileHandle FILE = FileHandle.of("tree");
  private static final LockOwner OWNER = LockOwner.of("o");
  private static final LockClient CLIENT = new LockClient("c", "test");
  private static final long TOP = -1L; // 2^64-1
  private static final long MID = Long.MIN_VALUE; // 2^63

  static final Comparator<Lock> ORDER =
      Comparator.<Lock, Long>comparing(l -> l.range().first(), Long::compareUnsigned)
          .thenComparing(Lock::id);

  static Lock lock(long epoch, long seq, long first, long last) {
    return new Lock(
        new LockId(epoch, seq),
        OWNER,
        CLIENT,
        "export",
        FILE,
        ByteRange.of(first, last),
        LockType.SHARED,
        LockFlavour.POSIX,
        Instant.EPOCH,
        epoch);
  }

  private static boolean overlaps(Lock l, long qFirst, long qLast) {
    return Long.compareUnsigned(l.range().first(), qLast) <= 0
        && Long.compareUnsigned(qFirst, l.range().last()) <= 0;
  }

  private static List<Lock> bruteOverlapping(List<Lock> all, long qFirst, long qLast) {
    List<Lock> out = new ArrayList<>();
    for (Lock l : all) {
      if (overlaps(l, qFirst, qLast)) {
        out.add(l);
      }
    }
    out.sort(ORDER);
    return out;
  }

  private static List<Lock> inOrder(IntervalTree t) {
    List<Lock> out = new ArrayList<>();
    t.forEach(out::add);
    return out;
  }

  private static List<Lock> overlapping(IntervalTree t, long qFirst, long qLast) {
    List<Lock> out = new ArrayList<>();
    t.forEachOverlapping(qFirst, qLast, out::add);
    return out;
  }

  /** An offset in one of four regions: small, around 2^63, near 2^64-1, anywhere. */
  private static long offset(Random rnd) {
    return switch (rnd.nextInt(4)) {
      case 0 -> rnd.nextInt(2000);
      case 1 -> MID - 1000 + rnd.nextInt(2000);
      case 2 -> TOP - rnd.nextInt(2000);
      default -> rnd.nextLong();
    };
  }

  /** [first, last] with last >= first unsigned; sometimes to EOF, sometimes long. */
  private static long[] range(Random rnd) {
    long first = offset(rnd);
    long last;
    int kind = rnd.nextInt(10);
    if (kind == 0) {
      last = TOP;
    } else if (kind == 1) {
      last = first + (rnd.nextLong() >>> 1);
    } else {
      last = first + rnd.nextInt(kind < 5 ? 1 : 300);
    }
    if (Long.compareUnsigned(last, first) < 0) {
      last = TOP; // would wrap: clamp the test data (not the code under test) to EOF
    }
    return new long[] {first, last};
  }

  @ParameterizedTest(name = "seed {0}, a lane's tree {1}")
  @CsvSource({"1, false", "42, false", "20260301, false", "1, true", "42, true"})
  void randomOperationsAgreeWithABruteForceList(long seed, boolean lanes) {
    Random rnd = new Random(seed);
    IntervalTree tree = lanes ? new IntervalTree.Padded() : new IntervalTree();
    List<Lock> model = new ArrayList<>();
    long seq = 0;
    Predicate<Lock> oddSequence = l -> (l.id().sequence() & 1) == 1;

    for (int op = 0; op < 4000; op++) {
      int choice = rnd.nextInt(10);
      if (choice < 6 || model.isEmpty()) {
        long[] r = range(rnd);
        // occasionally reuse an existing first byte so that ties are broken by id
        if (!model.isEmpty() && rnd.nextInt(5) == 0) {
          Lock other = model.get(rnd.nextInt(model.size()));
          r[0] = other.range().first();
          if (Long.compareUnsigned(r[1], r[0]) < 0) {
            r[1] = r[0];
          }
        }
        Lock l = lock(rnd.nextInt(3), ++seq, r[0], r[1]);
        tree.insert(l);
        model.add(l);
      } else if (choice < 9) {
        Lock l = model.remove(rnd.nextInt(model.size()));
        assertThat(tree.remove(l)).as("remove present %s", l).isTrue();
      } else {
        long[] r = range(rnd);
        Lock absent = lock(3, ++seq, r[0], r[1]);
        assertThat(tree.remove(absent)).as("remove absent %s", absent).isFalse();
      }

      assertThat(tree.size()).isEqualTo(model.size());
      assertThat(tree.isEmpty()).isEqualTo(model.isEmpty());
      tree.checkShape(); // order, heap, every max exact (a stale max answers right, slowly)
      if (lanes) {
        assertThat(tree.isArray()).as("a lane's tree at size %d", model.size()).isFalse();
      }

      for (int q = 0; q < 3; q++) {
        long[] r = range(rnd);
        List<Lock> expected = bruteOverlapping(model, r[0], r[1]);
        assertThat(overlapping(tree, r[0], r[1]))
            .as("overlapping [%s, %s]", Long.toUnsignedString(r[0]), Long.toUnsignedString(r[1]))
            .containsExactlyElementsOf(expected);
        assertThat(tree.first(r[0], r[1], l -> true))
            .isEqualTo(expected.isEmpty() ? null : expected.get(0));
        assertThat(tree.first(r[0], r[1], oddSequence))
            .isEqualTo(expected.stream().filter(oddSequence).findFirst().orElse(null));
      }
      if (op % 100 == 0) {
        List<Lock> sorted = new ArrayList<>(model);
        sorted.sort(ORDER);
        assertThat(inOrder(tree)).containsExactlyElementsOf(sorted);
      }
    }

    // drain completely
    while (!model.isEmpty()) {
      assertThat(tree.remove(model.remove(model.size() - 1))).isTrue();
    }
    assertThat(tree.isEmpty()).isTrue();
    assertThat(tree.size()).isZero();
    assertThat(inOrder(tree)).isEmpty();
  }

  /**
   * One step of {@code tree} and {@code model} towards {@code target} locks: a random lock added
   * (id {@code seq + 1}) or a random one removed; returns the last id used.
   */
  private static long stepTowards(
      int target, IntervalTree tree, List<Lock> model, Random rnd, long seq) {
    if (model.size() < target) {
      long[] r = range(rnd);
      Lock l = lock(rnd.nextInt(3), ++seq, r[0], r[1]);
      tree.insert(l);
      model.add(l);
    } else {
      assertThat(tree.remove(model.remove(rnd.nextInt(model.size())))).isTrue();
    }
    return seq;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 99})
  void sizesAroundTheArrayThresholdsAgreeWithABruteForceList(long seed) {
    // grow past ARRAY_MAX, shrink to ARRAY_BACK and below, grow again: every change of
    // representation happens several times, and answers never change with it
    Random rnd = new Random(seed);
    IntervalTree tree = new IntervalTree();
    List<Lock> model = new ArrayList<>();
    long seq = 0;
    int[] targets = {
      IntervalTree.ARRAY_MAX + 3,
      IntervalTree.ARRAY_BACK - 1,
      IntervalTree.ARRAY_MAX + 1,
      IntervalTree.ARRAY_BACK,
      IntervalTree.ARRAY_MAX,
      0
    };
    boolean sawTreap = false;
    boolean sawArrayAfterTreap = false;
    for (int target : targets) {
      while (model.size() != target) {
        seq = stepTowards(target, tree, model, rnd, seq);
        tree.checkShape(); // the trees toTreap builds at each crossing too
        sawTreap |= !tree.isArray();
        sawArrayAfterTreap |= sawTreap && tree.isArray();
        if (tree.isArray()) {
          assertThat(model.size()).as("array size").isLessThanOrEqualTo(IntervalTree.ARRAY_MAX);
        } else {
          assertThat(model.size()).as("treap size").isGreaterThan(IntervalTree.ARRAY_BACK);
        }
        long[] q = range(rnd);
        List<Lock> expected = bruteOverlapping(model, q[0], q[1]);
        assertThat(overlapping(tree, q[0], q[1])).containsExactlyElementsOf(expected);
        assertThat(tree.first(q[0], q[1], l -> true))
            .isEqualTo(expected.isEmpty() ? null : expected.get(0));
      }
      List<Lock> sorted = new ArrayList<>(model);
      sorted.sort(ORDER);
      assertThat(inOrder(tree)).containsExactlyElementsOf(sorted);
      assertThat(tree.size()).isEqualTo(model.size());
    }
    assertThat(sawTreap).isTrue();
    assertThat(sawArrayAfterTreap).isTrue();
    assertThat(tree.isEmpty()).isTrue();
  }

  @Test
  void aLanesTreeStaysATreapThroughTheArrayThresholds() {
    // a lane's tree is written by one thread while others read theirs: it never uses an array,
    // whose slots would sit next to whatever the collector copied beside it (Lane, "layout")
    Random rnd = new Random(5);
    IntervalTree tree = new IntervalTree.Padded();
    List<Lock> model = new ArrayList<>();
    long seq = 0;
    for (int target :
        new int[] {1, IntervalTree.ARRAY_MAX + 2, IntervalTree.ARRAY_BACK - 2, 0, 2}) {
      while (model.size() != target) {
        seq = stepTowards(target, tree, model, rnd, seq);
        assertThat(tree.isArray()).as("at size %d", model.size()).isFalse();
        tree.checkShape();
        long[] q = range(rnd);
        assertThat(overlapping(tree, q[0], q[1]))
            .containsExactlyElementsOf(bruteOverlapping(model, q[0], q[1]));
      }
      List<Lock> sorted = new ArrayList<>(model);
      sorted.sort(ORDER);
      assertThat(inOrder(tree)).containsExactlyElementsOf(sorted);
    }
  }

  @Test
  void iterationIsInUnsignedFirstByteOrderThenId() {
    IntervalTree tree = new IntervalTree();
    Lock top = lock(1, 1, TOP, TOP);
    Lock mid = lock(1, 2, MID, MID + 5);
    Lock small = lock(1, 3, 5, 10);
    Lock justBelowMid = lock(1, 4, Long.MAX_VALUE, Long.MAX_VALUE);
    Lock smallOlderEpoch = lock(0, 9, 5, 6);
    Lock smallNewer = lock(1, 7, 5, TOP);
    for (Lock l : List.of(top, mid, small, justBelowMid, smallNewer, smallOlderEpoch)) {
      tree.insert(l);
    }

    assertThat(inOrder(tree))
        .containsExactly(smallOlderEpoch, small, smallNewer, justBelowMid, mid, top);
  }

  @Test
  void searchesNearTheTopOfTheUnsignedRange() {
    IntervalTree tree = new IntervalTree();
    Lock lastByte = lock(1, 1, TOP, TOP);
    Lock upperHalf = lock(1, 2, MID, TOP - 1);
    Lock low = lock(1, 3, 0, 100);
    tree.insert(lastByte);
    tree.insert(upperHalf);
    tree.insert(low);

    assertThat(overlapping(tree, TOP, TOP)).containsExactly(lastByte);
    assertThat(tree.first(TOP, TOP, l -> true)).isEqualTo(lastByte);
    assertThat(overlapping(tree, MID - 1, MID)).containsExactly(upperHalf);
    assertThat(overlapping(tree, 101, Long.MAX_VALUE)).isEmpty();
    assertThat(tree.first(101, Long.MAX_VALUE, l -> true)).isNull();
    assertThat(overlapping(tree, 0, TOP)).containsExactly(low, upperHalf, lastByte);
    assertThat(tree.first(0, TOP, l -> l != low)).isEqualTo(upperHalf);
  }

  @Test
  void firstSkipsLocksTheFilterRejects() {
    IntervalTree tree = new IntervalTree();
    Lock a = lock(1, 1, 0, 10);
    Lock b = lock(1, 2, 5, 20);
    Lock c = lock(1, 3, 15, 30);
    tree.insert(c);
    tree.insert(a);
    tree.insert(b);

    assertThat(tree.first(8, 16, l -> true)).isEqualTo(a);
    assertThat(tree.first(8, 16, l -> l != a)).isEqualTo(b);
    assertThat(tree.first(8, 16, l -> l == c)).isEqualTo(c);
    assertThat(tree.first(8, 16, l -> false)).isNull();
    assertThat(tree.first(31, 40, l -> true)).isNull();
  }

  @Test
  void removeFindsTheLockByFirstByteAndIdAmongTies() {
    IntervalTree tree = new IntervalTree();
    List<Lock> ties = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      Lock l = lock(1, i, 7, 7 + i);
      ties.add(l);
      tree.insert(l);
    }

    assertThat(tree.remove(ties.get(24))).isTrue();
    assertThat(tree.remove(ties.get(24))).isFalse();
    assertThat(tree.size()).isEqualTo(49);
    assertThat(inOrder(tree)).doesNotContain(ties.get(24)).hasSize(49);
    List<Lock> expected = new ArrayList<>(ties.subList(23, 50)); // last = 7 + i >= 31
    expected.remove(ties.get(24));
    assertThat(overlapping(tree, 31, 31)).containsExactlyElementsOf(expected);
  }

  @Test
  void removeTakesAnEqualRecordThatIsNotTheSameObject() {
    // the array is searched by identity first; a record rebuilt from the store (same id and first
    // byte, another object) must still be found, in the array and in the treap
    for (int n : new int[] {3, IntervalTree.ARRAY_MAX + 5}) {
      IntervalTree tree = new IntervalTree();
      for (int i = 1; i <= n; i++) {
        tree.insert(lock(1, i, 10L * i, 10L * i + 4));
      }
      Lock copy = lock(1, 2, 20, 24);

      assertThat(tree.remove(copy)).as("size %d", n).isTrue();
      assertThat(tree.size()).isEqualTo(n - 1);
      assertThat(overlapping(tree, 20, 24)).isEmpty();
      assertThat(tree.remove(copy)).isFalse();
    }
  }

  @Test
  void removingAnEqualRecordWithOtherBoundsLeavesExactMaxes() {
    // a record rebuilt from elsewhere matches by first byte and id; if its last byte differs from
    // the stored one's, the maxes above the removed node are recomputed all the same
    for (long storedLast : new long[] {10_000, 22}) {
      IntervalTree tree = new IntervalTree.Padded();
      for (int i = 1; i <= IntervalTree.ARRAY_MAX + 5; i++) {
        tree.insert(lock(1, i, 10L * i, i == 2 ? storedLast : 10L * i + 4));
      }
      tree.checkShape();

      assertThat(tree.remove(lock(1, 2, 20, 24))).isTrue();

      tree.checkShape();
      assertThat(tree.first(5_000, 6_000, l -> true)).isNull();
    }
  }

  @Test
  void aTreapsConflictSearchAgreesWithTheArrays() {
    // the same locks in an array (a file's small tree) and a treap (a lane's): every answer equal,
    // an empty treap's included
    Random rnd = new Random(11);
    IntervalTree array = new IntervalTree();
    IntervalTree treap = new IntervalTree.Padded();
    LockOwner other = LockOwner.of("other");
    for (int n = 0; n < IntervalTree.ARRAY_MAX; n++) {
      for (int q = 0; q < 20; q++) {
        long[] r = range(rnd);
        ByteRange range = ByteRange.of(r[0], r[1]);
        for (LockOwner who : List.of(OWNER, other)) {
          for (LockType type : LockType.values()) {
            Predicate<Lock> odd = l -> (l.id().sequence() & 1) == 1;
            for (Predicate<Lock> applies : List.<Predicate<Lock>>of(l -> true, odd)) {
              assertThat(
                      treap.firstConflict(
                          r[0], r[1], who, type, range, Conflicts.Purpose.LOCK, applies))
                  .as("%s %s %s with %d locks", who, type, range, n)
                  .isEqualTo(
                      array.firstConflict(
                          r[0], r[1], who, type, range, Conflicts.Purpose.LOCK, applies));
            }
          }
        }
      }
      long[] r = range(rnd);
      Lock l = lock(1, n + 1, r[0], r[1]);
      array.insert(l);
      treap.insert(l);
    }
    assertThat(array.isArray()).isTrue();
    assertThat(treap.isArray()).isFalse();
  }
}
