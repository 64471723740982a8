package org.dittofs.metadata.spi;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.lock.FileHandle;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One store transaction: shares, files and lock records ({@link #locks()}) change together. Nothing
 * is visible to other transactions or durable before {@link #commit()}; {@link #close()} without a
 * commit rolls everything back.
 *
 * <p>Not thread-safe: a transaction belongs to one thread. Methods throw {@link
 * org.dittofs.metadata.errors.StoreError}: INVALID_ARGUMENT for values the store cannot hold,
 * STORE_UNAVAILABLE when the backend is unreachable, IO_ERROR otherwise. After a failure the
 * transaction can only be rolled back.
 */
@ConsumerType
public interface Transaction extends AutoCloseable {

  /** The lock records as this transaction sees and changes them. */
  LockRecords locks();

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

  /**
   * Rolls back unless committed; never throws for an ended transaction. By default {@link
   * #rollback()}, which is idempotent and does nothing after a commit.
   */
  @Override
  default void close() {
    rollback();
  }
}
