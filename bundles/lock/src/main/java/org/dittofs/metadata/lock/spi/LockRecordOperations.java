package org.dittofs.metadata.lock.spi;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.FileHandle;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The operations on the lock manager's records ({@link PersistedLock}s, locks and opens alike), its
 * server epoch and its clean-shutdown marker, with what each operation means and nothing about when
 * its change is durable or who may call: {@link LockStore} (every call durable on return, safe for
 * several threads) and the metadata store SPI's {@code LockRecords} (changes inside one
 * transaction, durable when it commits) extend it with those promises. Neither extends the other.
 *
 * <p>Values round-trip exactly: ids, owner ids and share names as given (any characters), file
 * handles byte for byte, unsigned 64-bit range bounds including 2^64-1, zero-length ranges.
 * Failures are {@link org.dittofs.metadata.errors.StoreError}s.
 */
@ConsumerType
public interface LockRecordOperations {

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
   * Increments the server epoch and returns the new value.
   *
   * @return the incremented epoch
   */
  long incrementServerEpoch();

  /** Sets the server epoch (when the lock manager moves its live state to these records). */
  void setServerEpoch(long epoch);

  /** Applies the operations in order (the writes of several requests, grouped). */
  void apply(List<LockStoreOp> ops);

  /** Whether the clean-shutdown marker is set (false for a store that was never stopped). */
  boolean isCleanShutdown();

  /** Sets (at a clean stop) or clears (at start) the clean-shutdown marker. */
  void setCleanShutdown(boolean clean);
}
