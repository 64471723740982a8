package org.dittofs.metadata;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockManager;
import org.dittofs.metadata.lock.LockOwner;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The metadata service: owns the lock manager and persists it, with shares and file records,
 * through one {@link MetadataStore}. Protocol adapters take their {@link LockManager} from here.
 *
 * <p>Thread-safe. Methods throw {@link org.dittofs.metadata.errors.StoreError}s of the store and of
 * the lock manager.
 */
@ProviderType
public interface MetadataService extends AutoCloseable {

  /** The lock manager, persisting through this service's store. */
  LockManager locks();

  /** Creates or replaces a share. */
  void putShare(Share share);

  Optional<Share> share(String name);

  List<Share> shares();

  /**
   * Creates or replaces a file record.
   *
   * @throws org.dittofs.metadata.errors.StoreError NOT_FOUND if its share does not exist
   */
  void putFile(FileRecord file);

  Optional<FileRecord> file(FileHandle handle);

  /**
   * Removes a file. With {@link RemovePolicy#DROP_LOCKS} its lock records are deleted in the same
   * store transaction as the file record and its locks, opens and waiters leave the lock manager;
   * with {@link RemovePolicy#REFUSE_IF_LOCKED} the removal fails with LOCKED while any lock or open
   * is held. A failure leaves both the file and its locks as they were.
   *
   * @throws org.dittofs.metadata.errors.StoreError NOT_FOUND if there is no such file; LOCKED
   */
  void removeFile(FileHandle handle, RemovePolicy policy);

  /**
   * Deletes lock records whose file no longer exists in the store and which the lock manager does
   * not hold (left by a release that landed after its file was removed). Runs periodically too.
   *
   * @return the number of records deleted
   */
  int sweepOrphans();

  /**
   * Checks a protocol read with the locking mode of the file's share.
   *
   * @throws org.dittofs.metadata.errors.StoreError NOT_FOUND for an unknown file; LOCK_CONFLICT
   */
  void checkRead(FileHandle file, LockOwner owner, ByteRange range);

  /** As {@link #checkRead}, for a write. */
  void checkWrite(FileHandle file, LockOwner owner, ByteRange range);

  /**
   * Moves the service to another store while it serves (hot swap): lock traffic is held, and in one
   * transaction of {@code next} the shares and files are copied from the current store and the lock
   * records and epoch from the lock manager's memory (which is authoritative); then traffic resumes
   * on {@code next}. With {@code next == null} the service runs without a store: grants fail with
   * STORE_UNAVAILABLE and releases are kept for the next store.
   *
   * @return how long lock traffic was held and how many lock records were copied
   * @throws org.dittofs.metadata.errors.StoreError if the copy failed; the service then stays on
   *     its current store
   */
  org.dittofs.metadata.lock.SwapReport swapStore(MetadataStore next);

  /** The bound store, or null while none is bound. */
  MetadataStore store();

  /** Stops the lock manager cleanly (the store's clean-shutdown marker is set if all landed). */
  @Override
  void close();
}
