package org.dittofs.metadata.lock.internal;

import java.util.List;
import org.dittofs.metadata.lock.spi.FileTransaction;
import org.dittofs.metadata.lock.spi.LockStoreOp;

/**
 * Cluster mode: the file transaction of the operation running on the current thread ({@link
 * CoordinatedTables}), where the {@link StoreWriter} puts that operation's writes instead of its
 * group-commit queue: in cluster mode every write, releases included, is committed with its
 * operation, before the answer (docs/cluster.md, SPEC 10).
 *
 * <p>Concurrency: a thread-local; an operation runs on one thread from start to end and a thread
 * runs one operation at a time (it holds at most one table monitor).
 */
final class CurrentFile {
  private final ThreadLocal<FileTransaction> current = new ThreadLocal<>();
  private final ThreadLocal<FileTransaction> viewed = new ThreadLocal<>(); // writes and reads

  /** The operation on this thread is {@code tx}: a write ({@code write}) or a read. */
  void set(FileTransaction tx, boolean write) {
    viewed.set(tx);
    if (write) {
      current.set(tx);
    }
  }

  /** The operation set with the same {@code write} ended. */
  void clear(boolean write) {
    viewed.remove();
    if (write) {
      current.remove();
    }
  }

  /**
   * The transaction of the operation (a write or a read) running on this thread, or null: for what
   * an operation reads of the cluster besides the file ({@link FileTransaction#client}).
   */
  FileTransaction viewed() {
    return viewed.get();
  }

  /**
   * Buffers {@code ops} in the current operation's transaction.
   *
   * @throws IllegalStateException outside a coordinated operation (a write that would reach no
   *     node)
   */
  void write(List<LockStoreOp> ops) {
    get().write(ops);
  }

  /**
   * The current operation's transaction.
   *
   * @throws IllegalStateException outside a coordinated operation
   */
  FileTransaction get() {
    FileTransaction tx = current.get();
    if (tx == null) {
      throw new IllegalStateException("a lock store write outside a file's coordinated operation");
    }
    return tx;
  }
}
