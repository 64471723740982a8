package org.dittofs.metadata.lock.host;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareReservation;

/**
 * A decision of the lock manager (SPEC 12). Every grant, refusal (by conflict: {@link Denied}; by
 * error: {@link Refused}), release, wait, deadlock, limit hit, grace transition and client change
 * emits one; metrics and logs are derived from them. All variants are immutable.
 */
public sealed interface LockEvent
    permits LockEvent.Granted,
        LockEvent.Denied,
        LockEvent.Refused,
        LockEvent.Released,
        LockEvent.Waited,
        LockEvent.Deadlock,
        LockEvent.LimitHit,
        LockEvent.OpenGranted,
        LockEvent.OpenDenied,
        LockEvent.Closed,
        LockEvent.GraceEntered,
        LockEvent.GraceEnded,
        LockEvent.ClientRegistered,
        LockEvent.ClientUnregistered,
        LockEvent.ConnectionEnded,
        LockEvent.StoreFailed,
        LockEvent.StoreCommitted,
        LockEvent.StoreSwapped {

  /** Why locks went away. */
  enum ReleaseReason {
    /** The owner released them. */
    EXPLICIT,
    /** The client's ttl ran out after it unregistered. */
    TIMEOUT,
    /** The client unregistered with ttl 0 or rebooted. */
    DISCONNECT,
    /** Restored state not reclaimed before the grace period ended. */
    GRACE_EXPIRED,
    /** State of a courtesy client revoked for a conflicting request. */
    REVOKED,
    /** The file was removed (NFS policy): its locks and opens went with it. */
    FILE_REMOVED
  }

  /**
   * A lock was granted.
   *
   * @param lock the record answered to the caller
   * @param recordDelta the change of the number of lock records (POSIX coalescing can make it 0 or
   *     negative)
   * @param reclaim whether it was a reclaim during grace
   */
  record Granted(Lock lock, int recordDelta, boolean reclaim) implements LockEvent {}

  /**
   * A lock request was refused because of a conflict.
   *
   * @param request the request
   * @param conflict the reported conflict
   */
  record Denied(LockRequest request, Lock conflict) implements LockEvent {}

  /**
   * A lock request was refused with an error rather than answered with a conflict ({@link Denied}),
   * just before the error is thrown to the caller: GRACE_PERIOD, STORE_UNAVAILABLE (no store bound,
   * the write did not land, a swap held traffic too long, the manager closed), LOCK_LIMIT_EXCEEDED
   * (after its {@link LimitHit}), DEADLOCK (after its {@link Deadlock}), and for reclaims
   * NOT_IN_GRACE and LOCK_NOT_FOUND. Published by {@code lock}, {@code lockAll} (naming its first
   * request), {@code lockBlocking} (refused before it waits; a wait that ends in an error is a
   * {@link Waited} outcome) and {@code reclaim}. A malformed request (INVALID_ARGUMENT) is not a
   * decision and publishes nothing.
   *
   * @param request the refused request
   * @param reason the code of the error thrown
   */
  record Refused(LockRequest request, ErrorCode reason) implements LockEvent {
    public Refused {
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Bytes were released.
   *
   * @param owner the owner whose locks went
   * @param file the file
   * @param removed the records that disappeared
   * @param recordDelta the change of the number of lock records (a split release can add one)
   * @param reason why
   */
  record Released(
      LockOwner owner, FileHandle file, List<Lock> removed, int recordDelta, ReleaseReason reason)
      implements LockEvent {
    public Released {
      removed = List.copyOf(removed);
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** How a wait ended. */
  enum WaitOutcome {
    GRANTED,
    TIMED_OUT,
    CANCELLED,
    DEADLOCK,
    FAILED
  }

  /**
   * A blocking request stopped waiting.
   *
   * @param request the request
   * @param waited how long it waited
   * @param outcome how it ended
   */
  record Waited(LockRequest request, Duration waited, WaitOutcome outcome) implements LockEvent {}

  /**
   * A request was refused because waiting would close a cycle.
   *
   * @param waiter the refused owner
   * @param cycle the owners of the cycle, in wait-for order
   */
  record Deadlock(LockOwner waiter, List<LockOwner> cycle) implements LockEvent {
    public Deadlock {
      cycle = List.copyOf(cycle);
    }
  }

  /**
   * A limit refused a request.
   *
   * @param limit which limit ({@code per-file}, {@code per-client}, {@code total}, {@code
   *     waiters-per-file}, {@code connections-per-adapter})
   * @param current the count at the refusal
   * @param max the configured maximum
   */
  record LimitHit(String limit, long current, long max) implements LockEvent {}

  /** An open was granted. */
  record OpenGranted(ShareReservation open, boolean reclaim) implements LockEvent {}

  /** An open was refused (SHARE_DENIED). */
  record OpenDenied(OpenRequest request) implements LockEvent {}

  /** An open was closed. */
  record Closed(ShareReservation open, ReleaseReason reason) implements LockEvent {}

  /**
   * The grace period started.
   *
   * @param restoredLocks lock records restored from the store
   * @param restoredOpens opens restored from the store
   * @param expectedClients the clients of the restored records
   * @param length how long it lasts at most
   */
  record GraceEntered(
      int restoredLocks, int restoredOpens, Set<LockClient> expectedClients, Duration length)
      implements LockEvent {
    public GraceEntered {
      expectedClients = Set.copyOf(expectedClients);
    }
  }

  /**
   * The grace period ended.
   *
   * @param early whether it ended before its timer (all clients done or all records reclaimed)
   * @param reclaimed records reclaimed
   * @param expired records released because nobody reclaimed them
   */
  record GraceEnded(boolean early, int reclaimed, int expired) implements LockEvent {}

  /**
   * A client registered, or registered again.
   *
   * @param client the client
   * @param remoteAddress where it connects from
   * @param renewal whether it was registered already (a renewal opens no new connection)
   */
  record ClientRegistered(LockClient client, String remoteAddress, boolean renewal)
      implements LockEvent {
    /** A first registration. */
    public ClientRegistered(LockClient client, String remoteAddress) {
      this(client, remoteAddress, false);
    }
  }

  /**
   * A client's registration ended (unregistered): its connection no longer counts against its
   * adapter's cap. Its state goes now or when its ttl runs out ({@link ClientUnregistered}).
   */
  record ConnectionEnded(LockClient client) implements LockEvent {}

  /**
   * A client's state went away or its registration ended.
   *
   * @param client the client
   * @param releasedRecords lock and open records released
   */
  record ClientUnregistered(LockClient client, int releasedRecords) implements LockEvent {}

  /**
   * A store write failed; grants among it were refused with STORE_UNAVAILABLE, releases are
   * retried.
   *
   * @param message the store's error
   * @param pendingWrites writes waiting to be retried
   */
  record StoreFailed(String message, int pendingWrites) implements LockEvent {}

  /**
   * A group commit landed in the store: one {@link org.dittofs.metadata.lock.spi.LockStore#apply}
   * call that succeeded. Published only while the manager has listeners.
   *
   * @param operations the store operations committed together
   * @param latency how long the store took to commit them
   */
  record StoreCommitted(int operations, Duration latency) implements LockEvent {}

  /**
   * The manager moved to another store, or was left without one ({@link LockManager#swapStore}).
   *
   * @param held how long lock traffic was held for the move
   * @param copiedRecords lock and open records copied into the new store (0 when detached)
   * @param detached whether the manager now runs without a store
   */
  record StoreSwapped(Duration held, int copiedRecords, boolean detached) implements LockEvent {}
}
