package org.dittofs.metadata.lock.testing;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * A {@link LockStore} that passes every call to a {@link FaultyLockStore}: tests override the calls
 * whose behaviour they script (a commit that blocks like a pool waiting for a connection, a commit
 * that lands and then reports a failure, a commit that takes time) and inspect the durable content
 * through {@link #durable}. Thread-safe as the delegate is; overrides must be too.
 */
public class ForwardingLockStore implements LockStore {
  /** Where the records are. */
  public final FaultyLockStore durable;

  /** Over a fresh, empty store. */
  public ForwardingLockStore() {
    this(new FaultyLockStore());
  }

  /** Over {@code durable}. */
  public ForwardingLockStore(FaultyLockStore durable) {
    this.durable = durable;
  }

  @Override
  public void apply(List<LockStoreOp> ops) {
    durable.apply(ops);
  }

  @Override
  public void putLock(PersistedLock lock) {
    durable.putLock(lock);
  }

  @Override
  public Optional<PersistedLock> getLock(String id) {
    return durable.getLock(id);
  }

  @Override
  public boolean deleteLock(String id) {
    return durable.deleteLock(id);
  }

  @Override
  public List<PersistedLock> listLocks(LockQuery query) {
    return durable.listLocks(query);
  }

  @Override
  public int deleteLocksByClient(String clientId) {
    return durable.deleteLocksByClient(clientId);
  }

  @Override
  public int deleteLocksByFile(FileHandle file) {
    return durable.deleteLocksByFile(file);
  }

  @Override
  public long getServerEpoch() {
    return durable.getServerEpoch();
  }

  @Override
  public long incrementServerEpoch() {
    return durable.incrementServerEpoch();
  }

  @Override
  public boolean isCleanShutdown() {
    return durable.isCleanShutdown();
  }

  @Override
  public void setCleanShutdown(boolean clean) {
    durable.setCleanShutdown(clean);
  }
}
