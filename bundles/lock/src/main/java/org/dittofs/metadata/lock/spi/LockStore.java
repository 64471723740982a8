package org.dittofs.metadata.lock.spi;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.FileHandle;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The persistence SPI of the lock manager: where it writes every grant before acknowledging it and
 * from where it restores at start. Records are {@link PersistedLock}s, locks and opens alike. The
 * metadata bundle adapts its transactional store to this interface (one store transaction per
 * call); a plain store can implement it directly.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>Every method is atomic on its own. A method that returns normally has made its change
 *       durable in the sense of the store (a store that survives restarts keeps it across a crash).
 *   <li>Values round-trip exactly: ids, owner ids and share names as given (any characters), file
 *       handles byte for byte, unsigned 64-bit range bounds including 2^64-1, zero-length ranges.
 *   <li>Failures are {@link org.dittofs.metadata.errors.StoreError}s: STORE_UNAVAILABLE when the
 *       backend cannot be reached (nothing changed), IO_ERROR for other backend failures,
 *       INVALID_ARGUMENT for values the store cannot hold (an id or owner longer than it supports).
 *   <li>Implementations must be safe for use by several threads at once.
 * </ul>
 */
@ConsumerType
public interface LockStore {

  /** Inserts the record, or replaces the record with the same id. */
  void putLock(PersistedLock lock);

  /** The record with this id, if any. */
  Optional<PersistedLock> getLock(String id);

  /**
   * Deletes the record with this id.
   *
   * @return whether a record was deleted
   */
  boolean deleteLock(String id);

  /** The records matching the query, in no particular order. */
  List<PersistedLock> listLocks(LockQuery query);

  /**
   * Deletes every record of a client.
   *
   * @return the number of records deleted
   */
  int deleteLocksByClient(String clientId);

  /**
   * Deletes every record of a file.
   *
   * @return the number of records deleted
   */
  int deleteLocksByFile(FileHandle file);

  /** The current server epoch; 0 for a store that was never started. */
  long getServerEpoch();

  /**
   * Increments the server epoch atomically and returns the new value.
   *
   * @return the incremented epoch
   */
  long incrementServerEpoch();

  /**
   * Sets the server epoch (used when the lock manager moves its live state to this store). The
   * default increments until the epoch reaches {@code epoch}; stores should override it with one
   * write.
   */
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
  void apply(List<LockStoreOp> ops);

  /** Whether the clean-shutdown marker is set (false for a store that was never stopped). */
  boolean isCleanShutdown();

  /** Sets (at a clean stop) or clears (at start) the clean-shutdown marker. */
  void setCleanShutdown(boolean clean);
}
