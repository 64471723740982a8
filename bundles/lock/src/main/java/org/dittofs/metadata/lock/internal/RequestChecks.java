package org.dittofs.metadata.lock.internal;

import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.host.LockScheduler;

/**
 * The checks a request passes before it goes near a file's table: arguments present, the manager
 * open, the owner's id length and flavour (SPEC 1, 8), the grace period (SPEC 11); a lock request
 * also touches its client (SPEC 9: every request refreshes the client).
 *
 * <p>Concurrency: {@code closed} is volatile; the rest is final and thread-safe.
 */
final class RequestChecks {
  private final LiveConfig config;
  private final LockScheduler scheduler;
  private final OwnerRegistry owners;
  private final ClientRegistry clients;
  private final GracePeriod grace;

  /** The scheduler when it is the system one, for its request clock; else null. */
  private final SystemLockScheduler system;

  private volatile boolean closed;

  RequestChecks(
      LiveConfig config,
      LockScheduler scheduler,
      OwnerRegistry owners,
      ClientRegistry clients,
      GracePeriod grace) {
    this.config = config;
    this.scheduler = scheduler;
    this.owners = owners;
    this.clients = clients;
    this.grace = grace;
    this.system = scheduler instanceof SystemLockScheduler s ? s : null;
  }

  /**
   * Checks a lock request and touches its client.
   *
   * @return the request's reading of the monotonic clock (see {@link LockScheduler#instantAt}: the
   *     one clock read of a grant)
   */
  long lockRequest(LockRequest req) {
    requireNonNull(req, "lock request");
    ensureOpen();
    ownerLength(req.owner());
    owners.checkFlavour(req.owner(), req.flavour());
    long now = requestNanos();
    clients.touch(req.client(), now);
    return now;
  }

  /**
   * The checks of a lock or test request that need no table: present, manager open, owner id
   * length. The owner's flavour and the client's touch follow on the table ({@link #onTable}),
   * where the owner's index and the client memo spare their map lookups.
   *
   * @return the request's reading of the monotonic clock
   */
  long lockRequestBeforeTable(LockRequest req) {
    requireNonNull(req, "lock request");
    ensureOpen();
    ownerLength(req.owner());
    return requestNanos();
  }

  /**
   * The monotonic reading that stamps a request: the system scheduler's request clock (up to a
   * tick, 10 ms, old, see {@link CoarseClock}), else the scheduler's {@code nanoTime}.
   */
  private long requestNanos() {
    return system != null ? system.requestNanoTime() : scheduler.nanoTime();
  }

  /**
   * As {@link #refuseInGrace()} for a request checked by {@link #lockRequestBeforeTable}: while
   * grace runs, the flavour check and the client's touch happen first, as for any request.
   */
  void refuseInGrace(LockRequest req, long now) {
    if (grace.active()) {
      owners.checkFlavour(req.owner(), req.flavour());
      clients.touch(req.client(), now);
      refuseInGrace();
    }
  }

  /**
   * The rest of {@link #lockRequestBeforeTable}, under table {@code t}'s monitor: the owner's
   * flavour (SPEC 1) and the client's touch (SPEC 9), from the owner's index on the table and its
   * client memo.
   */
  void onTable(FileLockTable t, LockRequest req, long now) {
    OwnerLocks own = t.existingIndex(req.owner());
    owners.checkFlavour(own, req.owner(), req.flavour());
    clients.touch(req.client(), own, now);
  }

  /** Fails with STORE_UNAVAILABLE once the manager is closed. */
  void ensureOpen() {
    if (closed) {
      throw new StoreError(ErrorCode.STORE_UNAVAILABLE, "the lock manager has been closed");
    }
  }

  /** Marks the manager closed; returns false if it was closed already. */
  boolean close() {
    if (closed) {
      return false;
    }
    closed = true;
    return true;
  }

  /** Fails with INVALID_ARGUMENT if the owner id is longer than the configured maximum. */
  void ownerLength(LockOwner owner) {
    int max = config.get().maxOwnerIdBytes();
    if (max > 0 && owner.utf8Length() > max) {
      throw new StoreError(
          ErrorCode.INVALID_ARGUMENT,
          "owner id is "
              + owner.utf8Length()
              + " UTF-8 bytes long; at most "
              + max
              + " are allowed",
          null,
          null,
          new ErrorDetail.Limit("owner-id-length", owner.utf8Length(), max),
          null);
    }
  }

  /** Fails with GRACE_PERIOD while grace runs: new locks and opens wait for its end. */
  void refuseInGrace() {
    if (grace.active()) {
      throw LockErrors.gracePeriod(grace.secondsLeft());
    }
  }

  /** Fails with NOT_IN_GRACE unless grace runs: reclaims are accepted only then. */
  void refuseOutsideGrace() {
    if (!grace.active()) {
      throw new StoreError(
          ErrorCode.NOT_IN_GRACE,
          "reclaims are accepted only during the grace period after a restart, and none is running");
    }
  }

  /** Fails with INVALID_ARGUMENT naming {@code what} if {@code v} is null. */
  static void requireNonNull(Object v, String what) {
    if (v == null) {
      throw StoreErrors.invalidArgument(what + " must not be null");
    }
  }
}
