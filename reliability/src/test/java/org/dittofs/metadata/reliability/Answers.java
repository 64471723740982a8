package org.dittofs.metadata.reliability;

import java.util.Set;
import java.util.function.Consumer;
import org.dittofs.metadata.lock.LockFlavour;

/**
 * Checks each answer against what the contract allows and keeps the figures of a run.
 *
 * <ul>
 *   <li>A grant (lock, blocking lock, open) is granted, denied by a conflict, or refused with
 *       STORE_UNAVAILABLE (only while the store may be unreachable); a blocking lock may also time
 *       out or be refused as a deadlock, an open refused with SHARE_DENIED.
 *   <li>A release (unlock, open downgrade, close) is never refused (SPEC 10): it succeeds, or a
 *       WINDOWS unlock that matches no lock is LOCK_NOT_FOUND.
 *   <li>No call takes longer than {@link #HANG_MILLIS}: longer is a hang, not slowness.
 * </ul>
 *
 * Not thread-safe: fed by the ledger on the test thread.
 */
final class Answers {
  /** A call that takes this long is hung. Generous: the machine is shared and noisy. */
  static final long HANG_MILLIS = 30_000;

  private static final Set<String> WAIT_ENDINGS = Set.of("TIMED_OUT", "DEADLOCK");

  private final boolean storeMayFail;
  private final Consumer<String> failures;
  long grants;
  long unavailable;
  long slowestUnavailableMillis;
  long releases;
  long slowestReleaseMillis;
  long slowestMillis;

  /** Grants granted since {@link #recovering()} was called. */
  long grantedSinceRecovery = -1;

  String slowest = "none";

  /**
   * @param storeMayFail whether STORE_UNAVAILABLE is an allowed answer to a grant
   * @param failures receives a description of each answer the contract does not allow
   */
  Answers(boolean storeMayFail, Consumer<String> failures) {
    this.storeMayFail = storeMayFail;
    this.failures = failures;
  }

  /** From now on, counts the grants granted: the store is back. */
  void recovering() {
    grantedSinceRecovery = 0;
  }

  void accept(Op op, Ack ack) {
    if (ack.millis() > slowestMillis) {
      slowestMillis = ack.millis();
      slowest = op + " " + ack;
    }
    if (ack.millis() > HANG_MILLIS) {
      failures.accept(op + " took " + ack.millis() + " ms: " + ack);
    }
    if (op.isGrant()) {
      grants++;
      if (ack.ok() && grantedSinceRecovery >= 0) {
        grantedSinceRecovery++;
      }
      if (ack.ok() || ack.status().equals("DENIED")) {
        return;
      }
      if (storeMayFail && ack.failedWith("STORE_UNAVAILABLE")) {
        unavailable++;
        slowestUnavailableMillis = Math.max(slowestUnavailableMillis, ack.millis());
        return;
      }
      boolean allowed =
          (op.kind() == Op.Kind.WAIT && WAIT_ENDINGS.contains(ack.code()))
              || (op.kind() == Op.Kind.OPEN && ack.failedWith("SHARE_DENIED"));
      if (!allowed) {
        failures.accept(op + " answered " + ack);
      }
      return;
    }
    releases++;
    slowestReleaseMillis = Math.max(slowestReleaseMillis, ack.millis());
    boolean allowed =
        ack.ok()
            || (op.kind() == Op.Kind.UNLOCK
                && op.flavour() == LockFlavour.WINDOWS
                && ack.failedWith("LOCK_NOT_FOUND"));
    if (!allowed) {
      failures.accept("release " + op + " answered " + ack);
    }
  }
}
