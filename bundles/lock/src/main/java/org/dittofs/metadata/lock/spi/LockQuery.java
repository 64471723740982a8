package org.dittofs.metadata.lock.spi;

import org.dittofs.metadata.lock.FileHandle;

/**
 * A filter over persisted records. Every part is optional (null means "any"); the parts that are
 * set must all match. Values are matched exactly (no patterns: a {@code %} or {@code _} in an owner
 * id is just a character).
 *
 * @param file only records of this file
 * @param owner only records of this owner id
 * @param clientId only records of this client id
 * @param share only records of this share
 * @param kind only locks or only opens
 */
public record LockQuery(
    FileHandle file, String owner, String clientId, String share, PersistedLock.Kind kind) {

  private static final LockQuery ALL = new LockQuery(null, null, null, null, null);

  /** Matches every record. */
  public static LockQuery all() {
    return ALL;
  }

  /** Matches the records of one file. */
  public static LockQuery byFile(FileHandle file) {
    return ALL.withFile(file);
  }

  public LockQuery withFile(FileHandle f) {
    return new LockQuery(f, owner, clientId, share, kind);
  }

  public LockQuery withOwner(String o) {
    return new LockQuery(file, o, clientId, share, kind);
  }

  public LockQuery withClientId(String c) {
    return new LockQuery(file, owner, c, share, kind);
  }

  public LockQuery withShare(String s) {
    return new LockQuery(file, owner, clientId, s, kind);
  }

  public LockQuery withKind(PersistedLock.Kind k) {
    return new LockQuery(file, owner, clientId, share, k);
  }

  /** Whether {@code r} passes this filter; the reference semantics every store must follow. */
  public boolean matches(PersistedLock r) {
    return (file == null || file.equals(r.file()))
        && (owner == null || owner.equals(r.owner()))
        && (clientId == null || clientId.equals(r.clientId()))
        && (share == null || share.equals(r.share()))
        && (kind == null || kind == r.kind());
  }
}
