package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SPEC 2 through the manager: unsigned ranges, adjacency and Windows zero-length ranges. */
class RangeSemanticsTest {
  private static final long TOP = -1L;
  private static final long MID = Long.MIN_VALUE;

  private final LockManager locks = LockManagers.builder().build();
  private final Requests f = Requests.on("ranges");

  @AfterEach
  void tableStaysConsistent() {
    LockTableInvariants.check(locks);
  }

  private boolean lock(LockRequest r) {
    return locks.lock(r).granted();
  }

  @Test
  void adjacentRangesOfDifferentOwnersDoNotConflict() {
    assertThat(lock(f.posix("A").exclusive(0, 10))).isTrue();
    assertThat(lock(f.posix("B").exclusive(10, 10))).isTrue();
    assertThat(lock(f.windows("C").exclusive(20, 5))).isTrue();
    assertThat(lock(f.posix("D").exclusive(19, 1))).isFalse();
  }

  @Test
  void rangesAboveTwoToThe63AreOrderedUnsigned() {
    assertThat(lock(f.posix("A").request(LockType.EXCLUSIVE, ByteRange.toEnd(MID)))).isTrue();

    assertThat(lock(f.posix("B").request(LockType.EXCLUSIVE, ByteRange.of(0, MID - 1))))
        .as("[0, 2^63-1] lies below [2^63, EOF]")
        .isTrue();
    assertThat(lock(f.posix("C").request(LockType.SHARED, ByteRange.span(TOP, 1)))).isFalse();
    assertThat(locks.locks(f.file())).extracting(l -> l.owner().id()).containsExactly("B", "A");
  }

  @Test
  void lastByteOfTheFileCanBeLockedAndConflicts() {
    assertThat(lock(f.windows("A").request(LockType.EXCLUSIVE, ByteRange.span(TOP, 1)))).isTrue();

    LockResult r = locks.lock(f.posix("B").shared(TOP - 9, 0)); // to EOF
    assertThat(r).isInstanceOf(LockResult.Denied.class);
    assertThat(((LockResult.Denied) r).conflict().range().first()).isEqualTo(TOP);
    assertThat(lock(f.posix("B").request(LockType.SHARED, ByteRange.of(TOP - 9, TOP - 1))))
        .isTrue();
  }

  @Test
  void zeroLengthLockConflictsOnlyWithARangeHoldingTheByteBeforeAndAt() {
    assertThat(lock(f.windows("A").request(LockType.EXCLUSIVE, ByteRange.zeroLength(10)))).isTrue();

    assertThat(lock(f.posix("B").exclusive(10, 10))).as("[10, 19]").isTrue();
    assertThat(lock(f.posix("C").exclusive(0, 10))).as("[0, 9]").isTrue();
    Requests g = Requests.on("other");
    assertThat(lock(g.windows("A").request(LockType.EXCLUSIVE, ByteRange.zeroLength(10)))).isTrue();
    assertThat(lock(g.posix("D").exclusive(9, 2))).as("[9, 10]").isFalse();
  }

  @Test
  void zeroLengthRequestConflictsOnlyWithALockHoldingTheByteBeforeAndAt() {
    assertThat(lock(f.posix("A").exclusive(10, 10))).isTrue(); // [10, 19]

    Requests.Owner b = f.windows("B");
    assertThat(lock(b.request(LockType.EXCLUSIVE, ByteRange.zeroLength(10)))).isTrue();
    assertThat(lock(b.request(LockType.EXCLUSIVE, ByteRange.zeroLength(20)))).isTrue();
    assertThat(lock(b.request(LockType.SHARED, ByteRange.zeroLength(15)))).isFalse();
    assertThat(locks.test(b.request(LockType.SHARED, ByteRange.zeroLength(19)))).isPresent();
  }

  @Test
  void zeroLengthRangeAtOffsetZeroNeverConflicts() {
    assertThat(lock(f.windows("A").request(LockType.EXCLUSIVE, ByteRange.whole()))).isTrue();

    assertThat(lock(f.windows("B").request(LockType.EXCLUSIVE, ByteRange.zeroLength(0)))).isTrue();
    assertThat(locks.locks(f.file())).hasSize(2);
  }

  @Test
  void twoZeroLengthLocksAtTheSameOffsetNeverConflict() {
    assertThat(lock(f.windows("A").request(LockType.EXCLUSIVE, ByteRange.zeroLength(7)))).isTrue();
    assertThat(lock(f.windows("B").request(LockType.EXCLUSIVE, ByteRange.zeroLength(7)))).isTrue();
    List<Lock> held = locks.locks(f.file());
    assertThat(held).hasSize(2).allMatch(l -> l.range().isZeroLength());
  }
}
