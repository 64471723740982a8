package org.dittofs.metadata.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A blocking lock request that may not be granted yet (NLM_LOCK with block, NFSv4 blocking locks,
 * SMB LOCK without FAIL_IMMEDIATELY). No thread waits inside the manager: the caller polls, waits
 * on this object, or attaches a callback to {@link #completion()}.
 *
 * <p>It completes exactly once: granted with the lock record, or failed with a {@link
 * org.dittofs.metadata.errors.StoreError} of code TIMED_OUT, CANCELLED, DEADLOCK (a re-check after
 * a wake-up closed a cycle) or STORE_UNAVAILABLE. Thread-safe.
 */
@ProviderType
public interface PendingLock {

  /**
   * The id of this request while it is queued (the id a conflict report names when a newcomer meets
   * it under FIFO fairness). The granted lock has its own id: POSIX coalescing may merge it.
   */
  LockId id();

  /** The request. */
  LockRequest request();

  /** Whether it has completed, either way. */
  boolean isDone();

  /**
   * The granted lock if it has been granted, empty while pending.
   *
   * @throws org.dittofs.metadata.errors.StoreError the failure, if it failed
   */
  Optional<Lock> poll();

  /**
   * Waits up to {@code timeout} for the outcome.
   *
   * @return the granted lock, or empty if still pending after {@code timeout}
   * @throws org.dittofs.metadata.errors.StoreError the failure, if it failed
   * @throws InterruptedException if the waiting thread is interrupted (the request stays queued)
   */
  Optional<Lock> await(Duration timeout) throws InterruptedException;

  /**
   * Cancels the request if it is still pending (NLM_CANCEL, SMB CANCEL): it then completes with
   * CANCELLED.
   *
   * @return true if it was pending and is now cancelled; false if it had already completed (a
   *     granted lock stays granted)
   */
  boolean cancel();

  /** Completes with the granted lock, or exceptionally with the failure. */
  CompletionStage<Lock> completion();
}
