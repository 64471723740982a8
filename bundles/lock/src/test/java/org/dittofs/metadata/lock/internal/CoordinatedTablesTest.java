package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster.Failure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cluster mode's own promises (docs/cluster.md), on two lock managers sharing an {@link
 * InMemoryLockCluster}: what a failed or uncertain commit leaves, releases committed before they
 * are answered, the owner's flavour across nodes, what cluster mode refuses, and the node's
 * counters following every reload.
 */
class CoordinatedTablesTest extends OnTwoNodes {
  private static final FileHandle F = FileHandle.of("f");
  private static final FileHandle G = FileHandle.of("g");

  /** After every test, each node reloads both files and its table invariants hold. */
  @AfterEach
  void invariantsHoldAtEveryNode() {
    for (LockManager n : List.of(n0, n1)) {
      n.locks(F);
      n.locks(G);
      LockTableInvariants.check(n);
    }
  }

  @Test
  void aCommitThatFailsChangesNothingAnywhereAndIsNotAnnounced() {
    List<LockEvent> events = new CopyOnWriteArrayList<>();
    n0.addListener(events::add);
    assertThat(n0.locks(F)).isEmpty(); // n0 holds the file's current version
    cluster.failCommits(1, Failure.LOST);
    assertThatThrownBy(() -> n0.lock(posix(F, "a", LockType.EXCLUSIVE, 0, 9)))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    assertThat(events).noneMatch(e -> e instanceof LockEvent.Granted);
    assertThat(cluster.records(F)).isEmpty();
    // n0 held the failed grant in memory: the file's version did not move, yet n0 reloads it
    assertThat(n0.locks(F)).isEmpty();
    assertThat(n1.lock(posix(F, "b", LockType.EXCLUSIVE, 0, 9)).granted()).isTrue();
    assertThat(n0.test(posix(F, "a", LockType.SHARED, 5, 5))).isPresent();
    assertThat(n0.locks(F)).extracting(l -> l.owner().id()).containsExactly("b");
  }

  @Test
  void aCommitWhoseOutcomeIsUnknownIsRefusedAndTheNextOperationSeesWhatHappened() {
    cluster.failCommits(1, Failure.UNKNOWN);
    assertThatThrownBy(() -> n0.lock(posix(F, "a", LockType.EXCLUSIVE, 0, 9)))
        .isInstanceOf(StoreError.class);
    assertThat(cluster.records(F)).hasSize(1); // it did happen
    assertThat(n1.lock(posix(F, "b", LockType.SHARED, 5, 5)).granted()).isFalse();
    // the client retries: a POSIX re-lock of bytes held keeps the record
    assertThat(n0.lock(posix(F, "a", LockType.EXCLUSIVE, 0, 9)).granted()).isTrue();
    assertThat(cluster.records(F)).hasSize(1);
  }

  @Test
  void aReleaseIsCommittedBeforeItIsAnsweredAndRefusedWhenItCannotBe() {
    assertThat(n0.lock(posix(F, "a", LockType.EXCLUSIVE, 0, 99)).granted()).isTrue();
    UnlockRequest middle =
        new UnlockRequest(F, LockOwner.of("a"), LockFlavour.POSIX, ByteRange.of(40, 59));
    cluster.failCommits(1, Failure.LOST);
    assertThatThrownBy(() -> n0.unlock(middle))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    // refused, so still held for everyone, at the node that refused it too
    assertThat(n1.lock(posix(F, "b", LockType.SHARED, 50, 50)).granted()).isFalse();
    assertThat(n0.test(posix(F, "b", LockType.SHARED, 50, 50))).isPresent();
    n0.unlock(middle);
    // answered, so released for everyone at once
    assertThat(n1.lock(posix(F, "b", LockType.SHARED, 50, 50)).granted()).isTrue();
    assertThat(cluster.records(F)).hasSize(3);
  }

