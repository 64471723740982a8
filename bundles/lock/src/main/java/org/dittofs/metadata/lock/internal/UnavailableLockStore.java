package org.dittofs.metadata.lock.internal;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * The store of a manager that has none bound: every call fails with STORE_UNAVAILABLE. Stateless.
 */
final class UnavailableLockStore implements LockStore {
  static final UnavailableLockStore INSTANCE = new UnavailableLockStore();

  private static StoreError unavailable() {
    return new StoreError(
        ErrorCode.STORE_UNAVAILABLE,
        "no lock store is bound; grants resume when a store is bound again");
  }

  @Override
  public void putLock(PersistedLock lock) {
    throw unavailable();
  }

  @Override
  public Optional<PersistedLock> getLock(String id) {
    throw unavailable();
  }

  @Override
  public boolean deleteLock(String id) {
    throw unavailable();
  }

  @Override
  public List<PersistedLock> listLocks(LockQuery query) {
    throw unavailable();
  }

  @Override
  public int deleteLocksByClient(String clientId) {
    throw unavailable();
  }

  @Override
  public int deleteLocksByFile(FileHandle file) {
    throw unavailable();
  }

  @Override
  public long getServerEpoch() {
    throw unavailable();
  }

  @Override
  public long incrementServerEpoch() {
    throw unavailable();
  }

  @Override
  public void apply(List<LockStoreOp> ops) {
    throw unavailable();
  }

  @Override
  public boolean isCleanShutdown() {
    throw unavailable();
  }

  @Override
  public void setCleanShutdown(boolean clean) {
    throw unavailable();
  }
}
