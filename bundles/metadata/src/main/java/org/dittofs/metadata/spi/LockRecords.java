package org.dittofs.metadata.spi;

import java.util.List;
import org.dittofs.metadata.lock.spi.LockRecordOperations;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The lock records of one {@link Transaction}: the lock manager's records (locks and opens), the
 * server epoch and the clean-shutdown marker, read and changed inside the transaction with the
 * operations of {@link LockRecordOperations}. Unlike the lock bundle's {@link
 * org.dittofs.metadata.lock.spi.LockStore}, nothing here is durable on return: every change becomes
 * durable and visible to others when the transaction commits, and is discarded if it rolls back.
 *
 * <p>Not thread-safe: it belongs to its transaction's thread. Failures are {@link
 * org.dittofs.metadata.errors.StoreError}s as documented on {@link Transaction}.
 */
@ConsumerType
public interface LockRecords extends LockRecordOperations {

  /**
   * Applies the operations in order inside this transaction (the group commit of several requests'
   * writes). It does not end the transaction: {@link Transaction#commit()} does.
   */
  @Override
  void apply(List<LockStoreOp> ops);
}
