package org.dittofs.metadata.store.jdbc;

import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.FileTransaction;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * One file's state during one cluster operation ({@link JdbcLockCluster}): its version as read
 * under the file's lock, its records on demand, and the buffer of the operation's writes, each put
 * checked when written so that a value the database cannot hold is refused before the lock manager
 * changes anything. Confined to the operation's thread; usable only until the work returns.
 */
final class ClusterFile implements FileTransaction {
  private final JdbcTransaction tx;
  private final FileHandle file;
  private final long version;
  private final boolean writable;
  private final List<LockStoreOp> writes = new ArrayList<>();
  private boolean ended;

  ClusterFile(JdbcTransaction tx, FileHandle file, long version, boolean writable) {
    this.tx = tx;
    this.file = file;
    this.version = version;
    this.writable = writable;
  }

  @Override
  public long version() {
    return version;
  }

  @Override
  public List<PersistedLock> records() {
    alive();
    return tx.listLocks(LockQuery.byFile(file));
  }

  @Override
  public void write(List<LockStoreOp> ops) {
    alive();
    if (!writable) {
      throw new IllegalStateException("a write in a read of file " + file.toHex());
    }
    for (LockStoreOp op : ops) {
      if (op instanceof LockStoreOp.Put p) {
        if (!p.record().file().equals(file)) {
          throw new IllegalStateException(
              "a write of file "
                  + p.record().file().toHex()
                  + " in an operation on "
                  + file.toHex());
        }
        tx.check(p.record());
      }
    }
    writes.addAll(ops);
  }

  /** The buffered writes, in order. */
  List<LockStoreOp> writes() {
    return writes;
  }

  /** The work returned: later calls are refused. */
  void end() {
    ended = true;
  }

  private void alive() {
    if (ended) {
      throw new IllegalStateException(
          "file transaction of " + file.toHex() + " used after its work");
    }
  }
}
