package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.junit.jupiter.api.Test;

/** SPEC 4, POSIX flavour: replace, coalesce, split, upgrade, downgrade, release. */
class PosixLockingTest {
  private static final long MAX = -1L;

  private final LockManager locks = LockManagers.builder().build();
  private final Requests on = Requests.on("posix-file");
  private final Requests.Owner a = on.posix("nlm:host:1:a");
  private final Requests.Owner b = on.posix("nlm:host:1:b");

  private Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  private List<Lock> held() {
    return locks.locks(on.file());
  }

  private List<Lock> heldBy(Requests.Owner o) {
    return Answers.heldBy(locks, on.file(), o);
  }

  /** The owner's locks as "TYPE [first, last]" strings, in order. */
  private List<String> shape(Requests.Owner o) {
    return heldBy(o).stream().map(l -> l.type() + " " + l.range()).toList();
  }

  private static Set<LockId> ids(List<Lock> ls) {
    Set<LockId> s = new HashSet<>();
    ls.forEach(l -> s.add(l.id()));
    return s;
  }

  // ---- coalescing ----

  @Test
  void overlappingSameTypeLocksCoalesceIntoOne() {
    grant(a.exclusive(0, 10));
    grant(a.exclusive(5, 10));
    assertThat(shape(a)).containsExactly("EXCLUSIVE [0, 14]");
    LockTableInvariants.check(locks);
  }

  @Test
  void touchingSameTypeLocksCoalesceIntoOne() {
    grant(a.shared(0, 10));
    grant(a.shared(10, 10));
    assertThat(shape(a)).containsExactly("SHARED [0, 19]");
    LockTableInvariants.check(locks);
  }

  @Test
  void touchingOnTheLeftCoalesces() {
    grant(a.shared(10, 10));
    grant(a.shared(0, 10));
    assertThat(shape(a)).containsExactly("SHARED [0, 19]");
    LockTableInvariants.check(locks);
  }

  @Test
  void separatedSameTypeLocksStaySeparate() {
    grant(a.shared(0, 10));
    grant(a.shared(11, 10));
    assertThat(shape(a)).containsExactly("SHARED [0, 9]", "SHARED [11, 20]");
    LockTableInvariants.check(locks);
  }

  @Test
  void lockBridgingTwoSameTypeLocksCoalescesAllThree() {
    grant(a.exclusive(0, 10));
    grant(a.exclusive(20, 10));
    Lock bridge = grant(a.exclusive(10, 10));
    assertThat(shape(a)).containsExactly("EXCLUSIVE [0, 29]");
    assertThat(bridge.range()).isEqualTo(ByteRange.of(0, 29));
    LockTableInvariants.check(locks);
  }

  @Test
  void lockCoveringManySameTypeLocksCoalescesThemAll() {
    for (int i = 0; i < 10; i++) {
      grant(a.shared(i * 10L, 5));
    }
    assertThat(heldBy(a)).hasSize(10);
    grant(a.shared(3, 90));
    assertThat(shape(a)).containsExactly("SHARED [0, 94]");
    LockTableInvariants.check(locks);
  }

  @Test
  void lockStartingEarlierAndEndingEarlierCoalescesToExactUnion() {
    grant(a.exclusive(10, 11)); // [10, 20]
    grant(a.exclusive(5, 10)); // [5, 14]
    assertThat(shape(a)).containsExactly("EXCLUSIVE [5, 20]");
    LockTableInvariants.check(locks);
  }

  @Test
  void lockStartingLaterAndEndingLaterCoalescesToExactUnion() {
    grant(a.shared(5, 10)); // [5, 14]
    grant(a.shared(10, 11)); // [10, 20]
    assertThat(shape(a)).containsExactly("SHARED [5, 20]");
    LockTableInvariants.check(locks);
  }

  @Test
  void lockEnclosingAnExistingLockReplacesIt() {
    Lock inner = grant(a.exclusive(10, 5));
    Lock outer = grant(a.exclusive(0, 100));
    assertThat(outer.range()).isEqualTo(ByteRange.of(0, 99));
    assertThat(held()).containsExactly(outer);
    assertThat(outer.id()).isNotEqualTo(inner.id());
    LockTableInvariants.check(locks);
  }

