package org.dittofs.metadata;

import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.LockingMode;

/**
 * An exported share and how byte-range locks apply to I/O on it.
 *
 * @param name the share name, non-empty
 * @param lockingMode ADVISORY (POSIX locks do not block I/O) or MANDATORY
 */
public record Share(String name, LockingMode lockingMode) {
  /**
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if a part is missing
   */
  public Share {
    if (name == null || name.isEmpty()) {
      throw StoreErrors.invalidArgument("a share needs a non-empty name");
    }
    if (lockingMode == null) {
      throw StoreErrors.invalidArgument("share '" + name + "' needs a locking mode");
    }
  }
}
