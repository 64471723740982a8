package org.dittofs.metadata.lock;

import java.util.List;
import java.util.Objects;

/**
 * The answer to a lock request that was well-formed: granted, or denied because of a conflict.
 * Malformed requests and refusals for other reasons (limits, grace, store) are thrown as {@link
 * org.dittofs.metadata.errors.StoreError}.
 */
public sealed interface LockResult permits LockResult.Granted, LockResult.Denied {

  /** Whether the request was granted. */
  boolean granted();

  /**
   * The request was granted.
   *
   * @param locks for POSIX, the owner's record that now covers the requested range (after
   *     coalescing); for WINDOWS, the new record(s), one per requested range, in request order
   */
  record Granted(List<Lock> locks) implements LockResult {
    public Granted {
      locks = List.copyOf(locks);
    }

    /** The first (for a single-range request, the only) lock. */
    public Lock lock() {
      return locks.get(0);
    }

    @Override
    public boolean granted() {
      return true;
    }
  }

  /**
   * The request conflicts with a granted lock and was not granted; nothing changed.
   *
   * @param conflict the conflicting lock: among all conflicts the one with the lowest first byte,
   *     then the oldest
   */
  record Denied(Lock conflict) implements LockResult {
    public Denied {
      Objects.requireNonNull(conflict, "conflict");
    }

    @Override
    public boolean granted() {
      return false;
    }
  }
}
