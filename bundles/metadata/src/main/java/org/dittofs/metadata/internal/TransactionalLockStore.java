package org.dittofs.metadata.internal;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.MetadataStore;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockQuery;
import org.dittofs.metadata.lock.LockStore;
import org.dittofs.metadata.lock.LockStoreOp;
import org.dittofs.metadata.lock.PersistedLock;

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
          tx.putLock(lock);
          return null;
        });
  }

  @Override
  public Optional<PersistedLock> getLock(String id) {
    return store.inTransaction(tx -> tx.getLock(id));
  }

  @Override
  public boolean deleteLock(String id) {
    return store.inTransaction(tx -> tx.deleteLock(id));
  }

  @Override
  public List<PersistedLock> listLocks(LockQuery query) {
    return store.inTransaction(tx -> tx.listLocks(query));
  }

  @Override
  public int deleteLocksByClient(String clientId) {
    return store.inTransaction(tx -> tx.deleteLocksByClient(clientId));
  }

  @Override
  public int deleteLocksByFile(FileHandle file) {
    return store.inTransaction(tx -> tx.deleteLocksByFile(file));
  }

  @Override
  public long getServerEpoch() {
    return store.inTransaction(tx -> tx.getServerEpoch());
  }

  @Override
  public long incrementServerEpoch() {
    return store.inTransaction(tx -> tx.incrementServerEpoch());
  }

  @Override
  public void commit(List<LockStoreOp> ops) {
    store.inTransaction(
        tx -> {
          tx.commit(ops);
          return null;
        });
  }

  @Override
  public boolean isCleanShutdown() {
    return store.inTransaction(tx -> tx.isCleanShutdown());
  }

  @Override
  public void setCleanShutdown(boolean clean) {
    store.inTransaction(
        tx -> {
          tx.setCleanShutdown(clean);
          return null;
        });
  }
}
