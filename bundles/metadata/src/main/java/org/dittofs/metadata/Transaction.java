package org.dittofs.metadata;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockStore;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One store transaction: shares, files and (as a {@link LockStore}) lock records change together.
 * Nothing is visible to other transactions or durable before {@link #commit()}; {@link #close()}
 * without a commit rolls everything back. The {@link LockStore} methods keep their contract except
 * that their effects become durable at commit, not on return (and {@code commit(List)} applies its
 * operations inside this transaction).
 *
 * <p>Not thread-safe: a transaction belongs to one thread. Methods throw {@link
 * org.dittofs.metadata.errors.StoreError}: INVALID_ARGUMENT for values the store cannot hold,
 * STORE_UNAVAILABLE when the backend is unreachable, IO_ERROR otherwise. After a failure the
 * transaction can only be rolled back.
 */
@ConsumerType
public interface Transaction extends LockStore, AutoCloseable {

  /** Inserts or replaces a share. */
  void putShare(Share share);

  Optional<Share> getShare(String name);

  /** Every share, ordered by name. */
  List<Share> listShares();

  /** Deletes a share; its files are not touched. Returns whether it existed. */
  boolean deleteShare(String name);

  /** Inserts or replaces a file record (by handle). */
  void putFile(FileRecord file);

  Optional<FileRecord> getFile(FileHandle handle);

  /** The files of a share, in no particular order. */
  List<FileRecord> listFiles(String share);

  /** Deletes a file record (not its lock records). Returns whether it existed. */
  boolean deleteFile(FileHandle handle);

  /** Makes every change of this transaction durable and visible; the transaction ends. */
  void commit();

  /** Discards every change of this transaction; the transaction ends. Idempotent. */
  void rollback();

  /** Rolls back unless committed; never throws for an ended transaction. */
  @Override
  void close();
}
