package org.dittofs.metadata.internal;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.MetadataStore;

/**
 * The lock manager's view of a {@link MetadataStore}: every {@link LockStore} call is one store
 * transaction, so each is atomic and durable on return as the SPI requires; {@link #commit} puts a
 * whole group-commit batch in one transaction. Thread-safe as the store is.
 */
final class TransactionalLockStore implements LockStore {
  private final MetadataStore store;

  TransactionalLockStore(MetadataStore store) {
    this.store = store;
  }

  @Override
  public void putLock(PersistedLock lock) {
    store.inTransaction(
        tx -> {
          tx.locks().putLock(lock);
          return null;
        });
  }

  @Override
  public Optional<PersistedLock> getLock(String id) {
    return store.inTransaction(tx -> tx.locks().getLock(id));
  }

  @Override
  public boolean deleteLock(String id) {
    return store.inTransaction(tx -> tx.locks().deleteLock(id));
  }

  @Override
  public List<PersistedLock> listLocks(LockQuery query) {
    return store.inTransaction(tx -> tx.locks().listLocks(query));
  }

  @Override
  public int deleteLocksByClient(String clientId) {
    return store.inTransaction(tx -> tx.locks().deleteLocksByClient(clientId));
  }

  @Override
  public int deleteLocksByFile(FileHandle file) {
    return store.inTransaction(tx -> tx.locks().deleteLocksByFile(file));
  }

  @Override
  public long getServerEpoch() {
    return store.inTransaction(tx -> tx.locks().getServerEpoch());
  }

  @Override
  public long incrementServerEpoch() {
    return store.inTransaction(tx -> tx.locks().incrementServerEpoch());
  }

  @Override
  public void apply(List<LockStoreOp> ops) {
    store.inTransaction(
        tx -> {
          tx.locks().apply(ops);
          return null;
        });
  }

  @Override
  public boolean isCleanShutdown() {
    return store.inTransaction(tx -> tx.locks().isCleanShutdown());
  }

  @Override
  public void setCleanShutdown(boolean clean) {
    store.inTransaction(
        tx -> {
          tx.locks().setCleanShutdown(clean);
          return null;
        });
  }
}
