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

/** SPEC 1 (owners, flavour) and SPEC 3 (the conflict predicate), through the manager. */
class ConflictRulesTest {
  private final LockManager locks = LockManagers.builder().build();
  private final Requests on = Requests.on("conflict-file");

  private Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  private Lock deny(LockRequest r) {
    return Answers.deny(locks, r);
  }

  private static void assertCode(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(StoreError.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  // ---- different owners ----

  @Test
  void differentOwnersSharedOverSharedIsGranted() {
    grant(on.posix("A").shared(0, 10));
    grant(on.posix("B").shared(5, 10));
    assertThat(locks.locks(on.file())).hasSize(2);
    LockTableInvariants.check(locks);
  }

  @Test
  void differentOwnersExclusiveOverSharedConflicts() {
    Lock a = grant(on.posix("A").shared(0, 10));
    assertThat(deny(on.posix("B").exclusive(5, 10))).isEqualTo(a);
    assertThat(locks.locks(on.file())).containsExactly(a);
    LockTableInvariants.check(locks);
  }

  @Test
  void differentOwnersSharedOverExclusiveConflicts() {
    Lock a = grant(on.posix("A").exclusive(0, 10));
    assertThat(deny(on.posix("B").shared(9, 1))).isEqualTo(a);
    assertThat(locks.locks(on.file())).containsExactly(a);
    LockTableInvariants.check(locks);
  }

  @Test
  void differentOwnersExclusiveOverExclusiveConflicts() {
    Lock a = grant(on.posix("A").exclusive(0, 10));
    assertThat(deny(on.posix("B").exclusive(0, 10))).isEqualTo(a);
    LockTableInvariants.check(locks);
  }

  @Test
  void differentOwnersExclusiveOnAdjacentBytesIsGranted() {
    grant(on.posix("A").exclusive(0, 10));
    grant(on.posix("B").exclusive(10, 10));
    grant(on.posix("C").exclusive(20, 0));
    assertThat(locks.locks(on.file())).hasSize(3);
    LockTableInvariants.check(locks);
  }

  @Test
  void differentWindowsOwnersFollowTheSameMatrix() {
    Lock s = grant(on.windows("smb:A").shared(0, 10));
    grant(on.windows("smb:B").shared(0, 10));
    assertThat(deny(on.windows("smb:C").exclusive(0, 1))).isEqualTo(s);
    Lock x = grant(on.windows("smb:D").exclusive(100, 10));
    assertThat(deny(on.windows("smb:E").shared(105, 1))).isEqualTo(x);
    assertThat(deny(on.windows("smb:E").exclusive(109, 5))).isEqualTo(x);
    LockTableInvariants.check(locks);
  }

  @Test
  void deniedRequestChangesNothing() {
    Lock a = grant(on.posix("A").exclusive(0, 10));
    long before = locks.lockCount();
    deny(on.posix("B").exclusive(5, 100));
    assertThat(locks.lockCount()).isEqualTo(before);
    assertThat(locks.locks(on.file())).containsExactly(a);
    // B holds nothing, so B may still choose the other flavour
    grant(on.windows("B").shared(200, 1));
    LockTableInvariants.check(locks);
  }

  // ---- same owner, POSIX ----

  @Test
  void samePosixOwnerExclusiveOverOwnExclusiveIsGranted() {
    grant(on.posix("A").exclusive(0, 10));
    grant(on.posix("A").exclusive(5, 10));
    assertThat(locks.locks(on.file()))
        .singleElement()
        .satisfies(l -> assertThat(l.range()).isEqualTo(ByteRange.of(0, 14)));
    LockTableInvariants.check(locks);
  }

  @Test
  void samePosixOwnerExclusiveOverOwnSharedIsGranted() {
    grant(on.posix("A").shared(0, 10));
    Lock x = grant(on.posix("A").exclusive(0, 10));
    assertThat(x.type()).isEqualTo(LockType.EXCLUSIVE);
    LockTableInvariants.check(locks);
  }

  @Test
  void samePosixOwnerSharedOverOwnExclusiveIsGranted() {
    grant(on.posix("A").exclusive(0, 10));
    Lock s = grant(on.posix("A").shared(2, 3));
    assertThat(s.type()).isEqualTo(LockType.SHARED);
    LockTableInvariants.check(locks);
  }

  @Test
  void samePosixOwnerSharedOverOwnSharedIsGranted() {
    grant(on.posix("A").shared(0, 10));
    grant(on.posix("A").shared(0, 10));
    LockTableInvariants.check(locks);
  }

  @Test
  void samePosixOwnerThroughAnotherClientIsStillTheSameOwner() {
    grant(on.posix("A").exclusive(0, 10));
    LockRequest viaOtherClient =
        LockRequest.builder(on.file(), LockOwner.of("A"))
            .share("export")
            .client(new LockClient("another-host", "nlm"))
            .posix()
            .exclusive()
            .range(ByteRange.span(5, 10))
            .build();
    grant(viaOtherClient);
    LockTableInvariants.check(locks);
  }

  @Test
  void differentOwnersThroughTheSameClientStillConflict() {
    LockClient client = new LockClient("host", "nlm");
    LockRequest a =
        LockRequest.builder(on.file(), LockOwner.of("nlm:host:1:1"))
            .share("export")
            .client(client)
            .posix()
            .exclusive()
            .range(ByteRange.span(0, 10))
            .build();
    LockRequest b =
        LockRequest.builder(on.file(), LockOwner.of("nlm:host:2:1"))
            .share("export")
            .client(client)
            .posix()
            .shared()
            .range(ByteRange.span(0, 10))
            .build();
    Lock held = grant(a);
    assertThat(deny(b)).isEqualTo(held);
  }

  // ---- same owner, WINDOWS ----

  @Test
  void sameWindowsOwnerExclusiveOverOwnExclusiveConflicts() {
    Lock x = grant(on.windows("W").exclusive(0, 10));
    assertThat(deny(on.windows("W").exclusive(0, 10))).isEqualTo(x);
    assertThat(deny(on.windows("W").exclusive(9, 5))).isEqualTo(x);
    assertThat(locks.locks(on.file())).containsExactly(x);
    LockTableInvariants.check(locks);
  }

  @Test
  void sameWindowsOwnerExclusiveOverOwnSharedConflicts() {
    Lock s = grant(on.windows("W").shared(0, 10));
    assertThat(deny(on.windows("W").exclusive(5, 1))).isEqualTo(s);
    assertThat(locks.locks(on.file())).containsExactly(s);
    LockTableInvariants.check(locks);
  }

  @Test
  void sameWindowsOwnerSharedOverOwnExclusiveStacks() {
    Lock x = grant(on.windows("W").exclusive(0, 10));
    Lock s = grant(on.windows("W").shared(0, 10));
    assertThat(s.id()).isNotEqualTo(x.id());
    assertThat(locks.locks(on.file())).containsExactly(x, s);
    LockTableInvariants.check(locks);
  }

  @Test
  void sameWindowsOwnerSharedOverOwnSharedStacks() {
    Lock s1 = grant(on.windows("W").shared(0, 10));
    Lock s2 = grant(on.windows("W").shared(0, 10));
    assertThat(locks.locks(on.file())).containsExactly(s1, s2);
    LockTableInvariants.check(locks);
  }

  @Test
  void sameWindowsOwnerExclusiveOnAdjacentBytesIsGranted() {
    grant(on.windows("W").exclusive(0, 10));
    grant(on.windows("W").exclusive(10, 10));
    assertThat(locks.locks(on.file())).hasSize(2);
    LockTableInvariants.check(locks);
  }

  // ---- owners of different protocols ----

  @Test
  void nlmPosixOwnerAndSmbWindowsOwnerOnSameBytesConflict() {
    Lock nlm = grant(on.posix("nlm:host:1:1").exclusive(0, 100));
    assertThat(deny(on.windows("smb:sess:1").shared(50, 10))).isEqualTo(nlm);
    assertThat(deny(on.windows("smb:sess:1").exclusive(99, 1))).isEqualTo(nlm);
    LockTableInvariants.check(locks);
  }

  @Test
  void smbWindowsOwnerBlocksNlmPosixOwnerOnSameBytes() {
    Lock smb = grant(on.windows("smb:sess:1").exclusive(0, 100));
    assertThat(deny(on.posix("nlm:host:1:1").shared(0, 1))).isEqualTo(smb);
    assertThat(locks.test(on.posix("nlm:host:1:1").exclusive(0, 0))).contains(smb);
    LockTableInvariants.check(locks);
  }

  @Test
  void sharedLocksOfDifferentProtocolsCoexist() {
    grant(on.posix("nlm:host:1:1").shared(0, 100));
    grant(on.windows("smb:sess:1").shared(0, 100));
    grant(on.posix("nfs4:client:7:owner").shared(0, 100));
    assertThat(locks.locks(on.file())).hasSize(3);
    LockTableInvariants.check(locks);
  }

  @Test
  void nfs4AndNlmOwnersAreDifferentOwners() {
    Lock nfs = grant(on.posix("nfs4:client:7:owner").shared(0, 10));
    assertThat(deny(on.posix("nlm:host:7:owner").exclusive(0, 10))).isEqualTo(nfs);
  }

  @Test
  void ownerIdsAreComparedExactly() {
    Lock a = grant(on.posix("nlm:host:1:1").exclusive(0, 10));
    assertThat(deny(on.posix("NLM:host:1:1").exclusive(0, 10))).isEqualTo(a);
    assertThat(deny(on.posix("nlm:host:1:1 ").exclusive(0, 10))).isEqualTo(a);
  }

  // ---- flavour is per owner ----

  @Test
  void windowsRequestFromOwnerHoldingPosixLocksIsInvalidArgument() {
    Lock p = grant(on.posix("O").shared(0, 10));
    assertCode(() -> locks.lock(on.windows("O").shared(100, 10)), ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.locks(on.file())).containsExactly(p);
    LockTableInvariants.check(locks);
  }

  @Test
  void posixRequestFromOwnerHoldingWindowsLocksIsInvalidArgument() {
    Lock w = grant(on.windows("O").exclusive(0, 10));
    assertCode(() -> locks.lock(on.posix("O").exclusive(100, 10)), ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.locks(on.file())).containsExactly(w);
    LockTableInvariants.check(locks);
  }

  @Test
  void flavourMismatchIsRefusedOnAnotherFileToo() {
    grant(on.posix("O").shared(0, 10));
    Requests other = Requests.on("another-file");
    assertCode(() -> locks.lock(other.windows("O").shared(0, 10)), ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.locks(other.file())).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void flavourMismatchIsRefusedForTestAndUnlock() {
    Lock p = grant(on.posix("O").exclusive(0, 10));
    assertCode(() -> locks.test(on.windows("O").shared(0, 10)), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> locks.unlock(on.windows("O").unlock(0, 10)), ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.locks(on.file())).containsExactly(p);
    LockTableInvariants.check(locks);
  }

  @Test
  void flavourMismatchIsRefusedForLockAll() {
    grant(on.posix("O").exclusive(0, 10));
    assertCode(
        () -> locks.lockAll(List.of(on.windows("O").shared(20, 1), on.windows("O").shared(30, 1))),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.locks(on.file())).hasSize(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void ownerMaySwitchFlavourAfterReleasingAllItsLocks() {
    grant(on.posix("O").shared(0, 10));
    grant(on.posix("O").exclusive(50, 10));
    locks.unlock(on.posix("O").unlock(0, 0));
    assertThat(locks.locks(on.file())).isEmpty();
    Lock w = grant(on.windows("O").exclusive(0, 10));
    assertThat(w.flavour()).isEqualTo(LockFlavour.WINDOWS);
    LockTableInvariants.check(locks);
  }

  @Test
  void windowsOwnerMaySwitchToPosixAfterReleasingAllItsLocks() {
    grant(on.windows("O").exclusive(0, 10));
    locks.unlock(on.windows("O").unlock(0, 10));
    Lock p = grant(on.posix("O").exclusive(0, 10));
    assertThat(p.flavour()).isEqualTo(LockFlavour.POSIX);
    LockTableInvariants.check(locks);
  }

  @Test
  void ownerStillHoldingALockOnAnotherFileMayNotSwitch() {
    Requests other = Requests.on("another-file");
    grant(on.posix("O").shared(0, 10));
    grant(other.posix("O").shared(0, 10));
    locks.unlock(on.posix("O").unlock(0, 0));
    assertCode(() -> locks.lock(on.windows("O").shared(0, 10)), ErrorCode.INVALID_ARGUMENT);
    locks.unlock(other.posix("O").unlock(0, 0));
    grant(on.windows("O").shared(0, 10));
    LockTableInvariants.check(locks);
  }

  // ---- owner ids ----

  @Test
  void emptyOrNullOwnerIdIsInvalidArgument() {
    assertCode(() -> LockOwner.of(""), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> LockOwner.of(null), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void ownerIdOfAtMost1024Utf8BytesIsAccepted() {
    grant(on.posix("x".repeat(1024)).exclusive(0, 10));
    LockTableInvariants.check(locks);
  }

  @Test
  void ownerIdLongerThan1024Utf8BytesIsInvalidArgument() {
    assertCode(
        () -> locks.lock(on.posix("x".repeat(1025)).exclusive(0, 10)), ErrorCode.INVALID_ARGUMENT);
    // 513 two-byte characters: 513 chars but 1026 UTF-8 bytes
    assertCode(
        () -> locks.lock(on.posix("\u00e9".repeat(513)).exclusive(0, 10)),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.lockCount()).isZero();
  }
}
