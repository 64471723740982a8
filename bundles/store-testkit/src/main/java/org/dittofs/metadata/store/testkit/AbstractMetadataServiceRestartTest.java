package org.dittofs.metadata.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.RemovePolicy;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.dittofs.metadata.lock.testing.Records;
import org.dittofs.metadata.spi.Transaction;
import org.junit.jupiter.api.Test;

/**
 * The restart suite for durable stores: locks granted through a {@link MetadataManager}, the store
 * closed (after a crash, i.e. without stopping the service, or after a clean stop), reopened, and a
 * new service started over it. The restored locks must be the same records, the grace period must
 * run, reclaims must be decided against the restored state, and what nobody reclaimed must be gone
 * from memory and from the store once grace ends. Time is virtual ({@link ManualScheduler}).
 *
 * <p>Only durable fixtures run it: a test fails if {@link StoreFixture#isDurable()} is false.
 */
public abstract class AbstractMetadataServiceRestartTest extends RestartTestSupport {
  // ---- restore ----

  @Test
  void locksAndOpensAreRestoredWithTheirIdsAndRangesAfterACrash() {
    startOnFreshStore();
    Held before = grantAll();
    assertThat(before.onA()).hasSize(2);
    assertThat(before.onB()).hasSize(2);
    crash();
    assertThat(cleanShutdown()).as("marker after a crash").isFalse();
    startService();
    assertThat(held()).isEqualTo(before);
    assertThat(service.locks().graceStatus().active()).isTrue();
    assertThat(service.locks().graceStatus().restoredRecords()).isEqualTo(5);
    assertThat(service.locks().graceStatus().expectedClients())
        .containsExactlyInAnyOrder(NLM1, NLM2, SMB);
  }

  @Test
  void locksAndOpensAreRestoredAfterACleanStopToo() {
    startOnFreshStore();
    Held before = grantAll();
    cleanStop();
    assertThat(cleanShutdown()).as("marker after a clean stop").isTrue();
    startService();
    assertThat(cleanShutdown()).as("marker while running").isFalse();
    assertThat(held()).isEqualTo(before);
    assertThat(service.locks().graceStatus().active()).isTrue();
    assertThat(stored()).containsExactlyInAnyOrderElementsOf(persisted(before));
  }

  @Test
  void aCleanRestartWithoutLocksEntersNoGrace() {
    startOnFreshStore();
    service.putShare(new Share("export", LockingMode.ADVISORY));
    cleanStop();
    startService();
    assertThat(service.locks().graceStatus().active()).isFalse();
    assertThat(service.locks().lock(P1_LOCK).granted()).isTrue();
  }

  @Test
  void eachStartAdvancesTheServerEpoch() {
    long first = startOnFreshStore().lockManager().epoch();
    grantAll();
    crash();
    assertThat(startService().lockManager().epoch()).isEqualTo(first + 1);
    assertThat(epoch()).isEqualTo(first + 1);
    cleanStop();
    assertThat(startService().lockManager().epoch()).isEqualTo(first + 2);
    endGrace();
    LockResult fresh =
        service.locks().lock(posix(C, P1, NLM1, LockType.EXCLUSIVE, ByteRange.whole()));
    assertThat(((LockResult.Granted) fresh).lock().epoch()).isEqualTo(first + 2);
    assertThat(((LockResult.Granted) fresh).lock().id().epoch()).isEqualTo(first + 2);
  }

  @Test
  void sharesAndFilesSurviveARestart() {
    startOnFreshStore();
    grantAll();
    List<Share> shares = service.shares();
    FileRecord a = service.file(A).orElseThrow();
    FileRecord b = service.file(B).orElseThrow();
    crash();
    startService();
    assertThat(service.shares()).isEqualTo(shares);
    assertThat(service.share("windows")).contains(new Share("windows", LockingMode.MANDATORY));
    assertThat(service.file(A)).contains(a);
    assertThat(service.file(B)).contains(b);
  }

  // ---- grace and reclaim ----

  @Test
  void newLocksAndOpensAreRefusedDuringGrace() {
    crashWithEverythingGranted();
    LockRequest other =
        posix(
            C,
            LockOwner.of("nlm:new:1:oh"),
            new LockClient("new-host", "nlm"),
            LockType.SHARED,
            ByteRange.span(0, 1));
    assertCode(ErrorCode.GRACE_PERIOD, () -> service.locks().lock(other));
    assertCode(ErrorCode.GRACE_PERIOD, () -> service.locks().lock(P1_LOCK));
    assertCode(
        ErrorCode.GRACE_PERIOD,
        () ->
            service
                .locks()
                .open(new OpenRequest(C, "export", O1, SMB, Records.modes("R"), Set.of())));
    assertThat(service.lockManager().locks(C)).isEmpty();
    assertThat(service.lockManager().opens(C)).isEmpty();
  }

