package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.junit.jupiter.api.Test;

/** SPEC 13: the lock-specific factories keep their code and structured detail. */
class LockErrorsTest {
  private static final FileHandle FILE = FileHandle.of(new byte[] {0x0a, (byte) 0xff});

  private static Lock lock(ByteRange range, LockType type, LockFlavour flavour) {
    return new Lock(
        new LockId(3, 41),
        LockOwner.of("smb:session-7"),
        new LockClient("c1", "smb"),
        "export",
        FILE,
        range,
        type,
        flavour,
        Instant.parse("2026-01-01T00:00:00Z"),
        3);
  }

  @Test
  void conflictDetailOfABoundedLockCarriesIdOwnerRangeAndType() {
    ErrorDetail.Conflict c =
        LockErrors.conflictDetail(
            lock(ByteRange.span(100, 50), LockType.EXCLUSIVE, LockFlavour.POSIX));

    assertThat(c.lockId()).isEqualTo("3.41");
    assertThat(c.owner()).isEqualTo("smb:session-7");
    assertThat(c.first()).isEqualTo(100);
    assertThat(c.last()).isEqualTo(149);
    assertThat(c.zeroLength()).isFalse();
    assertThat(c.exclusive()).isTrue();
  }

  @Test
  void conflictDetailOfAZeroLengthLockIsMarkedZeroLength() {
    ErrorDetail.Conflict c =
        LockErrors.conflictDetail(
            lock(ByteRange.zeroLength(77), LockType.SHARED, LockFlavour.WINDOWS));

    assertThat(c.zeroLength()).isTrue();
    assertThat(c.first()).isEqualTo(77);
    assertThat(c.last()).isEqualTo(77);
    assertThat(c.exclusive()).isFalse();
    assertThat(c.toString()).contains("zero-length at 77");
  }

  @Test
  void conflictDetailOfAToEndLockEndsAtTwoToThe64MinusOne() {
    ErrorDetail.Conflict c =
        LockErrors.conflictDetail(
            lock(ByteRange.toEnd(1L << 63), LockType.EXCLUSIVE, LockFlavour.POSIX));

    assertThat(c.first()).isEqualTo(1L << 63);
    assertThat(c.last()).isEqualTo(-1L);
    assertThat(c.zeroLength()).isFalse();
    assertThat(c.toString()).contains("[9223372036854775808, 18446744073709551615]");
  }

  @Test
  void lockedKeepsCodePathFileAndConflictingHolder() {
    Lock holder = lock(ByteRange.span(0, 10), LockType.SHARED, LockFlavour.WINDOWS);

    StoreError e = LockErrors.locked("/export/a.txt", holder);

    assertThat(e.code()).isEqualTo(ErrorCode.LOCKED);
    assertThat(e.path()).contains("/export/a.txt");
    assertThat(e.file()).contains("0aff");
    assertThat(e.conflict()).contains(LockErrors.conflictDetail(holder));
    assertThat(e.getMessage()).contains("smb:session-7");
    assertThat(StoreErrors.isLockConflict(e)).isTrue();
  }

  @Test
  void lockConflictKeepsCodeFileAndConflictDetail() {
    Lock holder = lock(ByteRange.toEnd(5), LockType.EXCLUSIVE, LockFlavour.WINDOWS);

    StoreError e = LockErrors.lockConflict("write of [0, 9]", holder);

    assertThat(e.code()).isEqualTo(ErrorCode.LOCK_CONFLICT);
    assertThat(e.file()).contains("0aff");
    assertThat(e.conflict()).isPresent();
    ErrorDetail.Conflict c = e.conflict().orElseThrow();
    assertThat(c.lockId()).isEqualTo("3.41");
    assertThat(c.first()).isEqualTo(5);
    assertThat(c.last()).isEqualTo(-1L);
    assertThat(c.exclusive()).isTrue();
    assertThat(e.getMessage()).contains("write of [0, 9]");
    assertThat(StoreErrors.isLockConflict(e)).isTrue();
  }

  @Test
  void lockNotFoundKeepsCodeFileAndWhat() {
    StoreError e = LockErrors.lockNotFound(FILE, "[0, 9] of owner 'x'");

    assertThat(e.code()).isEqualTo(ErrorCode.LOCK_NOT_FOUND);
    assertThat(e.file()).contains("0aff");
    assertThat(e.getMessage()).contains("[0, 9] of owner 'x'").contains("range not locked");
    assertThat(e.detail()).isEmpty();
    assertThat(StoreErrors.isNotFound(e)).isTrue();
  }

  @Test
  void deadlockKeepsWaiterAndBlockersInOrder() {
    List<String> blockers = new ArrayList<>(List.of("owner-b", "owner-c", "owner-a"));

    StoreError e = LockErrors.deadlock("owner-a", blockers);
    blockers.clear();

    assertThat(e.code()).isEqualTo(ErrorCode.DEADLOCK);
    assertThat(e.detail()).containsInstanceOf(ErrorDetail.Deadlock.class);
    ErrorDetail.Deadlock d = (ErrorDetail.Deadlock) e.detail().orElseThrow();
    assertThat(d.waiter()).isEqualTo("owner-a");
    assertThat(d.blockers()).containsExactly("owner-b", "owner-c", "owner-a");
    assertThat(e.getMessage()).contains("owner-a").contains("owner-b");
    assertThat(e.conflict()).isEmpty();
    assertThat(StoreErrors.isDeadlock(e)).isTrue();
  }

  @Test
  void gracePeriodKeepsSecondsLeft() {
    StoreError e = LockErrors.gracePeriod(73);

    assertThat(e.code()).isEqualTo(ErrorCode.GRACE_PERIOD);
    assertThat(e.detail()).contains(new ErrorDetail.Grace(73));
    assertThat(e.getMessage()).contains("73");
    assertThat(StoreErrors.isGracePeriod(e)).isTrue();
  }

  @Test
  void lockLimitExceededKeepsLimitNameCurrentAndMax() {
    StoreError e = LockErrors.lockLimitExceeded("per-file", 1000, 1000);

    assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED);
    assertThat(e.detail()).contains(new ErrorDetail.Limit("per-file", 1000, 1000));
    assertThat(e.getMessage()).contains("per-file").contains("1000");
    assertThat(StoreErrors.isLockLimit(e)).isTrue();

    StoreError other = LockErrors.lockLimitExceeded("waiters-per-file", 100, 101);
    assertThat(other.detail()).contains(new ErrorDetail.Limit("waiters-per-file", 100, 101));
  }

  @Test
  void shareDeniedKeepsCodeFileAndReason() {
    StoreError e = LockErrors.shareDenied(FILE, "deny WRITE clashes");

    assertThat(e.code()).isEqualTo(ErrorCode.SHARE_DENIED);
    assertThat(e.file()).contains("0aff");
    assertThat(e.getMessage()).contains("deny WRITE clashes");
    assertThat(StoreErrors.isLockConflict(e)).isFalse();
  }
}
