package org.dittofs.metadata.store.jdbc;

import java.time.Instant;
import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.spi.PersistedLock;

/** Small builders of records for the store tests. */
public final class Records {
  public static final FileHandle FILE = FileHandle.of(new byte[] {0, 1, (byte) 0xff, 0x7f});
  public static final Instant AT = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);

  private Records() {}

  /** A POSIX exclusive lock record of {@code owner} on {@link #FILE} over {@code range}. */
  public static PersistedLock lock(String id, String owner, ByteRange range) {
    return lock(id, owner, range, AT);
  }

  /** The same, acquired at {@code acquiredAt}. */
  public static PersistedLock lock(String id, String owner, ByteRange range, Instant acquiredAt) {
    return new PersistedLock(
        id,
        PersistedLock.Kind.LOCK,
        "export",
        FILE,
        owner,
        "client-1",
        "nlm",
        LockFlavour.POSIX,
        LockType.EXCLUSIVE,
        range,
        Set.of(),
        Set.of(),
        acquiredAt,
        7);
  }

  /** A lock record with every string part chosen. */
  public static PersistedLock lock(
      String id, String share, FileHandle file, String owner, String client, String adapter) {
    return new PersistedLock(
        id,
        PersistedLock.Kind.LOCK,
        share,
        file,
        owner,
        client,
        adapter,
        LockFlavour.WINDOWS,
        LockType.SHARED,
        ByteRange.span(10, 20),
        Set.of(),
        Set.of(),
        AT,
        3);
  }

  /** An open record of {@code owner} on {@code file}. */
  public static PersistedLock open(
      String id, FileHandle file, String owner, Set<ShareAccess> access, Set<ShareAccess> deny) {
    return new PersistedLock(
        id,
        PersistedLock.Kind.OPEN,
        "export",
        file,
        owner,
        "client-2",
        "smb",
        null,
        null,
        null,
        access,
        deny,
        AT,
        9);
  }
}
