package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SPEC 7: the I/O checks of protocol read and write paths. */
class IoCheckTest {
  private static final LockingMode ADVISORY = LockingMode.ADVISORY;
  private static final LockingMode MANDATORY = LockingMode.MANDATORY;

  private final LockManager locks = LockManagers.builder().build();
  private final Requests f = Requests.on("io-file");
  private final LockOwner a = LockOwner.of("A");
  private final LockOwner b = LockOwner.of("B");

  @AfterEach
  void tableStaysConsistent() {
    LockTableInvariants.check(locks);
  }

  private Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  private static void assertBlockedBy(Executable io, Lock expected) {
    assertThatThrownBy(io::execute)
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.LOCK_CONFLICT);
              assertThat(e.conflict()).contains(LockErrors.conflictDetail(expected));
            });
  }

  private static void assertPasses(Executable io) {
    assertThatCode(io::execute).doesNotThrowAnyException();
  }

  private void read(LockOwner who, ByteRange r, LockingMode m) {
    locks.checkRead(f.file(), who, r, m);
  }

  private void write(LockOwner who, ByteRange r, LockingMode m) {
    locks.checkWrite(f.file(), who, r, m);
  }

  // ---- WINDOWS locks: always mandatory ---------------------------------------------------

  @ParameterizedTest
  @EnumSource(LockingMode.class)
  void windowsExclusiveOfAnotherOwnerBlocksReadAndWrite(LockingMode mode) {
    Lock held = grant(f.windows("B").exclusive(100, 10));

    assertBlockedBy(() -> read(a, ByteRange.span(105, 1), mode), held);
    assertBlockedBy(() -> write(a, ByteRange.span(90, 20), mode), held);
  }

  @ParameterizedTest
  @EnumSource(LockingMode.class)
  void windowsSharedOfAnotherOwnerBlocksWriteButNotRead(LockingMode mode) {
    Lock held = grant(f.windows("B").shared(100, 10));

    assertPasses(() -> read(a, ByteRange.span(100, 10), mode));
    assertBlockedBy(() -> write(a, ByteRange.span(109, 5), mode), held);
  }

  @ParameterizedTest
  @EnumSource(LockingMode.class)
  void windowsSharedOfTheWriterItselfBlocksItsWrite(LockingMode mode) {
    Lock own = grant(f.windows("A").shared(0, 50));

    assertBlockedBy(() -> write(a, ByteRange.span(10, 10), mode), own);
    assertPasses(() -> read(a, ByteRange.span(10, 10), mode));
  }

  @ParameterizedTest
  @EnumSource(LockingMode.class)
  void windowsExclusiveOfTheHolderBlocksNeitherItsReadsNorItsWrites(LockingMode mode) {
    grant(f.windows("A").exclusive(0, 50));

    assertPasses(() -> read(a, ByteRange.span(0, 50), mode));
    assertPasses(() -> write(a, ByteRange.span(0, 50), mode));
    assertPasses(() -> write(a, ByteRange.whole(), mode));
  }

  @Test
  void stackedOwnSharedBlocksTheHoldersWriteEvenOverItsOwnExclusive() {
    grant(f.windows("A").exclusive(0, 50));
    Lock shared = grant(f.windows("A").shared(0, 50));

    assertBlockedBy(() -> write(a, ByteRange.span(0, 1), ADVISORY), shared);
    assertPasses(() -> read(a, ByteRange.span(0, 1), ADVISORY));
    assertBlockedBy(() -> read(b, ByteRange.span(0, 1), ADVISORY), locks.locks(f.file()).get(0));
  }

  // ---- POSIX locks: only with MANDATORY --------------------------------------------------

  @Test
  void posixExclusiveOfAnotherOwnerBlocksReadAndWriteWhenMandatory() {
    Lock held = grant(f.posix("B").exclusive(0, 100));

    assertBlockedBy(() -> read(a, ByteRange.span(50, 1), MANDATORY), held);
    assertBlockedBy(() -> write(a, ByteRange.span(99, 10), MANDATORY), held);
  }

  @Test
  void posixSharedOfAnotherOwnerBlocksWriteOnlyWhenMandatory() {
    Lock held = grant(f.posix("B").shared(0, 100));

    assertPasses(() -> read(a, ByteRange.span(0, 100), MANDATORY));
    assertBlockedBy(() -> write(a, ByteRange.span(0, 1), MANDATORY), held);
  }

  @Test
  void ownPosixLocksNeverBlockTheHoldersIo() {
    grant(f.posix("A").exclusive(0, 100));
    grant(f.posix("A").shared(200, 100));

    for (LockingMode mode : LockingMode.values()) {
      assertPasses(() -> read(a, ByteRange.span(0, 300), mode));
      assertPasses(() -> write(a, ByteRange.span(0, 300), mode));
      assertPasses(() -> write(a, ByteRange.span(250, 1), mode));
    }
  }

  @Test
  void posixLocksNeverBlockIoWhenAdvisory() {
    grant(f.posix("B").exclusive(0, 100));
    grant(f.posix("C").shared(200, 100));

    assertPasses(() -> read(a, ByteRange.whole(), ADVISORY));
    assertPasses(() -> write(a, ByteRange.whole(), ADVISORY));
    assertPasses(() -> write(a, ByteRange.span(250, 1), ADVISORY));
  }

  @Test
  void advisoryModeStillAppliesWindowsLocksBesidePosixOnes() {
    grant(f.posix("B").exclusive(0, 100));
    Lock win = grant(f.windows("C").exclusive(200, 100));

    assertPasses(() -> write(a, ByteRange.span(0, 100), ADVISORY));
    assertBlockedBy(() -> write(a, ByteRange.span(0, 300), ADVISORY), win);
  }

  @Test
  void mandatoryPosixLockBlocksIoOfAWindowsOwner() {
    Lock held = grant(f.posix("nlm:h:1:o").exclusive(0, 10));

    assertBlockedBy(() -> read(LockOwner.of("smb:s1"), ByteRange.span(5, 1), MANDATORY), held);
    assertPasses(() -> read(LockOwner.of("smb:s1"), ByteRange.span(5, 1), ADVISORY));
  }

  // ---- ranges ----------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(LockingMode.class)
  void nonOverlappingIoPasses(LockingMode mode) {
    grant(f.windows("B").exclusive(100, 10));
    grant(f.posix("C").exclusive(200, 10));

    assertPasses(() -> read(a, ByteRange.span(0, 100), mode));
    assertPasses(() -> write(a, ByteRange.span(110, 90), mode));
    assertPasses(() -> write(a, ByteRange.toEnd(210), mode));
    assertPasses(() -> locks.checkWrite(FileHandle.of("other"), a, ByteRange.whole(), mode));
  }

  @Test
  void ioWithoutAnyLockPasses() {
    assertPasses(() -> read(a, ByteRange.whole(), MANDATORY));
    assertPasses(() -> write(a, ByteRange.whole(), MANDATORY));
  }

  @Test
  void ioAtTheLastByteOfTheFileSeesAToEndLock() {
    Lock held = grant(f.windows("B").request(LockType.EXCLUSIVE, ByteRange.toEnd(1L << 63)));

    assertBlockedBy(() -> read(a, ByteRange.span(-1L, 1), ADVISORY), held);
    assertPasses(() -> read(a, ByteRange.span((1L << 63) - 10, 10), ADVISORY));
    assertBlockedBy(() -> write(a, ByteRange.span((1L << 63) - 10, 11), ADVISORY), held);
  }

  @Test
  void refusalNamesLockIdOwnerAndRange() {
    Lock held = grant(f.windows("smb:holder").exclusive(1000, 24));

    assertThatThrownBy(() -> write(a, ByteRange.span(1010, 1), ADVISORY))
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.LOCK_CONFLICT);
              ErrorDetail.Conflict c = e.conflict().orElseThrow();
              assertThat(c.lockId()).isEqualTo(held.id().toString());
              assertThat(c.owner()).isEqualTo("smb:holder");
              assertThat(c.first()).isEqualTo(1000);
              assertThat(c.last()).isEqualTo(1023);
              assertThat(c.exclusive()).isTrue();
              assertThat(c.zeroLength()).isFalse();
              assertThat(e.file()).contains(f.file().toHex());
            });
  }

  @Test
  void refusalNamesTheConflictWithTheLowestFirstByteThenTheOldest() {
    grant(f.windows("B").exclusive(500, 10));
    Lock older = grant(f.windows("C").shared(100, 10));
    grant(f.windows("D").shared(100, 10));
    grant(f.windows("E").exclusive(300, 10));

    assertBlockedBy(() -> write(a, ByteRange.whole(), ADVISORY), older);
  }

  @Test
  void zeroLengthIoRangeConflictsOnlyWithALockHoldingTheByteBeforeAndAt() {
    Lock held = grant(f.windows("B").exclusive(10, 10)); // [10, 19]

    assertPasses(() -> read(a, ByteRange.zeroLength(10), ADVISORY));
    assertBlockedBy(() -> read(a, ByteRange.zeroLength(11), ADVISORY), held);
    assertBlockedBy(() -> write(a, ByteRange.zeroLength(19), ADVISORY), held);
    assertPasses(() -> write(a, ByteRange.zeroLength(20), ADVISORY));
  }

  @Test
  void zeroLengthIoAtOffsetZeroNeverConflicts() {
    grant(f.windows("B").request(LockType.EXCLUSIVE, ByteRange.whole()));
    Requests g = Requests.on("posix-file");
    assertThat(locks.lock(g.posix("C").request(LockType.EXCLUSIVE, ByteRange.whole())).granted())
        .isTrue();

    assertPasses(() -> locks.checkRead(g.file(), a, ByteRange.zeroLength(0), MANDATORY));
    assertPasses(() -> locks.checkWrite(g.file(), a, ByteRange.zeroLength(0), MANDATORY));
    assertPasses(() -> read(a, ByteRange.zeroLength(0), MANDATORY));
    assertPasses(() -> write(a, ByteRange.zeroLength(0), MANDATORY));
  }

  @Test
  void heldZeroLengthLockBlocksIoOnlyAcrossItsBoundary() {
    Lock held = grant(f.windows("B").request(LockType.EXCLUSIVE, ByteRange.zeroLength(50)));

    assertBlockedBy(() -> write(a, ByteRange.span(49, 2), ADVISORY), held);
    assertBlockedBy(() -> read(a, ByteRange.span(0, 100), ADVISORY), held);
    assertPasses(() -> write(a, ByteRange.span(50, 10), ADVISORY));
    assertPasses(() -> write(a, ByteRange.span(40, 10), ADVISORY));
    assertPasses(() -> write(a, ByteRange.zeroLength(50), ADVISORY));
  }

  @Test
  void ioChecksChangeNothing() {
    Lock held = grant(f.windows("B").exclusive(0, 10));

    for (int i = 0; i < 3; i++) {
      assertBlockedBy(() -> write(a, ByteRange.span(0, 10), ADVISORY), held);
      assertPasses(() -> write(a, ByteRange.span(10, 10), ADVISORY));
    }

    assertThat(locks.locks(f.file())).containsExactly(held);
    assertThat(locks.lockCount()).isEqualTo(1);
  }

  @Test
  void ioCheckWithAMissingArgumentIsInvalidArgument() {
    for (Executable call :
        new Executable[] {
          () -> locks.checkRead(null, a, ByteRange.whole(), ADVISORY),
          () -> locks.checkRead(f.file(), null, ByteRange.whole(), ADVISORY),
          () -> locks.checkWrite(f.file(), a, null, ADVISORY),
          () -> locks.checkWrite(f.file(), a, ByteRange.whole(), null)
        }) {
      assertThatThrownBy(call::execute)
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }
  }
}