  @Test
  void aDowngradeTheDatabaseCannotTakeIsRefusedInClusterMode() {
    assertThat(n0.lock(posix(F, "a", LockType.EXCLUSIVE, 0, 9)).granted()).isTrue();
    cluster.failCommits(1, Failure.LOST);
    assertThatThrownBy(() -> n0.lock(posix(F, "a", LockType.SHARED, 0, 9)))
        .isInstanceOf(StoreError.class);
    assertThat(n1.lock(posix(F, "b", LockType.SHARED, 0, 0)).granted()).isFalse();
    assertThat(n0.lock(posix(F, "a", LockType.SHARED, 0, 9)).granted()).isTrue();
    assertThat(n1.lock(posix(F, "b", LockType.SHARED, 0, 0)).granted()).isTrue();
  }

  @Test
  void opensAndTheirClosesAreSeenByEveryNode() {
    OpenRequest rw =
        open(F, "a", java.util.Set.of(ShareAccess.READ), java.util.Set.of(ShareAccess.WRITE));
    ShareReservation open = n0.open(rw);
    OpenRequest w = open(F, "b", java.util.Set.of(ShareAccess.WRITE), java.util.Set.of());
    assertThatThrownBy(() -> n1.open(w))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SHARE_DENIED));
    // the downgrade keeps the open's id: the other node must see the new modes all the same
    n1.downgrade(F, open.id(), java.util.Set.of(ShareAccess.READ), java.util.Set.of());
    assertThat(n0.open(w)).isNotNull();
    n0.close(F, open.id());
    assertThat(n1.opens(F)).extracting(o -> o.owner().id()).containsExactly("b");
  }

  @Test
  void anOwnerHoldingTheOtherFlavourAtThisNodeMakesTheFileRefusedUntilItIsResolved() {
    assertThat(n0.lock(posix(G, "x", LockType.SHARED, 0, 9)).granted()).isTrue();
    // n1 has not seen the owner's POSIX lock on G, so it takes a WINDOWS lock of it on F
    LockRequest windows =
        LockRequest.builder(F, LockOwner.of("x"))
            .share("s")
            .client(clientOf("x"))
            .windows()
            .shared()
            .range(ByteRange.of(0, 9))
            .build();
    assertThat(n1.lock(windows).granted()).isTrue();
    assertThatThrownBy(() -> n0.locks(F))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(n0.locks(G)).hasSize(1); // other files are served
    n1.unlock(new UnlockRequest(F, LockOwner.of("x"), LockFlavour.WINDOWS, ByteRange.of(0, 9)));
    assertThat(n0.locks(F)).isEmpty();
  }

  @Test
  void storeSwapsAreRefusedInClusterMode() {
    assertThatThrownBy(() -> n0.swapStore(null, null))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_SUPPORTED));
  }

  @Test
  void theLockCountIsTheClustersAndEveryRecordCarriesTheClustersEpoch() {
    n0.lock(posix(F, "a", LockType.SHARED, 0, 9));
    n1.lock(posix(G, "b", LockType.SHARED, 0, 9));
    assertThat(n0.lockCount()).isEqualTo(2);
    assertThat(n1.lockCount()).isEqualTo(2);
    assertThat(cluster.records(G)).extracting(PersistedLock::epoch).containsOnly(n0.epoch());
    assertThat(n0.epoch()).isEqualTo(n1.epoch());
  }

  @Test
  void aNodeMakesIdsAboveTheFilesNewestOnesWhateverNodeMadeThem() {
    n0.lock(posix(F, "a", LockType.SHARED, 10, 10)); // n0's block: low numbers
    n1.lock(posix(F, "b", LockType.SHARED, 20, 20)); // n1's block: above n0's
    n0.lock(posix(F, "c", LockType.SHARED, 0, 0)); // made last, must be the newest
    List<org.dittofs.metadata.lock.Lock> all = n1.locks(F);
    org.dittofs.metadata.lock.Lock c =
        all.stream().filter(l -> l.owner().id().equals("c")).findFirst().orElseThrow();
    assertThat(all).allMatch(l -> l == c || l.id().compareTo(c.id()) < 0);
  }
}
