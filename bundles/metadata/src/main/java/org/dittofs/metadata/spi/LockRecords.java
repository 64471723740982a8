package org.dittofs.metadata.spi;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The lock records of one {@link Transaction}: the lock manager's records (locks and opens), the
 * server epoch and the clean-shutdown marker, read and changed inside the transaction. Unlike the
 * lock bundle's {@link org.dittofs.metadata.lock.spi.LockStore}, nothing here is durable on return:
 * every change becomes durable and visible to others when the transaction commits, and is discarded
 * if it rolls back. Values round-trip exactly as the {@code LockStore} contract states.
 *
 * <p>Not thread-safe: it belongs to its transaction's thread. Failures are {@link
 * org.dittofs.metadata.errors.StoreError}s as documented on {@link Transaction}.
 */
@ConsumerType
public interface LockRecords {

  /** Inserts the record, or replaces the record with the same id. */
  void putLock(PersistedLock lock);

  /** The record with this id, if any. */
  Optional<PersistedLock> getLock(String id);

  /** Deletes the record with this id; returns whether one was deleted. */
  boolean deleteLock(String id);

  /** The records matching the query, in no particular order. */
  List<PersistedLock> listLocks(LockQuery query);

  /** Deletes every record of a client; returns how many. */
  int deleteLocksByClient(String clientId);

  /** Deletes every record of a file; returns how many. */
  int deleteLocksByFile(FileHandle file);

  /** The current server epoch; 0 for a store that was never started. */
  long getServerEpoch();

  /** Increments the server epoch and returns the new value. */
  long incrementServerEpoch();

  /** Sets the server epoch. */
  void setServerEpoch(long epoch);

  /**
   * Applies the operations in order inside this transaction (the group commit of several requests'
   * writes). It does not end the transaction: {@link Transaction#commit()} does.
   */
  void apply(List<LockStoreOp> ops);

  /** Whether the clean-shutdown marker is set (false for a store that was never stopped). */
  boolean isCleanShutdown();

  /** Sets or clears the clean-shutdown marker. */
  void setCleanShutdown(boolean clean);
}