  @Test
  void aMatchingReclaimIsGrantedAndReplacesTheStoredRecord() {
    startOnFreshStore();
    Held before = grantAll();
    Lock old = before.onA().stream().filter(l -> l.owner().equals(P1)).findFirst().orElseThrow();
    crash();
    startService();
    LockResult r = service.locks().reclaim(P1_LOCK);
    assertThat(r.granted()).isTrue();
    Lock reclaimed = ((LockResult.Granted) r).lock();
    assertThat(reclaimed.range()).isEqualTo(old.range());
    assertThat(reclaimed.owner()).isEqualTo(P1);
    assertThat(reclaimed.epoch()).isEqualTo(service.lockManager().epoch());
    assertThat(locks(LockQuery.all().withOwner(P1.id())))
        .containsExactly(PersistedLock.of(reclaimed));
    assertThat(service.locks().graceStatus().reclaimedRecords()).isEqualTo(1);
    assertThat(service.locks().graceStatus().active()).as("others are still outstanding").isTrue();
  }

  @Test
  void aReclaimMatchingNoRestoredLockFailsWithLockNotFound() {
    startOnFreshStore();
    Held before = grantAll();
    crash();
    startService();
    LockRequest otherRange = posix(A, P2, NLM2, LockType.SHARED, ByteRange.span(0, 10));
    LockRequest stronger = posix(A, P2, NLM2, LockType.EXCLUSIVE, ByteRange.toEnd(TOP));
    LockRequest otherClient = posix(A, P1, NLM2, LockType.EXCLUSIVE, ByteRange.span(0, 100));
    LockRequest otherOwner =
        posix(
            A, LockOwner.of("nlm:host-1:101:oh"), NLM1, LockType.EXCLUSIVE, ByteRange.span(0, 100));
    for (LockRequest r : List.of(otherRange, stronger, otherClient, otherOwner)) {
      assertCode(ErrorCode.LOCK_NOT_FOUND, () -> service.locks().reclaim(r));
    }
    assertCode(
        ErrorCode.LOCK_NOT_FOUND,
        () ->
            service
                .locks()
                .reclaimOpen(
                    new OpenRequest(B, "windows", O1, SMB, Records.modes("RWD"), Set.of())));
    assertThat(held()).isEqualTo(before);
    assertThat(stored()).containsExactlyInAnyOrderElementsOf(persisted(before));
  }

  @Test
  void unreclaimedLocksAndOpensAreGoneAfterGraceFromMemoryAndStore() {
    Lock reclaimed = onlyP1ReclaimedAfterACrash();
    assertThat(service.locks().graceStatus().active()).isFalse();
    assertThat(service.lockManager().locks(A)).containsExactly(reclaimed);
    assertThat(service.lockManager().locks(B)).isEmpty();
    assertThat(service.lockManager().opens(B)).isEmpty();
    assertThat(stored()).containsExactly(PersistedLock.of(reclaimed));
    assertThat(service.locks().lock(W1_LOCK).granted()).as("new locks after grace").isTrue();
  }

  @Test
  void aReclaimedOpenStaysAfterGrace() {
    crashWithEverythingGranted();
    ShareReservation open =
        service
            .locks()
            .reclaimOpen(new OpenRequest(B, "windows", O1, SMB, Records.modes("R"), Set.of()));
    endGrace();
    assertThat(service.lockManager().opens(B)).containsExactly(open);
    assertThat(service.lockManager().locks(A)).isEmpty();
    assertThat(stored()).containsExactly(PersistedLock.of(open));
  }

  @Test
  void theStateAfterGraceIsWhatTheNextRestartRestores() {
    Lock reclaimed = onlyP1ReclaimedAfterACrash();
    crash();
    startService();
    assertThat(service.lockManager().locks(A)).containsExactly(reclaimed);
    assertThat(service.lockManager().locks(B)).isEmpty();
    assertThat(service.locks().graceStatus().restoredRecords()).isEqualTo(1);
    assertThat(service.locks().graceStatus().expectedClients()).containsExactly(NLM1);
  }

  /** A fresh store, every lock and open granted, a crash, and a new service in grace. */
  private void crashWithEverythingGranted() {
    startOnFreshStore();
    grantAll();
    crash();
    startService();
  }

  /** As above, then P1's lock reclaimed and grace ended; returns the reclaimed lock. */
  private Lock onlyP1ReclaimedAfterACrash() {
    crashWithEverythingGranted();
    Lock reclaimed = ((LockResult.Granted) service.locks().reclaim(P1_LOCK)).lock();
    endGrace();
    return reclaimed;
  }

  // ---- file removal and orphans ----

  @Test
  void removeFileDroppingLocksDeletesTheFileAndItsRecordsDurably() {
    startOnFreshStore();
    Held before = grantAll();
    service.removeFile(A, RemovePolicy.DROP_LOCKS);
    assertThat(service.file(A)).isEmpty();
    assertThat(service.lockManager().locks(A)).isEmpty();
    crash();
    assertThat(file(A)).isEmpty();
    assertThat(locks(LockQuery.byFile(A))).isEmpty();
    startService();
    assertThat(service.lockManager().locks(A)).isEmpty();
    assertThat(service.lockManager().locks(B)).isEqualTo(before.onB());
    assertThat(service.locks().graceStatus().restoredRecords()).isEqualTo(3);
  }

