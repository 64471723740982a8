package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.junit.jupiter.api.Test;

/** One owner's sorted lock index: POSIX range lookups and WINDOWS exact-start lookups. */
class OwnerLocksTest {
  private static final long TOP = -1L;
  private static final long MID = Long.MIN_VALUE;
  private long seq;

  private Lock lock(ByteRange range, LockFlavour flavour) {
    return new Lock(
        new LockId(1, ++seq),
        LockOwner.of("o"),
        new LockClient("c", "test"),
        "export",
        FileHandle.of("f"),
        range,
        LockType.SHARED,
        flavour,
        Instant.EPOCH,
        1);
  }

  private Lock posix(long first, long last) {
    return lock(ByteRange.of(first, last), LockFlavour.POSIX);
  }

  private Lock windows(ByteRange r) {
    return lock(r, LockFlavour.WINDOWS);
  }

  @Test
  void keepsLocksInUnsignedFirstByteOrderWhateverTheInsertionOrder() {
    OwnerLocks own = new OwnerLocks();
    Lock top = posix(TOP, TOP);
    Lock mid = posix(MID, MID + 10);
    Lock low = posix(0, 9);
    Lock maxSigned = posix(Long.MAX_VALUE - 5, Long.MAX_VALUE);
    own.add(mid);
    own.add(top);
    own.add(low);
    own.add(maxSigned);

    assertThat(own.all()).containsExactly(low, maxSigned, mid, top);
    assertThat(own.size()).isEqualTo(4);
    assertThat(own.isEmpty()).isFalse();
  }

  @Test
  void disjointOverlappingReturnsTheLocksHoldingAByteOfTheRange() {
    OwnerLocks own = new OwnerLocks();
    Lock a = posix(0, 9);
    Lock b = posix(20, 29);
    Lock c = posix(40, 49);
    Lock d = posix(MID, TOP);
    for (Lock l : List.of(d, b, a, c)) {
      own.add(l);
    }

    assertThat(own.disjointOverlapping(10, 19)).isEmpty();
    assertThat(own.disjointOverlapping(9, 20)).containsExactly(a, b);
    assertThat(own.disjointOverlapping(25, 45)).containsExactly(b, c);
    assertThat(own.disjointOverlapping(0, TOP)).containsExactly(a, b, c, d);
    assertThat(own.disjointOverlapping(TOP, TOP)).containsExactly(d);
    assertThat(own.disjointOverlapping(50, MID - 1)).isEmpty();
    assertThat(own.disjointOverlapping(50, MID)).containsExactly(d);
  }

  @Test
  void disjointOverlappingAgreesWithABruteForceScan() {
    Random rnd = new Random(77);
    for (int round = 0; round < 200; round++) {
      OwnerLocks own = new OwnerLocks();
      List<Lock> model = new ArrayList<>();
      // disjoint locks spread over the whole unsigned space
      long cursor = rnd.nextBoolean() ? 0 : MID - 5000;
      int n = rnd.nextInt(30);
      for (int i = 0; i < n; i++) {
        long first = cursor + rnd.nextInt(50);
        long last = first + rnd.nextInt(50);
        if (Long.compareUnsigned(last, first) < 0 || Long.compareUnsigned(first, cursor) < 0) {
          break;
        }
        Lock l = posix(first, last);
        model.add(l);
        if (last == TOP) {
          break;
        }
        cursor = last + 1 + (rnd.nextInt(4) == 0 ? (1L << 62) : 0);
        if (Long.compareUnsigned(cursor, last) <= 0) {
          break;
        }
      }
      List<Lock> shuffled = new ArrayList<>(model);
      Collections.shuffle(shuffled, rnd);
      shuffled.forEach(own::add);

      for (int q = 0; q < 20; q++) {
        Lock pick = model.isEmpty() ? null : model.get(rnd.nextInt(model.size()));
        long lo = pick == null ? rnd.nextLong() : pick.range().first() - 3 + rnd.nextInt(7);
        long hi = lo + rnd.nextInt(200);
        if (Long.compareUnsigned(hi, lo) < 0) {
          hi = TOP;
        }
        List<Lock> expected = new ArrayList<>();
        for (Lock l : model) {
          if (Long.compareUnsigned(l.range().first(), hi) <= 0
              && Long.compareUnsigned(lo, l.range().last()) <= 0) {
            expected.add(l);
          }
        }
        final long qlo = lo;
        final long qhi = hi;
        assertThat(own.disjointOverlapping(lo, hi))
            .as("[%s, %s] over %s", Long.toUnsignedString(qlo), Long.toUnsignedString(qhi), model)
            .containsExactlyElementsOf(expected);
      }
    }
  }

  @Test
  void startingAtReturnsStackedLocksOfThatFirstByteInIdOrder() {
    OwnerLocks own = new OwnerLocks();
    Lock s1 = windows(ByteRange.span(100, 10));
    Lock before = windows(ByteRange.span(50, 100));
    Lock s2 = windows(ByteRange.span(100, 10));
    Lock zero = windows(ByteRange.zeroLength(100));
    Lock after = windows(ByteRange.span(101, 1));
    Lock top = windows(ByteRange.span(TOP, 1));
    for (Lock l : List.of(after, s2, top, zero, before, s1)) {
      own.add(l);
    }

    assertThat(own.startingAt(100)).containsExactly(s1, s2, zero);
    assertThat(own.startingAt(50)).containsExactly(before);
    assertThat(own.startingAt(TOP)).containsExactly(top);
    assertThat(own.startingAt(99)).isEmpty();
    assertThat(own.startingAt(MID)).isEmpty();
  }

  @Test
  void removeTakesOutExactlyThatLockAndRefusesAMissingOne() {
    OwnerLocks own = new OwnerLocks();
    Lock a = windows(ByteRange.span(0, 10));
    Lock b = windows(ByteRange.span(0, 10));
    own.add(a);
    own.add(b);

    own.remove(a);

    assertThat(own.all()).containsExactly(b);
    assertThatThrownBy(() -> own.remove(a)).isInstanceOf(IllegalStateException.class);
    own.remove(b);
    assertThat(own.isEmpty()).isTrue();
    assertThat(own.size()).isZero();
  }

  @Test
  void addsAndRemovesAnywhereInTheArrayKeepingTheOrder() {
    // short shifts of the array go by hand, long ones by System.arraycopy: both directions, both
    // ways
    Random rnd = new Random(5);
    for (int round = 0; round < 100; round++) {
      OwnerLocks own = new OwnerLocks();
      List<Lock> model = new ArrayList<>();
      int n = 1 + rnd.nextInt(3 * OwnerLocks.SHIFT_BY_HAND + 10);
      for (int i = 0; i < n; i++) {
        model.add(posix(100L * i, 100L * i + 9));
      }
      List<Lock> shuffled = new ArrayList<>(model);
      Collections.shuffle(shuffled, rnd);
      List<Lock> held = new ArrayList<>();
      for (Lock l : shuffled) {
        own.add(l);
        held.add(l);
        held.sort(IntervalTreeTest.ORDER);
        assertThat(own.all()).containsExactlyElementsOf(held);
      }
      while (!held.isEmpty()) {
        Lock l = held.remove(rnd.nextInt(held.size()));
        own.remove(l);
        assertThat(own.all()).containsExactlyElementsOf(held);
      }
      assertThat(own.isEmpty()).isTrue();
    }
  }
}
