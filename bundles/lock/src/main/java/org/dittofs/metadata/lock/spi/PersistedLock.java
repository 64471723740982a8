package org.dittofs.metadata.lock.spi;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;

/**
 * The stored form of a lock or an open: one row of a {@link LockStore}. Both kinds share one record
 * so that a file's whole lock state is one query, as in the Go original where a share reservation
 * is a field of the persisted lock.
 *
 * <p>A {@link Kind#LOCK} has flavour, type and range, and empty access and deny. A {@link
 * Kind#OPEN} has access and deny, and null flavour, type and range.
 *
 * @param id the record id, the {@link LockId} string for records the manager writes
 * @param kind lock or open
 * @param share the share of the file
 * @param file the file
 * @param owner the owner id
 * @param clientId the client id
 * @param adapter the client's adapter name
 * @param flavour POSIX or WINDOWS (locks only)
 * @param type SHARED or EXCLUSIVE (locks only)
 * @param range the bytes (locks only)
 * @param access the access held (opens only)
 * @param deny the deny held (opens only)
 * @param acquiredAt when it was granted
 * @param epoch the server epoch it was written in
 */
public record PersistedLock(
    String id,
    Kind kind,
    String share,
    FileHandle file,
    String owner,
    String clientId,
    String adapter,
    LockFlavour flavour,
    LockType type,
    ByteRange range,
    Set<ShareAccess> access,
    Set<ShareAccess> deny,
    Instant acquiredAt,
    long epoch) {

  /** What a record describes. */
  public enum Kind {
    /** A byte-range lock. */
    LOCK,
    /** An open with its share reservation. */
    OPEN
  }

  /**
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if a required part is missing
   *     or a part is present that the kind does not have
   */
  public PersistedLock {
    require(id, "id");
    require(kind, "kind");
    require(share, "share");
    require(file, "file");
    require(owner, "owner");
    require(clientId, "clientId");
    require(adapter, "adapter");
    require(acquiredAt, "acquiredAt");
    access = modes(access == null ? Set.of() : access);
    deny = modes(deny == null ? Set.of() : deny);
    if (kind == Kind.LOCK) {
      require(flavour, "flavour");
      require(type, "type");
      require(range, "range");
      if (!access.isEmpty() || !deny.isEmpty()) {
        throw StoreErrors.invalidArgument("persisted lock " + id + " must not carry share modes");
      }
    } else if (flavour != null || type != null || range != null) {
      throw StoreErrors.invalidArgument(
          "persisted open " + id + " must not carry a flavour, type or range");
    }
  }

  private static void require(Object v, String name) {
    if (v == null || (v instanceof String s && s.isEmpty())) {
      throw StoreErrors.invalidArgument("persisted lock record is missing its " + name);
    }
  }

  /** The stored form of a granted lock. */
  public static PersistedLock of(Lock l) {
    return new PersistedLock(
        l.id().toString(),
        Kind.LOCK,
        l.share(),
        l.file(),
        l.owner().id(),
        l.client().id(),
        l.client().adapter(),
        l.flavour(),
        l.type(),
        l.range(),
        Set.of(),
        Set.of(),
        l.acquiredAt(),
        l.epoch());
  }

  /** The stored form of an open. */
  public static PersistedLock of(ShareReservation o) {
    return new PersistedLock(
        o.id().toString(),
        Kind.OPEN,
        o.share(),
        o.file(),
        o.owner().id(),
        o.client().id(),
        o.client().adapter(),
        null,
        null,
        null,
        o.access(),
        o.deny(),
        o.acquiredAt(),
        o.epoch());
  }

  /**
   * The lock this record describes.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if it is an open or its id is
   *     not a {@link LockId}
   */
  public Lock toLock() {
    if (kind != Kind.LOCK) {
      throw StoreErrors.invalidArgument("record " + id + " is an open, not a lock");
    }
    return new Lock(
        LockId.parse(id),
        LockOwner.of(owner),
        new LockClient(clientId, adapter),
        share,
        file,
        range,
        type,
        flavour,
        acquiredAt,
        epoch);
  }

  /**
   * The open this record describes.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if it is a lock or its id is
   *     not a {@link LockId}
   */
  public ShareReservation toReservation() {
    if (kind != Kind.OPEN) {
      throw StoreErrors.invalidArgument("record " + id + " is a lock, not an open");
    }
    return new ShareReservation(
        LockId.parse(id),
        LockOwner.of(owner),
        new LockClient(clientId, adapter),
        share,
        file,
        access,
        deny,
        acquiredAt,
        epoch);
  }

  private static Set<ShareAccess> modes(Set<ShareAccess> s) {
    return s.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(EnumSet.copyOf(s));
  }
}
