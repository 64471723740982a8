package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC 10 when a commit's outcome is unknown: the store applied it but the manager was told it
 * failed (a connection lost after the database committed). The request fails with STORE_UNAVAILABLE
 * and memory is unchanged, so the store must come back to memory's state: the manager queues the
 * records' undo like a release. Found by the lifecycle model with store faults ({@code
 * ModelBasedLifecycleTest}): the store kept the refused grant's record.
 */
@ExtendWith(QuietLockLog.class)
class UnknownOutcomeTest {
  private final ManualScheduler sched = new ManualScheduler();
  private final FaultyLockStore store = new FaultyLockStore();
  private final LockManager locks =
      LockManagers.builder()
          .scheduler(sched)
          .store(store)
          .config(LockConfig.builder().storeRetryInterval(Duration.ofSeconds(1)).build())
          .build();
  private final Requests on = Requests.on("unknown-outcome");
  private final Requests.Owner a = on.posix("nlm:host:1:a");

  private Map<String, PersistedLock> memory() {
    return LockTableInvariants.records(locks, on.file());
  }

  private void assertUnavailable(Runnable r) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
  }

  /** After a retry interval, when the queued undo has landed. */
  private void assertStoreEqualsMemory() {
    sched.advance(Duration.ofSeconds(1));
    assertThat(locks.pendingStoreWrites()).isZero();
    LockTableInvariants.check(locks);
    LockTableInvariants.checkStoreMatches(locks, store);
  }

  @Test
  void aGrantWhoseCommitLandsButThrowsLeavesNoRecordInTheStore() {
    store.failNthWrite(1, true);

    assertUnavailable(() -> locks.lock(a.exclusive(0, 10)));

    assertThat(locks.locks(on.file())).isEmpty();
    assertStoreEqualsMemory();
    assertThat(store.records()).isEmpty();
  }

  @Test
  void anUpgradeWhoseCommitLandsButThrowsPutsTheSharedRecordBack() {
    locks.lock(a.shared(0, 100));
    Map<String, PersistedLock> before = memory();
    store.failNthWrite(1, true);

    assertUnavailable(() -> locks.lock(a.exclusive(40, 10)));

    assertThat(memory()).isEqualTo(before);
    assertStoreEqualsMemory();
    assertThat(store.records()).isEqualTo(before);
  }

  @Test
  void anOpenWhoseCommitLandsButThrowsLeavesNoOpenInTheStore() {
    store.failNthWrite(1, true);

    assertUnavailable(() -> locks.open(a.open("RW", "W")));

    assertThat(locks.opens(on.file())).isEmpty();
    assertStoreEqualsMemory();
    assertThat(store.records()).isEmpty();
  }

  @Test
  void theUndoWaitsForTheStoreLikeARelease() {
    store.failNthWrite(1, true);
    assertUnavailable(() -> locks.lock(a.exclusive(0, 10)));
    locks.lock(a.shared(100, 10)); // lands the undo before itself
    Map<String, PersistedLock> expected = memory();
    assertThat(store.records()).isEqualTo(expected);
    assertThat(locks.pendingStoreWrites()).isZero();

    store.down();
    assertUnavailable(() -> locks.lock(a.exclusive(300, 10)));
    assertThat(locks.pendingStoreWrites()).isEqualTo(1); // the undo waits for the store
    store.up();

    assertThat(memory()).isEqualTo(expected);
    assertStoreEqualsMemory();
  }
}
