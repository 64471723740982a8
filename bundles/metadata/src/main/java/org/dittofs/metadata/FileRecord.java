package org.dittofs.metadata;

import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.FileHandle;

/**
 * A file known to the metadata store.
 *
 * @param handle the file's handle, unique in the store
 * @param share the share it belongs to
 * @param name its name in its parent directory ({@code ""} for a share root)
 * @param parent the parent directory's handle, or null for a share root
 * @param type file, directory or symlink
 * @param size size in bytes, at least 0
 */
public record FileRecord(
    FileHandle handle, String share, String name, FileHandle parent, FileType type, long size) {
  /**
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if a part is missing or the
   *     size is negative
   */
  public FileRecord {
    if (handle == null || share == null || share.isEmpty() || name == null || type == null) {
      throw StoreErrors.invalidArgument(
          "a file record needs a handle, a share, a name (may be empty) and a type");
    }
    if (size < 0) {
      throw StoreErrors.invalidArgument("file size must not be negative, got " + size);
    }
  }
}
