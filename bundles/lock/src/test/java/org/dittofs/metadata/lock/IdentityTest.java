package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.junit.jupiter.api.Test;

/** SPEC 1: files by content, owners by id (length-limited), clients never decide, one flavour. */
class IdentityTest {
  private final LockManager locks = LockManagers.builder().build();

  @Test
  void handlesWithTheSameBytesNameTheSameFile() {
    Requests f1 = Requests.on("inode-42");
    Requests f2 = Requests.on("inode-42");

    assertThat(locks.lock(f1.posix("A").exclusive(0, 10)).granted()).isTrue();
    LockResult r = locks.lock(f2.posix("B").exclusive(5, 10));

    assertThat(r.granted()).isFalse();
    assertThat(locks.locks(FileHandle.of("inode-42"))).hasSize(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void differentFilesDoNotConflict() {
    assertThat(locks.lock(Requests.on("f1").posix("A").exclusive(0, 10)).granted()).isTrue();
    assertThat(locks.lock(Requests.on("f2").posix("B").exclusive(0, 10)).granted()).isTrue();
    assertThat(locks.lockCount()).isEqualTo(2);
    LockTableInvariants.check(locks);
  }

  @Test
  void ownersOfDifferentProtocolsOnTheSameBytesConflict() {
    Requests f = Requests.on("f");
    assertThat(locks.lock(f.posix("nlm:host:1:oh").exclusive(0, 100)).granted()).isTrue();

    LockResult smb = locks.lock(f.windows("smb:session-1:fid-2").shared(50, 10));
    LockResult nfs4 = locks.lock(f.posix("nfs4:client-9:owner-1").shared(99, 1));

    assertThat(smb)
        .isInstanceOfSatisfying(
            LockResult.Denied.class,
            d -> assertThat(d.conflict().owner().id()).isEqualTo("nlm:host:1:oh"));
    assertThat(nfs4.granted()).isFalse();
    LockTableInvariants.check(locks);
  }

  @Test
  void clientIsNeverUsedForConflictDecisions() {
    FileHandle file = FileHandle.of("f");
    LockClient same = new LockClient("host", "nlm");
    LockOwner a = LockOwner.of("nlm:host:1:a");
    LockOwner b = LockOwner.of("nlm:host:2:b");
    LockRequest aLock =
        new LockRequest(
            file, "export", a, same, LockFlavour.POSIX, LockType.EXCLUSIVE, ByteRange.span(0, 10));
    LockRequest bLock =
        new LockRequest(
            file, "export", b, same, LockFlavour.POSIX, LockType.EXCLUSIVE, ByteRange.span(0, 10));
    LockRequest aOtherClient =
        new LockRequest(
            file,
            "export",
            a,
            new LockClient("elsewhere", "nfs4"),
            LockFlavour.POSIX,
            LockType.EXCLUSIVE,
            ByteRange.span(5, 10));

    assertThat(locks.lock(aLock).granted()).isTrue();
    assertThat(locks.lock(bLock).granted()).as("other owner, same client").isFalse();
    assertThat(locks.lock(aOtherClient).granted()).as("same owner, other client").isTrue();
    LockTableInvariants.check(locks);
  }

  @Test
  void ownerIdOfExactlyTheLimitIsAcceptedAndOneByteMoreIsRefused() {
    Requests f = Requests.on("f");
    assertThat(locks.lock(f.posix("o".repeat(1024)).exclusive(0, 1)).granted()).isTrue();

    assertThatThrownBy(() -> locks.lock(f.posix("p".repeat(1025)).exclusive(10, 1)))
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.detail()).contains(new ErrorDetail.Limit("owner-id-length", 1025, 1024));
            });
    assertThat(locks.lockCount()).isEqualTo(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void ownerIdLimitCountsUtf8BytesNotCharacters() {
    Requests f = Requests.on("f");
    String fits = "é".repeat(512); // 512 chars, 1024 bytes
    String tooLong = "é".repeat(513); // 513 chars, 1026 bytes

    assertThat(locks.lock(f.posix(fits).exclusive(0, 1)).granted()).isTrue();
    assertThatThrownBy(() -> locks.lock(f.posix(tooLong).exclusive(5, 1)))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> locks.open(f.posix(tooLong).open("R", "")))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(locks.opens(f.file())).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void ownerIdLimitCanBeDisabled() {
    LockManager unlimited = LockManagers.builder().maxOwnerIdBytes(0).build();

    assertThat(unlimited.lock(Requests.on("f").posix("x".repeat(5000)).exclusive(0, 1)).granted())
        .isTrue();
    LockTableInvariants.check(unlimited);
  }

  @Test
  void requestOfTheOtherFlavourFromAnOwnerHoldingLocksIsRefused() {
    Requests f = Requests.on("f");
    Requests g = Requests.on("g");
    assertThat(locks.lock(f.posix("A").shared(0, 10)).granted()).isTrue();

    assertThatThrownBy(() -> locks.lock(f.windows("A").shared(20, 10)))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> locks.lock(g.windows("A").shared(0, 10)))
        .as("the flavour is the owner's, not per file")
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> locks.unlock(f.windows("A").unlock(0, 10)))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(locks.locks(f.file())).hasSize(1);
    assertThat(locks.locks(g.file())).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void ownerWithoutLocksMayStartWithTheOtherFlavour() {
    Requests f = Requests.on("f");
    assertThat(locks.lock(f.posix("A").shared(0, 10)).granted()).isTrue();
    locks.unlock(f.posix("A").unlock(0, 10));

    assertThat(locks.lock(f.windows("A").shared(0, 10)).granted()).isTrue();
    assertThat(locks.locks(f.file()))
        .singleElement()
        .satisfies(l -> assertThat(l.flavour()).isEqualTo(LockFlavour.WINDOWS));
    LockTableInvariants.check(locks);
  }
}
