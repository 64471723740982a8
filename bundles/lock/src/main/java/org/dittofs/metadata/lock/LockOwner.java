package org.dittofs.metadata.lock;

import java.nio.charset.StandardCharsets;
import org.dittofs.metadata.errors.StoreErrors;

/**
 * An opaque lock owner id. Protocols encode themselves in it ({@code nlm:host:svid:oh}, {@code
 * smb:...}, {@code nfs4:...}), so owners of different protocols are different owners and conflict
 * with each other. Compared for equality only, never parsed. The length limit (default 1024 UTF-8
 * bytes) is enforced by the manager's configuration; this type refuses only null and empty ids.
 * Immutable and thread-safe.
 */
public final class LockOwner {
  private final String id;
  private final int utf8Length;
  private final int hash; // looked up in maps on every request: computed once

  private LockOwner(String id) {
    this.id = id;
    this.utf8Length = id.getBytes(StandardCharsets.UTF_8).length;
    this.hash = id.hashCode();
  }

  /**
   * The owner with this id.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if null or empty
   */
  public static LockOwner of(String id) {
    if (id == null || id.isEmpty()) {
      throw StoreErrors.invalidArgument("lock owner id must be a non-empty string");
    }
    return new LockOwner(id);
  }

  /** The id. */
  public String id() {
    return id;
  }

  /** Length of the id in UTF-8 bytes. */
  public int utf8Length() {
    return utf8Length;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof LockOwner other && other.hash == hash && other.id.equals(id));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return id;
  }
}
