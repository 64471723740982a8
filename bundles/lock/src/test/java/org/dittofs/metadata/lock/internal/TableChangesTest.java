package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What counts as a change of a file's table ({@link FileLockTable#changes}), which has the file's
 * waiters re-checked: a refused multi-range request is none (its elements were tried and taken
 * back). Before waiters were served at the moment their blocker's lease runs out, such a needless
 * re-check let a waiter revoke a courtesy client's lock as a side effect of a refused request
 * (found by the lifecycle model); now a needless re-check changes nothing visible, so this is
 * checked on the count itself.
 */
class TableChangesTest {
  private static final FileHandle FILE = FileHandle.of("changes-file");

  private final ManualScheduler clock = new ManualScheduler();
  private final DefaultLockManager locks =
      (DefaultLockManager) LockManagers.builder().scheduler(clock).build();

  @AfterEach
  void close() {
    LockTableInvariants.check(locks);
    locks.close();
  }

  private static LockRequest req(String owner, LockFlavour flavour, LockType type, long a, long b) {
    return new LockRequest(
        FILE,
        "export",
        LockOwner.of(owner),
        new LockClient("client-" + owner, "test"),
        flavour,
        type,
        ByteRange.of(a, b));
  }

  private int changes() {
    FileLockTable t = locks.tables().get(FILE);
    synchronized (t) {
      return t.changes();
    }
  }

  @Test
  void aRefusedMultiRangeLockIsNoChangeAndAGrantedOneIs() {
    assertThat(locks.lock(req("a", LockFlavour.POSIX, LockType.EXCLUSIVE, 0, 99)).granted())
        .isTrue();
    PendingLock waiting =
        locks.lockBlocking(
            req("c", LockFlavour.POSIX, LockType.EXCLUSIVE, 50, 59), Duration.ofMinutes(5));
    LockRequest w = req("w", LockFlavour.WINDOWS, LockType.EXCLUSIVE, 200, 209);
    int before = changes();

    assertThat(locks.lockAll(List.of(w, w)).granted()).isFalse(); // the second meets the first

    assertThat(changes()).isEqualTo(before);
    assertThat(waiting.isDone()).isFalse();

    LockRequest w2 = req("w", LockFlavour.WINDOWS, LockType.EXCLUSIVE, 300, 309);
    assertThat(locks.lockAll(List.of(w, w2)).granted()).isTrue();
    assertThat(changes()).isGreaterThan(before);
    assertThat(waiting.isDone()).isFalse();
  }
}
