package org.dittofs.metadata.lock;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A granted open with its share reservation. Two opens of a file conflict iff one's access meets
 * the other's deny.
 *
 * @param id unique id
 * @param owner the owner that opened
 * @param client the connection
 * @param share the share of the file
 * @param file the file
 * @param access the access held
 * @param deny the deny held
 * @param acquiredAt when the open (or its last downgrade) was granted
 * @param epoch the server epoch the record was written in
 */
public record ShareReservation(
    LockId id,
    LockOwner owner,
    LockClient client,
    String share,
    FileHandle file,
    Set<ShareAccess> access,
    Set<ShareAccess> deny,
    Instant acquiredAt,
    long epoch) {
  public ShareReservation {
    Lock.requireHolder(id, owner, client, share, file);
    access = OpenRequest.immutable(Objects.requireNonNull(access, "access"));
    deny = OpenRequest.immutable(Objects.requireNonNull(deny, "deny"));
    Objects.requireNonNull(acquiredAt, "acquiredAt");
  }

  /** The access bits as a mask of {@link ShareAccess#bit()}. */
  public int accessMask() {
    return mask(access);
  }

  /** The deny bits as a mask of {@link ShareAccess#bit()}. */
  public int denyMask() {
    return mask(deny);
  }

  static int mask(Set<ShareAccess> s) {
    int m = 0;
    for (ShareAccess a : s) {
      m |= a.bit();
    }
    return m;
  }
}