  @Test
  void grantedResultIsTheCoalescedCoveringRecord() {
    grant(a.shared(0, 10));
    Lock result = grant(a.shared(5, 10));
    assertThat(result.range()).isEqualTo(ByteRange.of(0, 14));
    assertThat(held()).containsExactly(result);
  }

  @Test
  void relockingAHeldRangeWithTheSameTypeChangesNothing() {
    Lock first = grant(a.exclusive(0, 10));
    Lock again = grant(a.exclusive(0, 10));
    assertThat(again).isEqualTo(first);
    assertThat(held()).containsExactly(first);
    assertThat(locks.lockCount()).isEqualTo(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void relockingASubRangeWithTheSameTypeReturnsTheCoveringRecord() {
    Lock first = grant(a.shared(0, 100));
    Lock sub = grant(a.shared(40, 10));
    assertThat(sub.id()).isEqualTo(first.id());
    assertThat(sub.range()).isEqualTo(ByteRange.of(0, 99));
    assertThat(held()).containsExactly(first);
    LockTableInvariants.check(locks);
  }

  @Test
  void differentTypeLocksThatTouchDoNotCoalesce() {
    grant(a.shared(0, 10));
    grant(a.exclusive(10, 10));
    assertThat(shape(a)).containsExactly("SHARED [0, 9]", "EXCLUSIVE [10, 19]");
    LockTableInvariants.check(locks);
  }

  @Test
  void locksOfDifferentOwnersNeverCoalesce() {
    grant(a.shared(0, 10));
    grant(b.shared(10, 10));
    grant(b.shared(5, 2));
    assertThat(shape(a)).containsExactly("SHARED [0, 9]");
    assertThat(shape(b)).containsExactly("SHARED [5, 6]", "SHARED [10, 19]");
    LockTableInvariants.check(locks);
  }

  // ---- different type over part: split ----

  @Test
  void differentTypeInTheMiddleSplitsIntoThreePieces() {
    grant(a.shared(0, 100));
    grant(a.exclusive(40, 10));
    assertThat(shape(a)).containsExactly("SHARED [0, 39]", "EXCLUSIVE [40, 49]", "SHARED [50, 99]");
    LockTableInvariants.check(locks);
  }

  @Test
  void differentTypeOverTheHeadSplitsIntoTwoPieces() {
    grant(a.exclusive(0, 100));
    grant(a.shared(0, 30));
    assertThat(shape(a)).containsExactly("SHARED [0, 29]", "EXCLUSIVE [30, 99]");
    LockTableInvariants.check(locks);
  }

  @Test
  void differentTypeOverTheTailSplitsIntoTwoPieces() {
    grant(a.exclusive(0, 100));
    grant(a.shared(70, 0));
    assertThat(shape(a)).containsExactly("EXCLUSIVE [0, 69]", "SHARED [70, EOF]");
    LockTableInvariants.check(locks);
  }

  @Test
  void differentTypeStraddlingTwoLocksTrimsBoth() {
    grant(a.shared(0, 10));
    grant(a.shared(20, 10));
    grant(a.exclusive(5, 20));
    assertThat(shape(a)).containsExactly("SHARED [0, 4]", "EXCLUSIVE [5, 24]", "SHARED [25, 29]");
    LockTableInvariants.check(locks);
  }

  @Test
  void newLockCoalescesWithSameTypeNeighbourWhileSplittingOtherType() {
    grant(a.shared(0, 10)); // [0, 9]
    grant(a.exclusive(10, 10)); // [10, 19]
    grant(a.shared(5, 10)); // [5, 14]: joins [0, 9], cuts the head of the EXCLUSIVE
    assertThat(shape(a)).containsExactly("SHARED [0, 14]", "EXCLUSIVE [15, 19]");
    LockTableInvariants.check(locks);
  }

  @Test
  void replacingTheMiddlePieceRejoinsBothNeighbours() {
    grant(a.shared(0, 30));
    grant(a.exclusive(10, 10));
    Lock joined = grant(a.shared(10, 10));
    assertThat(shape(a)).containsExactly("SHARED [0, 29]");
    assertThat(joined.range()).isEqualTo(ByteRange.of(0, 29));
    LockTableInvariants.check(locks);
  }

  @Test
  void splitPiecesGetDistinctFreshIds() {
    Lock whole = grant(a.shared(0, 100));
    Lock middle = grant(a.exclusive(40, 10));
    List<Lock> pieces = heldBy(a);
    assertThat(pieces).hasSize(3);
    assertThat(ids(pieces)).hasSize(3).doesNotContain(whole.id()).contains(middle.id());
    LockTableInvariants.check(locks);
  }

  @Test
  void splitPiecesKeepTheOwnerShareAndClient() {
    grant(a.shared(0, 100));
    grant(a.exclusive(40, 10));
    for (Lock l : heldBy(a)) {
      assertThat(l.owner()).isEqualTo(a.owner());
      assertThat(l.client()).isEqualTo(a.client());
      assertThat(l.share()).isEqualTo("export");
      assertThat(l.file()).isEqualTo(on.file());
      assertThat(l.flavour()).isEqualTo(LockFlavour.POSIX);
    }
  }

  // ---- upgrade and downgrade ----

  @Test
  void upgradeOfWholeLockLeavesOneExclusiveRecord() {
    Lock s = grant(a.shared(0, 100));
    Lock x = grant(a.exclusive(0, 100));
    assertThat(held()).containsExactly(x);
    assertThat(x.type()).isEqualTo(LockType.EXCLUSIVE);
    assertThat(x.range()).isEqualTo(s.range());
    assertThat(locks.lockCount()).isEqualTo(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void upgradeOfPartLeavesExclusivePieceAndSharedRest() {
    grant(a.shared(0, 100));
    grant(b.shared(80, 10));
    grant(a.exclusive(0, 50));
    assertThat(shape(a)).containsExactly("EXCLUSIVE [0, 49]", "SHARED [50, 99]");
    LockTableInvariants.check(locks);
  }

  @Test
  void upgradeRefusedWhenAnotherOwnerSharesTheBytes() {
    Lock s = grant(a.shared(0, 100));
    Lock other = grant(b.shared(50, 10));
    LockResult res = locks.lock(a.exclusive(0, 100));
    assertThat(res)
        .isInstanceOfSatisfying(
            LockResult.Denied.class, d -> assertThat(d.conflict()).isEqualTo(other));
    assertThat(heldBy(a)).containsExactly(s);
    assertThat(heldBy(a).get(0).id()).isEqualTo(s.id());
    assertThat(heldBy(a).get(0).range()).isEqualTo(ByteRange.of(0, 99));
    assertThat(heldBy(a).get(0).type()).isEqualTo(LockType.SHARED);
    LockTableInvariants.check(locks);
  }

  @Test
  void partialUpgradeRefusedLeavesTheWholeLockUntouched() {
    Lock s = grant(a.shared(0, 100));
    grant(b.shared(45, 1));
    assertThat(locks.lock(a.exclusive(40, 10)).granted()).isFalse();
    assertThat(heldBy(a)).containsExactly(s);
    LockTableInvariants.check(locks);
  }

  @Test
  void upgradeRefusedAtomicallyEvenWhenOnlyTheFarEndConflicts() {
    grant(a.shared(0, 10));
    grant(a.shared(20, 10));
    Lock other = grant(b.shared(29, 1));
    List<Lock> before = heldBy(a);
    LockResult res = locks.lock(a.exclusive(0, 30));
    assertThat(res.granted()).isFalse();
    assertThat(((LockResult.Denied) res).conflict()).isEqualTo(other);
    assertThat(heldBy(a)).isEqualTo(before);
    LockTableInvariants.check(locks);
  }

  @Test
  void upgradeGrantedWhenOtherOwnerSharesOnlyAdjacentBytes() {
    grant(a.shared(10, 10));
    grant(b.shared(0, 10));
    grant(b.shared(20, 10));
    Lock x = grant(a.exclusive(10, 10));
    assertThat(shape(a)).containsExactly("EXCLUSIVE [10, 19]");
    assertThat(x.type()).isEqualTo(LockType.EXCLUSIVE);
    LockTableInvariants.check(locks);
  }

  @Test
  void downgradeOfWholeLockAlwaysSucceeds() {
    grant(a.exclusive(0, 100));
    Lock s = grant(a.shared(0, 100));
    assertThat(held()).containsExactly(s);
    assertThat(s.type()).isEqualTo(LockType.SHARED);
    LockTableInvariants.check(locks);
  }

  @Test
  void downgradeLetsOtherOwnersShareButNotWrite() {
    Lock x = grant(a.exclusive(0, 100));
    assertThat(locks.lock(b.shared(10, 1)).granted()).isFalse();
    Lock s = grant(a.shared(0, 100));
    grant(b.shared(10, 1));
    LockResult res = locks.lock(b.exclusive(20, 1));
    assertThat(res)
        .isInstanceOfSatisfying(
            LockResult.Denied.class, d -> assertThat(d.conflict()).isEqualTo(s));
    assertThat(s.id()).isNotEqualTo(x.id());
    LockTableInvariants.check(locks);
  }

  @Test
  void downgradeOfPartSplitsTheExclusiveLock() {
    grant(a.exclusive(0, 100));
    grant(a.shared(30, 10));
    assertThat(shape(a))
        .containsExactly("EXCLUSIVE [0, 29]", "SHARED [30, 39]", "EXCLUSIVE [40, 99]");
    LockTableInvariants.check(locks);
  }

  // ---- release ----

  @Test
  void releaseOfTheWholeLockRemovesIt() {
    grant(a.exclusive(0, 10));
    locks.unlock(a.unlock(0, 10));
    assertThat(held()).isEmpty();
    assertThat(locks.lockCount()).isZero();
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfTheMiddleSplitsIntoTwoPieces() {
    Lock whole = grant(a.shared(0, 100));
    locks.unlock(a.unlock(40, 10));
    assertThat(shape(a)).containsExactly("SHARED [0, 39]", "SHARED [50, 99]");
    assertThat(ids(heldBy(a))).hasSize(2).doesNotContain(whole.id());
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfTheHeadKeepsTheTail() {
    grant(a.exclusive(0, 100));
    locks.unlock(a.unlock(0, 25));
    assertThat(shape(a)).containsExactly("EXCLUSIVE [25, 99]");
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfTheTailKeepsTheHead() {
    grant(a.exclusive(0, 100));
    locks.unlock(a.unlock(75, 0));
    assertThat(shape(a)).containsExactly("EXCLUSIVE [0, 74]");
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseAcrossSeveralLocksTrimsEachAndRemovesTheCovered() {
    grant(a.shared(0, 10));
    grant(a.exclusive(20, 10));
    grant(a.shared(40, 10));
    locks.unlock(a.unlock(5, 40)); // [5, 44]
    assertThat(shape(a)).containsExactly("SHARED [0, 4]", "SHARED [45, 49]");
    LockTableInvariants.check(locks);
  }

  @Test
  void unlockInsideToEofLockKeepsTail() {
    grant(a.exclusive(100, 0));
    locks.unlock(a.unlock(200, 50));
    assertThat(shape(a)).containsExactly("EXCLUSIVE [100, 199]", "EXCLUSIVE [250, EOF]");
    Lock tail = heldBy(a).get(1);
    assertThat(tail.range().isToEnd()).isTrue();
    assertThat(tail.range().last()).isEqualTo(MAX);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfUnheldBytesSucceedsAndChangesNothing() {
    Lock l = grant(a.exclusive(0, 10));
    locks.unlock(a.unlock(10, 10));
    locks.unlock(a.unlock(1000, 0));
    assertThat(held()).containsExactly(l);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseByAnOwnerHoldingNothingSucceedsAndChangesNothing() {
    Lock l = grant(a.exclusive(0, 10));
    locks.unlock(b.unlock(0, 0));
    assertThat(held()).containsExactly(l);
    locks.unlock(Requests.on("no-such-file").posix("x").unlock(0, 0));
    assertThat(locks.lockCount()).isEqualTo(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfTheGapBetweenTwoLocksChangesNothing() {
    Lock l1 = grant(a.shared(0, 10));
    Lock l2 = grant(a.shared(20, 10));
    locks.unlock(a.unlock(10, 10));
    assertThat(heldBy(a)).containsExactly(l1, l2);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfASupersetRemovesTheLockAndCreatesNothing() {
    grant(a.exclusive(10, 10));
    long before = locks.lockCount();
    locks.unlock(a.unlock(0, 100));
    assertThat(held()).isEmpty();
    assertThat(locks.lockCount()).isEqualTo(before - 1);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseTouchesOnlyTheReleasingOwner() {
    grant(a.shared(0, 100));
    Lock other = grant(b.shared(0, 100));
    locks.unlock(a.unlock(0, 0));
    assertThat(held()).containsExactly(other);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseThenOtherOwnerCanLockTheFreedBytes() {
    grant(a.exclusive(0, 100));
    locks.unlock(a.unlock(40, 10));
    assertThat(locks.lock(b.exclusive(40, 10)).granted()).isTrue();
    assertThat(locks.lock(b.exclusive(39, 1)).granted()).isFalse();
    assertThat(locks.lock(b.exclusive(50, 1)).granted()).isFalse();
    LockTableInvariants.check(locks);
  }

  @Test
  void releasePiecesGetDistinctFreshIds() {
    Lock whole = grant(a.shared(0, 0));
    locks.unlock(a.unlock(10, 10));
    locks.unlock(a.unlock(30, 10));
    List<Lock> pieces = heldBy(a);
    assertThat(pieces).hasSize(3);
    assertThat(ids(pieces)).hasSize(3).doesNotContain(whole.id());
    LockTableInvariants.check(locks);
  }

  // ---- the top of the unsigned space ----

  @Test
  void lockOfTheLastBytesConflictsOnlyWhereTheyOverlap() {
    Lock top = grant(a.exclusive(MAX - 9, 10)); // [2^64-10, 2^64-1]
    assertThat(top.range().last()).isEqualTo(MAX);
    assertThat(locks.lock(b.exclusive(MAX, 1)).granted()).isFalse();
    assertThat(locks.lock(b.shared(0, 0)).granted()).isFalse();
    assertThat(locks.lock(b.exclusive(MAX - 10, 1)).granted()).isTrue();
    assertThat(locks.lock(b.exclusive(0, 100)).granted()).isTrue();
    LockTableInvariants.check(locks);
  }

  @Test
  void splitAtTheLastByteOfTheFile() {
    grant(a.exclusive(0, 0));
    locks.unlock(a.unlock(MAX, 1));
    assertThat(heldBy(a))
        .singleElement()
        .satisfies(l -> assertThat(l.range()).isEqualTo(ByteRange.of(0, MAX - 1)));
    assertThat(locks.lock(b.exclusive(MAX, 1)).granted()).isTrue();
    LockTableInvariants.check(locks);
  }

  @Test
  void splitNearTheLastByteKeepsBothPieces() {
    grant(a.shared(MAX - 9, 10));
    grant(a.exclusive(MAX - 5, 2)); // [2^64-6, 2^64-5]
    assertThat(heldBy(a))
        .extracting(Lock::range, Lock::type)
        .containsExactly(
            tuple(ByteRange.of(MAX - 9, MAX - 6), LockType.SHARED),
            tuple(ByteRange.of(MAX - 5, MAX - 4), LockType.EXCLUSIVE),
            tuple(ByteRange.of(MAX - 3, MAX), LockType.SHARED));
    LockTableInvariants.check(locks);
  }

  @Test
  void coalescingAtTheLastByteReachesEof() {
    grant(a.shared(MAX - 9, 5));
    Lock merged = grant(a.shared(MAX - 4, 5));
    assertThat(merged.range()).isEqualTo(ByteRange.of(MAX - 9, MAX));
    assertThat(merged.range().isToEnd()).isTrue();
    assertThat(heldBy(a)).containsExactly(merged);
    LockTableInvariants.check(locks);
  }

  @Test
  void locksAboveTwoToThe63AreOrderedUnsigned() {
    long high = Long.MIN_VALUE; // 2^63
    grant(a.shared(high, 10));
    grant(a.shared(0, 10));
    grant(a.exclusive(high + 5, 1));
    assertThat(shape(a))
        .containsExactly(
            "SHARED [0, 9]",
            "SHARED [9223372036854775808, 9223372036854775812]",
            "EXCLUSIVE [9223372036854775813, 9223372036854775813]",
            "SHARED [9223372036854775814, 9223372036854775817]");
    LockTableInvariants.check(locks);
  }

  @Test
  void zeroLengthRangeIsRefusedForPosix() {
    assertThatThrownBy(() -> a.request(LockType.SHARED, ByteRange.zeroLength(5)))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }

  @Test
  void posixOwnerIsNotBlockedByItsOwnLocks() {
    grant(a.exclusive(0, 10));
    grant(a.shared(0, 100));
    assertThat(locks.test(a.exclusive(0, 0))).isEmpty();
    assertThat(shape(a)).containsExactly("SHARED [0, 99]");
    LockTableInvariants.check(locks);
  }
}
