package org.dittofs.metadata.lock.internal;

import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;

/**
 * The one conflict predicate (SPEC 3). Acquire, test, upgrade, waiter wake-up and the I/O checks
 * all decide with {@link #conflicts}; nothing else in the bundle compares owners and types.
 * Stateless.
 */
final class Conflicts {
  private Conflicts() {}

  /** What a request is for: a lock, or protocol I/O (read = SHARED, write = EXCLUSIVE). */
  enum Purpose {
    LOCK,
    IO
  }

  /**
   * Whether {@code held} conflicts with a request of {@code owner} for {@code type} over {@code
   * range}.
   *
   * <ul>
   *   <li>No overlap (in the sense of {@link ByteRange#overlaps}): no conflict.
   *   <li>Different owners: conflict iff at least one side is EXCLUSIVE.
   *   <li>Same owner, POSIX: never (the request replaces the owner's bytes).
   *   <li>Same owner, WINDOWS lock: an EXCLUSIVE request conflicts with any own lock; a SHARED
   *       request stacks.
   *   <li>Same owner, WINDOWS I/O: a write is blocked by the owner's own SHARED lock only (SMB
   *       locks are mandatory and a shared lock makes the range read-only for everyone); a read
   *       never.
   * </ul>
   */
  static boolean conflicts(
      Lock held, LockOwner owner, LockType type, ByteRange range, Purpose purpose) {
    if (!held.range().overlaps(range)) {
      return false;
    }
    boolean exclusive = type == LockType.EXCLUSIVE;
    if (!held.owner().equals(owner)) {
      return exclusive || held.exclusive();
    }
    if (held.flavour() == LockFlavour.POSIX) {
      return false;
    }
    return purpose == Purpose.LOCK ? exclusive : exclusive && !held.exclusive();
  }
}