  @Test
  void removeFileRefusedWhileLockedKeepsTheFileAndItsRecordsDurably() {
    startOnFreshStore();
    Held before = grantAll();
    assertCode(ErrorCode.LOCKED, () -> service.removeFile(B, RemovePolicy.REFUSE_IF_LOCKED));
    assertCode(ErrorCode.LOCKED, () -> service.removeFile(A, RemovePolicy.REFUSE_IF_LOCKED));
    service.putFile(new FileRecord(C, "export", "c", null, FileType.FILE, 0));
    service.removeFile(C, RemovePolicy.REFUSE_IF_LOCKED);
    crash();
    assertThat(file(A)).isPresent();
    assertThat(file(B)).isPresent();
    assertThat(file(C)).isEmpty();
    assertThat(stored()).containsExactlyInAnyOrderElementsOf(persisted(before));
    startService();
    assertThat(held()).isEqualTo(before);
  }

  @Test
  void removeFileDuringGraceDropsTheRestoredRecords() {
    startOnFreshStore();
    Held before = grantAll();
    crash();
    startService();
    service.removeFile(A, RemovePolicy.DROP_LOCKS);
    assertThat(service.lockManager().locks(A)).isEmpty();
    assertThat(locks(LockQuery.byFile(A))).isEmpty();
    endGrace();
    assertThat(stored()).isEmpty();
    crash();
    startService();
    assertThat(service.lockManager().locks(A)).isEmpty();
    assertThat(service.lockManager().locks(B)).isEmpty();
    assertThat(service.file(A)).isEmpty();
    assertThat(service.file(B)).isPresent();
    assertThat(before.onB()).isNotEmpty();
  }

  @Test
  void sweepOrphansDeletesOnlyRecordsOfGoneFilesThatNobodyHoldsDurably() {
    startOnFreshStore();
    grantAll();
    FileHandle held = FileHandle.of("not-a-file-but-locked");
    LockRequest onHeld = posix(held, P1, NLM1, LockType.EXCLUSIVE, ByteRange.whole());
    Lock heldLock = ((LockResult.Granted) service.locks().lock(onHeld)).lock();
    write(
        tx -> {
          tx.locks().putLock(Records.lock("orphan-1").file("gone-1").build());
          tx.locks().putLock(Records.open("orphan-2").file("gone-1").build());
          tx.locks().putLock(Records.lock("orphan-3").file("gone-2").build());
        });
    List<PersistedLock> kept = stored().stream().filter(r -> !r.id().startsWith("orphan")).toList();
    assertThat(service.sweepOrphans()).isEqualTo(3);
    assertThat(service.sweepOrphans()).isZero();
    assertThat(stored()).containsExactlyInAnyOrderElementsOf(kept);
    crash();
    assertThat(stored()).containsExactlyInAnyOrderElementsOf(kept);
    startService();
    assertThat(service.lockManager().locks(held)).containsExactly(heldLock);
    assertThat(service.locks().graceStatus().restoredRecords()).isEqualTo(6);
  }

  // ---- the store alone ----

  @Test
  void aReopenedStoreHoldsEverythingCommittedExactly() {
    List<PersistedLock> records =
        List.of(
            Records.lock(TrickyText.INJECTION)
                .owner(TrickyText.NON_ASCII)
                .client("c:%_'\"\\")
                .share(TrickyText.NON_ASCII)
                .file(B)
                .range(ByteRange.of(TOP, ByteRange.MAX))
                .build(),
            Records.lock("zero")
                .windows()
                .shared()
                .range(ByteRange.zeroLength(ByteRange.MAX))
                .build(),
            Records.open("open").access("RWD").deny("RW").epoch(Long.MAX_VALUE).build());
    FileRecord file = new FileRecord(B, TrickyText.NON_ASCII, "ö 🔒", A, FileType.SYMLINK, 5);
    write(
        tx -> {
          tx.putShare(new Share(TrickyText.NON_ASCII, LockingMode.MANDATORY));
          tx.putFile(file);
          records.forEach(tx.locks()::putLock);
          tx.locks().incrementServerEpoch();
          tx.locks().incrementServerEpoch();
          tx.locks().setCleanShutdown(true);
        });
    try (Transaction tx = store.begin()) {
      tx.locks().putLock(Records.lock("rolled-back").build());
      tx.rollback();
    }
    reopenStore();
    read(
        tx -> {
          assertThat(tx.locks().listLocks(LockQuery.all()))
              .containsExactlyInAnyOrderElementsOf(records);
          assertThat(tx.listShares())
              .containsExactly(new Share(TrickyText.NON_ASCII, LockingMode.MANDATORY));
          assertThat(tx.getFile(B)).contains(file);
          assertThat(tx.locks().getServerEpoch()).isEqualTo(2);
          assertThat(tx.locks().isCleanShutdown()).isTrue();
          return null;
        });
  }
}
