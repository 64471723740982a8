package org.dittofs.metadata.lock.spi;

import java.util.Objects;
import org.dittofs.metadata.errors.StoreErrors;

/**
 * A blocking request queued on a file in cluster mode (docs/cluster.md, SPEC 5), as the store keeps
 * it: part of the file's state, so every node that loads the file sees it in the queue. The queue's
 * order is the order of the requests' ids. The node whose operation clears a waiter's conflict
 * grants it, whichever node it waits at, and leaves its outcome here ({@link State#GRANTED} with
 * the lock, or {@link State#FAILED}) for the waiter's node, which completes the request and deletes
 * the row.
 *
 * @param request the request as a lock record: kind LOCK, the waiter's id, the requested range and
 *     type, {@code acquiredAt} when it started waiting
 * @param node the node where the request waits (whose caller holds its pending answer)
 * @param state waiting, or how it ended
 * @param granted the lock it was granted (state GRANTED), else null
 * @param failureCode the {@link org.dittofs.metadata.errors.ErrorCode} name it failed with (state
 *     FAILED), else null
 * @param failureMessage the failure's message (state FAILED), else null
 */
public record QueuedRequest(
    PersistedLock request,
    String node,
    State state,
    PersistedLock granted,
    String failureCode,
    String failureMessage) {

  /** Where a queued request is. */
  public enum State {
    /** In the queue. */
    WAITING,
    /** Granted by some node; its own node completes it. */
    GRANTED,
    /** Ended without a lock by some node; its own node completes it. */
    FAILED
  }

  /**
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if a part is missing or does
   *     not fit the state
   */
  public QueuedRequest {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(state, "state");
    if (request.kind() != PersistedLock.Kind.LOCK) {
      throw StoreErrors.invalidArgument("a queued request is a lock request, got " + request);
    }
    if ((state == State.GRANTED) != (granted != null)
        || (state == State.FAILED) != (failureCode != null)) {
      throw StoreErrors.invalidArgument(
          "queued request " + request.id() + " in state " + state + " has the wrong outcome");
    }
  }

  /** A request waiting at {@code node}. */
  public static QueuedRequest waiting(PersistedLock request, String node) {
    return new QueuedRequest(request, node, State.WAITING, null, null, null);
  }

  /** This request, granted {@code lock}. */
  public QueuedRequest grantedWith(PersistedLock lock) {
    return new QueuedRequest(request, node, State.GRANTED, lock, null, null);
  }

  /** This request, failed with {@code code} and {@code message}. */
  public QueuedRequest failedWith(String code, String message) {
    return new QueuedRequest(request, node, State.FAILED, null, code, message);
  }

  /** The request's id (the waiter's). */
  public String id() {
    return request.id();
  }
}
