package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.junit.jupiter.api.Test;

/** SPEC 4, WINDOWS flavour: stacking, exact release, zero-length ranges, multi-range requests. */
class WindowsLockingTest {
  private final LockManager locks = LockManagers.builder().build();
  private final Requests on = Requests.on("smb-file");
  private final Requests.Owner a = on.windows("smb:sess:1:a");
  private final Requests.Owner b = on.windows("smb:sess:2:b");

  private Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  private Lock deny(LockRequest r) {
    return Answers.deny(locks, r);
  }

  private LockRequest zero(Requests.Owner o, LockType type, long offset) {
    return o.request(type, ByteRange.zeroLength(offset));
  }

  private List<Lock> held() {
    return locks.locks(on.file());
  }

  private static void assertCode(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(StoreError.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  // ---- stacking, no coalescing, no splitting ----

  @Test
  void identicalSharedLocksStackAsSeparateRecords() {
    Lock s1 = grant(a.shared(0, 10));
    Lock s2 = grant(a.shared(0, 10));
    Lock s3 = grant(a.shared(0, 10));
    assertThat(held()).containsExactly(s1, s2, s3);
    assertThat(List.of(s1.id(), s2.id(), s3.id())).doesNotHaveDuplicates();
    assertThat(locks.lockCount()).isEqualTo(3);
    LockTableInvariants.check(locks);
  }

  @Test
  void grantedResultIsTheNewRecordWithTheRequestedRange() {
    grant(a.shared(0, 10));
    Lock second = grant(a.shared(5, 10));
    assertThat(second.range()).isEqualTo(ByteRange.of(5, 14));
    assertThat(second.type()).isEqualTo(LockType.SHARED);
    assertThat(second.flavour()).isEqualTo(LockFlavour.WINDOWS);
  }

  @Test
  void overlappingSharedLocksOfOneOwnerDoNotCoalesce() {
    Lock s1 = grant(a.shared(0, 10));
    Lock s2 = grant(a.shared(5, 10));
    assertThat(held()).containsExactly(s1, s2);
    assertThat(s1.range()).isEqualTo(ByteRange.of(0, 9));
    LockTableInvariants.check(locks);
  }

  @Test
  void touchingLocksOfOneOwnerDoNotCoalesce() {
    Lock x1 = grant(a.exclusive(0, 10));
    Lock x2 = grant(a.exclusive(10, 10));
    assertThat(held()).containsExactly(x1, x2);
    LockTableInvariants.check(locks);
  }

  @Test
  void sharedLockInsideOwnExclusiveDoesNotSplitIt() {
    Lock x = grant(a.exclusive(0, 100));
    Lock s = grant(a.shared(40, 10));
    assertThat(held()).containsExactly(x, s);
    assertThat(x.range()).isEqualTo(ByteRange.of(0, 99));
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfASubRangeIsLockNotFoundAndSplitsNothing() {
    Lock x = grant(a.exclusive(0, 100));
    assertCode(() -> locks.unlock(a.unlock(40, 10)), ErrorCode.LOCK_NOT_FOUND);
    assertCode(() -> locks.unlock(a.unlock(0, 50)), ErrorCode.LOCK_NOT_FOUND);
    assertThat(held()).containsExactly(x);
    LockTableInvariants.check(locks);
  }

  // ---- exact-match release ----

  @Test
  void releaseOfTheExactRangeRemovesTheLock() {
    grant(a.exclusive(10, 10));
    locks.unlock(a.unlock(10, 10));
    assertThat(held()).isEmpty();
    assertThat(locks.lockCount()).isZero();
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfANonMatchingRangeIsLockNotFound() {
    Lock x = grant(a.exclusive(10, 10));
    assertCode(() -> locks.unlock(a.unlock(100, 10)), ErrorCode.LOCK_NOT_FOUND);
    assertThat(held()).containsExactly(x);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseWithTheSameOffsetButAnotherLengthIsLockNotFound() {
    Lock x = grant(a.exclusive(10, 10));
    assertCode(() -> locks.unlock(a.unlock(10, 9)), ErrorCode.LOCK_NOT_FOUND);
    assertCode(() -> locks.unlock(a.unlock(10, 11)), ErrorCode.LOCK_NOT_FOUND);
    assertThat(held()).containsExactly(x);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfASuperRangeIsLockNotFound() {
    Lock x = grant(a.exclusive(10, 10));
    assertCode(() -> locks.unlock(a.unlock(0, 100)), ErrorCode.LOCK_NOT_FOUND);
    assertCode(() -> locks.unlock(a.unlock(0, 0)), ErrorCode.LOCK_NOT_FOUND);
    assertThat(held()).containsExactly(x);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfAnotherOwnersLockIsLockNotFound() {
    Lock x = grant(a.exclusive(10, 10));
    grant(b.shared(100, 10));
    assertCode(() -> locks.unlock(b.unlock(10, 10)), ErrorCode.LOCK_NOT_FOUND);
    assertThat(held()).contains(x);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseByAnOwnerHoldingNothingIsLockNotFound() {
    grant(a.exclusive(10, 10));
    assertCode(() -> locks.unlock(b.unlock(10, 10)), ErrorCode.LOCK_NOT_FOUND);
    Requests elsewhere = Requests.on("empty-file");
    assertCode(
        () -> locks.unlock(elsewhere.windows("smb:x").unlock(0, 1)), ErrorCode.LOCK_NOT_FOUND);
    assertThat(locks.lockCount()).isEqualTo(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void lockNotFoundNamesTheFile() {
    assertThatThrownBy(() -> locks.unlock(a.unlock(0, 1)))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.file()).contains(on.file().toHex()));
  }

  @Test
  void releaseOfStackedIdenticalLocksRemovesOneAtATime() {
    grant(a.shared(0, 10));
    grant(a.shared(0, 10));
    locks.unlock(a.unlock(0, 10));
    assertThat(held()).hasSize(1);
    locks.unlock(a.unlock(0, 10));
    assertThat(held()).isEmpty();
    assertCode(() -> locks.unlock(a.unlock(0, 10)), ErrorCode.LOCK_NOT_FOUND);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfStackedExclusiveAndSharedRemovesTheExclusiveFirst() {
    Lock x = grant(a.exclusive(0, 10));
    Lock s = grant(a.shared(0, 10));
    locks.unlock(a.unlock(0, 10));
    assertThat(held()).containsExactly(s);
    assertThat(held()).doesNotContain(x);
    // the bytes are now only shared: another owner can read-lock them
    assertThat(locks.lock(b.shared(0, 10)).granted()).isTrue();
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseRemovesTheExclusiveBeforeSeveralStackedShared() {
    grant(a.exclusive(0, 10));
    Lock s1 = grant(a.shared(0, 10));
    Lock s2 = grant(a.shared(0, 10));
    locks.unlock(a.unlock(0, 10));
    assertThat(held()).containsExactly(s1, s2);
    locks.unlock(a.unlock(0, 10));
    assertThat(held()).hasSize(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void releaseOfOneRangeLeavesOverlappingLocksOfOtherRanges() {
    Lock s1 = grant(a.shared(0, 10));
    grant(a.shared(5, 10));
    Lock s3 = grant(a.shared(0, 20));
    locks.unlock(a.unlock(5, 10));
    assertThat(held()).containsExactly(s1, s3);
    LockTableInvariants.check(locks);
  }

  // ---- zero-length ranges ----

  @Test
  void zeroLengthRangeCanBeLockedAndReleased() {
    Lock z = grant(zero(a, LockType.EXCLUSIVE, 10));
    assertThat(z.range().isZeroLength()).isTrue();
    assertThat(held()).containsExactly(z);
    locks.unlock(a.unlock(ByteRange.zeroLength(10)));
    assertThat(held()).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void zeroLengthLockIsNotReleasedByAOneByteRange() {
    Lock z = grant(zero(a, LockType.SHARED, 10));
    assertCode(() -> locks.unlock(a.unlock(10, 1)), ErrorCode.LOCK_NOT_FOUND);
    assertThat(held()).containsExactly(z);
    LockTableInvariants.check(locks);
  }

  @Test
  void oneByteLockIsNotReleasedByAZeroLengthRange() {
    Lock one = grant(a.shared(10, 1));
    assertCode(() -> locks.unlock(a.unlock(ByteRange.zeroLength(10))), ErrorCode.LOCK_NOT_FOUND);
    assertThat(held()).containsExactly(one);
    LockTableInvariants.check(locks);
  }

  @Test
  void zeroLengthRequestConflictsWithALockSpanningTheBoundary() {
    Lock x = grant(b.exclusive(9, 2)); // holds 9 and 10
    assertThat(deny(zero(a, LockType.EXCLUSIVE, 10))).isEqualTo(x);
    assertThat(deny(zero(a, LockType.SHARED, 10))).isEqualTo(x);
    LockTableInvariants.check(locks);
  }

  @Test
  void zeroLengthRequestDoesNotConflictWithALockStartingAtItsOffset() {
    grant(b.exclusive(10, 5));
    grant(zero(a, LockType.EXCLUSIVE, 10));
    LockTableInvariants.check(locks);
  }

  @Test
  void zeroLengthRequestDoesNotConflictWithALockEndingJustBefore() {
    grant(b.exclusive(5, 5)); // [5, 9]
    grant(zero(a, LockType.EXCLUSIVE, 10));
    LockTableInvariants.check(locks);
  }

  @Test
  void heldZeroLengthLockConflictsOnlyWithRangesHoldingBothNeighbours() {
    Lock z = grant(zero(a, LockType.EXCLUSIVE, 10));
    assertThat(deny(b.shared(9, 2))).isEqualTo(z);
    assertThat(deny(b.exclusive(0, 0))).isEqualTo(z);
    grant(b.exclusive(10, 5));
    grant(b.exclusive(0, 10));
    LockTableInvariants.check(locks);
  }

  @Test
  void zeroLengthAtOffsetZeroNeverConflicts() {
    grant(b.exclusive(0, 0));
    Lock z = grant(zero(a, LockType.EXCLUSIVE, 0));
    assertThat(z.range()).isEqualTo(ByteRange.zeroLength(0));
    LockTableInvariants.check(locks);
  }

  @Test
  void heldZeroLengthAtOffsetZeroBlocksNothing() {
    grant(zero(a, LockType.EXCLUSIVE, 0));
    grant(b.exclusive(0, 0));
    LockTableInvariants.check(locks);
  }

  @Test
  void twoZeroLengthLocksAtTheSameOffsetNeverConflict() {
    grant(zero(a, LockType.EXCLUSIVE, 10));
    grant(zero(b, LockType.EXCLUSIVE, 10));
    grant(zero(a, LockType.EXCLUSIVE, 10));
    assertThat(held()).hasSize(3);
    LockTableInvariants.check(locks);
  }

  @Test
  void zeroLengthAtTheLastOffsetConflictsWithTheLastTwoBytes() {
    long max = -1L;
    Lock x = grant(b.exclusive(max - 1, 2));
    assertThat(deny(zero(a, LockType.SHARED, max))).isEqualTo(x);
    LockTableInvariants.check(locks);
  }

  @Test
  void ownExclusiveOverOwnZeroLengthLockSpanningItConflicts() {
    Lock z = grant(zero(a, LockType.SHARED, 10));
    assertThat(deny(a.exclusive(0, 20))).isEqualTo(z);
    grant(a.exclusive(10, 10));
    LockTableInvariants.check(locks);
  }

  // ---- lockAll: all or nothing ----

  @Test
  void lockAllGrantsEveryRangeInRequestOrder() {
    LockResult res =
        locks.lockAll(List.of(a.exclusive(50, 10), a.shared(0, 10), a.exclusive(20, 5)));
    assertThat(res.granted()).isTrue();
    List<Lock> granted = ((LockResult.Granted) res).locks();
    assertThat(granted)
        .extracting(Lock::range)
        .containsExactly(ByteRange.span(50, 10), ByteRange.span(0, 10), ByteRange.span(20, 5));
    assertThat(held()).containsExactlyInAnyOrderElementsOf(granted);
    assertThat(locks.lockCount()).isEqualTo(3);
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllGrantsNoneWhenALaterElementConflictsWithTheTable() {
    Lock other = grant(b.exclusive(100, 10));
    LockResult res =
        locks.lockAll(List.of(a.shared(0, 10), a.exclusive(20, 10), a.exclusive(105, 1)));
    assertThat(res)
        .isInstanceOfSatisfying(
            LockResult.Denied.class, d -> assertThat(d.conflict()).isEqualTo(other));
    assertThat(held()).containsExactly(other);
    assertThat(locks.lockCount()).isEqualTo(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllRefusalLeavesTheOwnerWithoutFlavour() {
    grant(b.exclusive(100, 10));
    assertThat(locks.lockAll(List.of(a.shared(0, 10), a.shared(100, 1))).granted()).isFalse();
    // a holds nothing, so it may still become a POSIX owner
    assertThat(locks.lock(on.posix(a.owner().id()).shared(0, 10)).granted()).isTrue();
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllGrantsNoneWhenTwoElementsAreExclusiveOnTheSameRange() {
    LockResult res = locks.lockAll(List.of(a.exclusive(0, 10), a.exclusive(0, 10)));
    assertThat(res.granted()).isFalse();
    assertThat(held()).isEmpty();
    assertThat(locks.lockCount()).isZero();
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllGrantsNoneWhenAnExclusiveElementOverlapsAnEarlierShared() {
    grant(b.shared(1000, 1));
    LockResult res = locks.lockAll(List.of(a.shared(0, 10), a.shared(20, 10), a.exclusive(25, 10)));
    assertThat(res.granted()).isFalse();
    assertThat(held()).hasSize(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllStacksSharedAfterExclusiveOfTheSameRange() {
    LockResult res = locks.lockAll(List.of(a.exclusive(0, 10), a.shared(0, 10)));
    assertThat(res.granted()).isTrue();
    assertThat(held()).hasSize(2);
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllRejectsSeveralPosixRanges() {
    Requests.Owner p = on.posix("nlm:host:1:1");
    assertCode(
        () -> locks.lockAll(List.of(p.shared(0, 10), p.shared(20, 10))),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(held()).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllWithOnePosixRangeActsAsLock() {
    Requests.Owner p = on.posix("nlm:host:1:1");
    LockResult res = locks.lockAll(List.of(p.shared(0, 10)));
    assertThat(res.granted()).isTrue();
    assertThat(held()).hasSize(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllRejectsMixedFiles() {
    Requests.Owner sameOwnerElsewhere = Requests.on("other-file").windows(a.owner().id());
    assertCode(
        () -> locks.lockAll(List.of(a.shared(0, 10), sameOwnerElsewhere.shared(0, 10))),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.lockCount()).isZero();
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllRejectsMixedOwners() {
    assertCode(
        () -> locks.lockAll(List.of(a.shared(0, 10), b.shared(20, 10))),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.lockCount()).isZero();
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllRejectsMixedFlavours() {
    Requests.Owner samePosix = on.posix(a.owner().id());
    assertCode(
        () -> locks.lockAll(List.of(a.shared(0, 10), samePosix.shared(20, 10))),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.lockCount()).isZero();
    LockTableInvariants.check(locks);
  }

  @Test
  void lockAllRejectsAnEmptyList() {
    assertCode(() -> locks.lockAll(List.of()), ErrorCode.INVALID_ARGUMENT);
  }

  // ---- unlockAll: in order, stop at the first failure ----

  @Test
  void unlockAllReleasesEveryRange() {
    grant(a.shared(0, 10));
    grant(a.exclusive(20, 10));
    locks.unlockAll(List.of(a.unlock(20, 10), a.unlock(0, 10)));
    assertThat(held()).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void unlockAllStopsAtTheFirstFailure() {
    grant(a.exclusive(0, 10));
    Lock second = grant(a.exclusive(10, 10));
    Lock third = grant(a.exclusive(20, 10));
    assertThatThrownBy(
            () -> locks.unlockAll(List.of(a.unlock(0, 10), a.unlock(50, 10), a.unlock(20, 10))))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_NOT_FOUND));
    assertThat(held()).containsExactly(second, third);
    LockTableInvariants.check(locks);
  }

  @Test
  void unlockAllFailureSaysWhichElementFailed() {
    grant(a.exclusive(0, 10));
    assertThatThrownBy(
            () -> locks.unlockAll(List.of(a.unlock(0, 10), a.unlock(0, 10), a.unlock(0, 10))))
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.LOCK_NOT_FOUND);
              assertThat(e.getMessage()).contains("element 2 of 3");
            });
    assertThat(held()).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void unlockAllOfAStackedRangeTwiceReleasesBothRecords() {
    grant(a.shared(0, 10));
    grant(a.shared(0, 10));
    locks.unlockAll(List.of(a.unlock(0, 10), a.unlock(0, 10)));
    assertThat(held()).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void unlockAllFailingOnTheFirstElementReleasesNothing() {
    Lock x = grant(a.exclusive(0, 10));
    assertCode(
        () -> locks.unlockAll(List.of(a.unlock(0, 5), a.unlock(0, 10))), ErrorCode.LOCK_NOT_FOUND);
    assertThat(held()).containsExactly(x);
    LockTableInvariants.check(locks);
  }

  @Test
  void unlockAllRejectsAnEmptyList() {
    assertCode(() -> locks.unlockAll(List.of()), ErrorCode.INVALID_ARGUMENT);
  }
}
