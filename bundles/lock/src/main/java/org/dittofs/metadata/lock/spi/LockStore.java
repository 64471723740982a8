package org.dittofs.metadata.lock.spi;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The persistence SPI of the lock manager: where it writes every grant before acknowledging it and
 * from where it restores at start. The operations and their values are those of {@link
 * LockRecordOperations}. The metadata bundle adapts its transactional store to this interface (one
 * store transaction per call); a plain store can implement it directly.
 *
 * <p>Contract for implementations, beyond {@link LockRecordOperations}:
 *
 * <ul>
 *   <li>Every method is atomic on its own. A method that returns normally has made its change
 *       durable in the sense of the store (a store that survives restarts keeps it across a crash).
 *   <li>Failures are {@link org.dittofs.metadata.errors.StoreError}s: STORE_UNAVAILABLE when the
 *       backend cannot be reached (nothing changed), IO_ERROR for other backend failures,
 *       INVALID_ARGUMENT for values the store cannot hold (an id or owner longer than it supports).
 *   <li>Implementations must be safe for use by several threads at once.
 * </ul>
 */
@ConsumerType
public interface LockStore extends LockRecordOperations {

  /**
   * Sets the server epoch (used when the lock manager moves its live state to this store). The
   * default increments until the epoch reaches {@code epoch}; stores should override it with one
   * write.
   */
  @Override
  default void setServerEpoch(long epoch) {
    while (getServerEpoch() < epoch) {
      incrementServerEpoch();
    }
  }

  /**
   * Applies the operations in order, atomically: after a normal return all of them are durable;
   * after an exception none of them is. This is the lock manager's write path: it gives one call
   * the writes of several concurrent requests (group commit), so stores should do one transaction
   * per call.
   */
  @Override
  void apply(List<LockStoreOp> ops);
}
