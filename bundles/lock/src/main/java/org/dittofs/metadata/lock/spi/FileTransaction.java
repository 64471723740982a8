package org.dittofs.metadata.lock.spi;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The committed state of one file during one {@link FileWork}, and the buffer of its writes.
 * Implemented by cluster stores; valid only during {@link FileWork#run}, on its thread.
 */
@ConsumerType
public interface FileTransaction {

  /**
   * The version of the file's state as committed before this operation: it changes with every
   * commit that changes the file's records and is never reused, so a cached copy tagged with a
   * version is current exactly when the versions are equal. 0 for a file whose records were never
   * written in cluster mode.
   */
  long version();

  /**
   * The file's records (locks and opens) as committed, read from the store.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if they cannot be read
   */
  List<PersistedLock> records();

  /**
   * Adds writes of this file's records, in order, to what is committed when the operation ends.
   * Values are checked now.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT for a value the store cannot
   *     hold (nothing buffered then)
   * @throws IllegalStateException in a {@link LockCluster#read}
   */
  void write(List<LockStoreOp> ops);
}
