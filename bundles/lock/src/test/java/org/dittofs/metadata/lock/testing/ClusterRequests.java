package org.dittofs.metadata.lock.testing;

import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;

/**
 * Requests of the cluster tests, on share "s": POSIX locks of a range given by its first and last
 * byte, and opens.
 */
public final class ClusterRequests {
  private ClusterRequests() {}

  /** {@code owner}'s POSIX request, through {@code client}, for bytes {@code first..last}. */
  public static LockRequest posix(
      FileHandle file, String owner, LockClient client, LockType type, long first, long last) {
    return new LockRequest(
        file, "s", LockOwner.of(owner), client, LockFlavour.POSIX, type, ByteRange.of(first, last));
  }

  /** {@code owner}'s open of {@code file}, through {@code client}. */
  public static OpenRequest open(
      FileHandle file,
      String owner,
      LockClient client,
      Set<ShareAccess> access,
      Set<ShareAccess> deny) {
    return new OpenRequest(file, "s", LockOwner.of(owner), client, access, deny);
  }
}
