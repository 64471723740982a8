package org.dittofs.metadata.lock;

import java.time.Instant;
import java.util.Objects;

/**
 * A granted byte-range lock: one immutable record of the lock table. POSIX coalescing and splitting
 * never modify a record; they replace records by new ones with fresh ids.
 *
 * @param id unique id; split pieces never share one
 * @param owner the owner holding it
 * @param client the connection it came through
 * @param share the share (export) of the file
 * @param file the locked file
 * @param range the locked bytes
 * @param type SHARED or EXCLUSIVE
 * @param flavour POSIX or WINDOWS
 * @param acquiredAt when this record was granted
 * @param epoch the server epoch the record was written in
 */
public record Lock(
    LockId id,
    LockOwner owner,
    LockClient client,
    String share,
    FileHandle file,
    ByteRange range,
    LockType type,
    LockFlavour flavour,
    Instant acquiredAt,
    long epoch) {
  public Lock {
    requireHolder(id, owner, client, share, file);
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(flavour, "flavour");
    Objects.requireNonNull(acquiredAt, "acquiredAt");
  }

  /**
   * Checks what every granted record (a lock, an open) names: its id, who holds it through which
   * connection, and the file of which share.
   *
   * @throws NullPointerException naming the first part missing
   */
  static void requireHolder(
      LockId id, LockOwner owner, LockClient client, String share, FileHandle file) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(share, "share");
    Objects.requireNonNull(file, "file");
  }

  /** Whether this is an EXCLUSIVE lock. */
  public boolean exclusive() {
    return type == LockType.EXCLUSIVE;
  }

  @Override
  public String toString() {
    return type + " " + range + " of '" + owner + "' (" + flavour + ", id " + id + ")";
  }
}
