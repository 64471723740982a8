package org.dittofs.metadata.lock;

import java.util.List;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;

/**
 * Factories for the lock-specific errors. Each keeps the structured detail a caller needs to answer
 * the protocol (the conflicting lock, the deadlock cycle, the grace time left, the limit with its
 * count and maximum).
 */
public final class LockErrors {
  private LockErrors() {}

  /** The structured form of a conflicting lock. */
  public static ErrorDetail.Conflict conflictDetail(Lock lock) {
    ByteRange r = lock.range();
    return new ErrorDetail.Conflict(
        lock.id().toString(),
        lock.owner().id(),
        r.first(),
        r.last(),
        r.isZeroLength(),
        lock.exclusive());
  }

  /** LOCKED: the operation on {@code path} is refused while {@code holder} is held. */
  public static StoreError locked(String path, Lock holder) {
    return new StoreError(
        ErrorCode.LOCKED,
        "file is locked by " + holder,
        path,
        holder.file().toHex(),
        conflictDetail(holder),
        null);
  }

  /** LOCK_NOT_FOUND: the owner holds no lock matching {@code what}. */
  public static StoreError lockNotFound(FileHandle file, String what) {
    return new StoreError(
        ErrorCode.LOCK_NOT_FOUND, "range not locked: " + what, null, file.toHex(), null, null);
  }

  /** LOCK_CONFLICT: an I/O or request conflicts with {@code conflict}. */
  public static StoreError lockConflict(String what, Lock conflict) {
    return new StoreError(
        ErrorCode.LOCK_CONFLICT,
        what + " conflicts with " + conflict,
        null,
        conflict.file().toHex(),
        conflictDetail(conflict),
        null);
  }

  /** DEADLOCK: {@code waiter} would wait on {@code blockers}, closing a cycle. */
  public static StoreError deadlock(String waiter, List<String> blockers) {
    return new StoreError(
        ErrorCode.DEADLOCK,
        "waiting would deadlock: owner '" + waiter + "' waits on " + blockers,
        null,
        null,
        new ErrorDetail.Deadlock(waiter, blockers),
        null);
  }

  /** GRACE_PERIOD: new state is refused for {@code secondsLeft} more seconds at most. */
  public static StoreError gracePeriod(long secondsLeft) {
    return new StoreError(
        ErrorCode.GRACE_PERIOD,
        "server is in its grace period after a restart; only reclaims are accepted for at most "
            + secondsLeft
            + " more seconds",
        null,
        null,
        new ErrorDetail.Grace(secondsLeft),
        null);
  }

  /** LOCK_LIMIT_EXCEEDED: {@code limit} is at {@code current} of {@code max}. */
  public static StoreError lockLimitExceeded(String limit, long current, long max) {
    return new StoreError(
        ErrorCode.LOCK_LIMIT_EXCEEDED,
        "lock limit '" + limit + "' reached: " + current + " of " + max,
        null,
        null,
        new ErrorDetail.Limit(limit, current, max),
        null);
  }

  /** SHARE_DENIED: an open's modes conflict with another open of the file. */
  public static StoreError shareDenied(FileHandle file, String why) {
    return new StoreError(
        ErrorCode.SHARE_DENIED, "share reservation denied: " + why, null, file.toHex(), null, null);
  }
}
