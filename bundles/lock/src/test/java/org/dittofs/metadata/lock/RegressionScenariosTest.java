package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.junit.jupiter.api.Test;

/** SPEC 14: the regression scenarios that concern identities, ranges, conflicts and acquire. */
class RegressionScenariosTest {
  private static final long MAX = -1L;

  private final LockManager locks = LockManagers.builder().build();
  private final Requests on = Requests.on("regression-file");
  private final Requests.Owner a = on.posix("nlm:host:1:a");
  private final Requests.Owner b = on.posix("nlm:host:1:b");

  private Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  private List<Lock> heldBy(Requests.Owner o) {
    return Answers.heldBy(locks, on.file(), o);
  }

  // overlap and split at 2^64-1; an offset + length that wraps is refused

  @Test
  void overlapAtTheLastByteOfTheFileConflicts() {
    Lock top = grant(a.exclusive(MAX, 1));
    LockResult res = locks.lock(b.shared(MAX - 1, 2));
    assertThat(res)
        .isInstanceOfSatisfying(
            LockResult.Denied.class, d -> assertThat(d.conflict()).isEqualTo(top));
    assertThat(locks.lock(b.exclusive(MAX - 1, 1)).granted()).isTrue();
    LockTableInvariants.check(locks);
  }

  @Test
  void splitAtTheLastByteOfTheFileKeepsEveryOtherByte() {
    grant(a.exclusive(MAX - 99, 100)); // [2^64-100, 2^64-1]
    locks.unlock(a.unlock(MAX - 1, 1)); // release 2^64-2 only
    assertThat(heldBy(a))
        .extracting(Lock::range)
        .containsExactly(ByteRange.of(MAX - 99, MAX - 2), ByteRange.of(MAX, MAX));
    assertThat(locks.lock(b.exclusive(MAX - 1, 1)).granted()).isTrue();
    assertThat(locks.lock(b.exclusive(MAX, 1)).granted()).isFalse();
    LockTableInvariants.check(locks);
  }

  @Test
  void offsetPlusLengthThatWrapsIsRefused() {
    assertThatThrownBy(() -> a.exclusive(MAX, 2))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> ByteRange.span(Long.MIN_VALUE, Long.MIN_VALUE + 1))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(locks.lockCount()).isZero();
  }

  // split pieces get distinct ids and persist independently

  @Test
  void splitPiecesGetDistinctIdsAndLiveIndependently() {
    Lock whole = grant(a.shared(0, 300));
    grant(a.exclusive(100, 100));
    List<Lock> pieces = heldBy(a);
    assertThat(pieces).hasSize(3);
    assertThat(pieces).extracting(Lock::id).doesNotHaveDuplicates().doesNotContain(whole.id());
    Lock head = pieces.get(0);
    Lock tail = pieces.get(2);
    locks.unlock(a.unlock(0, 100)); // release the head only
    assertThat(heldBy(a)).doesNotContain(head).contains(tail);
    assertThat(heldBy(a)).hasSize(2);
    LockTableInvariants.check(locks);
  }

  // unlock of a middle part of a to-EOF lock keeps the tail to EOF

  @Test
  void unlockOfTheMiddleOfAToEofLockKeepsTheTailToEof() {
    grant(a.exclusive(0, 0));
    locks.unlock(a.unlock(1000, 1000));
    assertThat(heldBy(a))
        .extracting(Lock::range)
        .containsExactly(ByteRange.of(0, 999), ByteRange.toEnd(2000));
    assertThat(locks.lock(b.exclusive(MAX, 1)).granted()).isFalse();
    assertThat(locks.lock(b.exclusive(1000, 1000)).granted()).isTrue();
    LockTableInvariants.check(locks);
  }

  // unlock of a superset of a lock removes it and creates nothing

  @Test
  void unlockOfASupersetRemovesTheLockAndCreatesNothing() {
    grant(a.shared(100, 10));
    grant(a.exclusive(200, 10));
    locks.unlock(a.unlock(50, 1000));
    assertThat(heldBy(a)).isEmpty();
    assertThat(locks.lockCount()).isZero();
    assertThat(locks.locks(on.file())).isEmpty();
    LockTableInvariants.check(locks);
  }

  // a lock over an existing same-owner lock that starts earlier and ends earlier coalesces

  @Test
  void lockStartingEarlierAndEndingEarlierCoalescesToTheUnion() {
    grant(a.exclusive(100, 100)); // [100, 199]
    Lock merged = grant(a.exclusive(50, 100)); // [50, 149]
    assertThat(merged.range()).isEqualTo(ByteRange.of(50, 199));
    assertThat(heldBy(a)).containsExactly(merged);
    // no byte lost at either end
    assertThat(locks.lock(b.shared(50, 1)).granted()).isFalse();
    assertThat(locks.lock(b.shared(199, 1)).granted()).isFalse();
    assertThat(locks.lock(b.shared(49, 1)).granted()).isTrue();
    assertThat(locks.lock(b.shared(200, 1)).granted()).isTrue();
    LockTableInvariants.check(locks);
  }

  // test agrees with acquire for every type combination

  @Test
  void testAgreesWithAcquireForEveryTypeCombination() {
    for (LockType held : LockType.values()) {
      for (LockType wanted : LockType.values()) {
        LockManager m = LockManagers.builder().build();
        assertThat(m.lock(a.request(held, ByteRange.span(0, 10))).granted()).isTrue();
        LockRequest req = b.request(wanted, ByteRange.span(5, 10));
        Optional<Lock> report = m.test(req);
        LockResult res = m.lock(req);
        assertThat(report.isEmpty()).as("%s vs %s", held, wanted).isEqualTo(res.granted());
        boolean bothShared = held == LockType.SHARED && wanted == LockType.SHARED;
        assertThat(res.granted()).as("%s vs %s", held, wanted).isEqualTo(bothShared);
      }
    }
  }

  @Test
  void sharedTestAgainstASharedHolderIsGranted() {
    grant(a.shared(0, 10));
    assertThat(locks.test(b.shared(0, 10))).isEmpty();
    assertThat(locks.lock(b.shared(0, 10)).granted()).isTrue();
  }

  // upgrade replaces the type atomically: one record, not two

  @Test
  void upgradeReplacesTheTypeWithOneRecord() {
    grant(a.shared(0, 100));
    Lock upgraded = grant(a.exclusive(0, 100));
    assertThat(locks.locks(on.file())).containsExactly(upgraded);
    assertThat(upgraded.type()).isEqualTo(LockType.EXCLUSIVE);
    assertThat(locks.lockCount()).isEqualTo(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void refusedUpgradeLeavesTheSharedLockUntouched() {
    Lock s = grant(a.shared(0, 100));
    grant(b.shared(99, 1));
    assertThat(locks.lock(a.exclusive(0, 100)).granted()).isFalse();
    assertThat(heldBy(a)).containsExactly(s);
    LockTableInvariants.check(locks);
  }

  // two owners of different protocols on the same bytes conflict

  @Test
  void twoOwnersOfDifferentProtocolsOnTheSameBytesConflict() {
    Requests.Owner nlm = on.posix("nlm:host:1:1");
    Requests.Owner smb = on.windows("smb:sess:1");
    Lock held = grant(nlm.shared(0, 100));
    LockResult res = locks.lock(smb.exclusive(0, 100));
    assertThat(res)
        .isInstanceOfSatisfying(
            LockResult.Denied.class, d -> assertThat(d.conflict()).isEqualTo(held));
    assertThat(locks.test(smb.exclusive(0, 100))).contains(held);
    LockTableInvariants.check(locks);
  }
}
