package org.dittofs.metadata.lock.spi;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Writes the lock manager's live state into a new store during a swap. It must replace whatever
 * lock records the new store held by exactly {@code records}, set its epoch to {@code epoch} and
 * clear its clean-shutdown marker, all in one transaction; a metadata layer also copies what only
 * the old store holds (shares, files) in that same transaction. If it throws, the swap is abandoned
 * and the manager stays on its current store.
 */
@ConsumerType
@FunctionalInterface
public interface StoreCopier {
  void copy(long epoch, List<PersistedLock> records);
}
