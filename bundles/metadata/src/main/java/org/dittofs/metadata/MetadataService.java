package org.dittofs.metadata;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockService;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What protocol adapters use of the metadata layer: shares, file records, the I/O checks of read
 * and write paths under each share's locking mode, and the lock manager's adapter face ({@link
 * #locks()}). In OSGi it is the service to reference; the store behind it, its configuration and
 * its life belong to the host ({@code org.dittofs.metadata.host.MetadataManager}).
 *
 * <p>Thread-safe. Methods throw {@link org.dittofs.metadata.errors.StoreError}s of the store and of
 * the lock manager.
 */
@ProviderType
public interface MetadataService {

  /** The lock manager's adapter face, persisting through this service's store. */
  LockService locks();

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
}
