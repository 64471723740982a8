package org.dittofs.metadata.lock;

import java.util.EnumSet;
import java.util.Set;

/**
 * A request to open a file with a share reservation.
 *
 * @param file the file
 * @param share the share (export) the file belongs to
 * @param owner the opening owner
 * @param client the connection
 * @param access what the open may do (subset of READ, WRITE, DELETE; may be empty)
 * @param deny what the open denies to every other open of the file
 */
public record OpenRequest(
    FileHandle file,
    String share,
    LockOwner owner,
    LockClient client,
    Set<ShareAccess> access,
    Set<ShareAccess> deny) {
  /**
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if a part is missing
   */
  public OpenRequest {
    LockRequest.requirePresent(file, "file");
    LockRequest.requirePresent(share, "share");
    LockRequest.requirePresent(owner, "owner");
    LockRequest.requirePresent(client, "client");
    LockRequest.requirePresent(access, "access");
    LockRequest.requirePresent(deny, "deny");
    access = immutable(access);
    deny = immutable(deny);
  }

  static Set<ShareAccess> immutable(Set<ShareAccess> s) {
    return s.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(EnumSet.copyOf(s));
  }
}
