package org.dittofs.metadata.lock.internal;

import java.time.Instant;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;

/**
 * WINDOWS grant and release as changes (SPEC 4, MS-FSA): no coalescing and no splitting; every
 * grant is its own record, and a release removes one record whose range matches exactly.
 *
 * <p>Concurrency: no state of its own; called under the table's monitor.
 */
final class WindowsChanges {
  private final LockIdGenerator ids;

  WindowsChanges(LockIdGenerator ids) {
    this.ids = ids;
  }

  /** A new record for the request; identical locks stack. */
  LockChange grant(FileLockTable t, LockRequest req, Instant now) {
    Lock l =
        new Lock(
            ids.next(t),
            req.owner(),
            req.client(),
            req.share(),
            req.file(),
            req.range(),
            req.type(),
            req.flavour(),
            now,
            ids.epoch());
    return new LockChange(java.util.List.of(), java.util.List.of(l), l);
  }

  /**
   * Removes the owner's lock with exactly this range: where several are stacked, the EXCLUSIVE one
   * first, then the oldest. Null if the owner holds no such lock.
   */
  LockChange release(FileLockTable table, UnlockRequest req) {
    OwnerLocks own = table.ownerLocks(req.owner());
    if (own == null) {
      return null;
    }
    Lock match = null;
    for (Lock l : own.startingAt(req.range().first())) {
      if (l.range().equals(req.range())) {
        if (l.type() == LockType.EXCLUSIVE) {
          match = l;
          break;
        }
        if (match == null) {
          match = l;
        }
      }
    }
    return match == null
        ? null
        : new LockChange(java.util.List.of(match), java.util.List.of(), null);
  }
}
