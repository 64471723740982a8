package org.dittofs.metadata.store.memory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.spi.Transaction;

/**
 * A metadata store in memory: nothing survives the process, but transactions are real. A
 * transaction buffers its writes and applies them at commit, all at once; a rollback (or a failure
 * before commit) leaves no trace.
 *
 * <p>Concurrency: write transactions are serialized by {@code writers}, taken at a transaction's
 * first write and held until it ends (so read-modify-write sequences such as the epoch increment
 * are exact). Committed state lives in concurrent maps and is read under {@code visible}'s read
 * lock; a commit applies its writes under the write lock, so readers see a commit entirely or not
 * at all (read committed, with serial writers). {@code epoch} and {@code clean} are guarded by
 * {@code visible}.
 */
public final class MemoryMetadataStore implements MetadataStore {
  final ConcurrentHashMap<String, Share> shares = new ConcurrentHashMap<>();
  final ConcurrentHashMap<FileHandle, FileRecord> files = new ConcurrentHashMap<>();
  final ConcurrentHashMap<String, PersistedLock> locks = new ConcurrentHashMap<>();
  final ReentrantLock writers = new ReentrantLock();
  final ReentrantReadWriteLock visible = new ReentrantReadWriteLock();
  long epoch;
  boolean clean;

  @Override
  public String type() {
    return "memory";
  }

  @Override
  public Transaction begin() {
    return new MemoryTransaction(this);
  }
}
