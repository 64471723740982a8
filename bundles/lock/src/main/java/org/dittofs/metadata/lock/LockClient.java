package org.dittofs.metadata.lock;

import org.dittofs.metadata.errors.StoreErrors;

/**
 * The connection a lock owner came through: a client id (NFSv4 client id, NLM host name, SMB
 * session) and the name of the protocol adapter. Used for cleanup, limits and grace; never for
 * conflict decisions.
 *
 * @param id client id, non-empty
 * @param adapter adapter name ({@code nlm}, {@code nfs4}, {@code smb}, ...), non-empty
 */
public record LockClient(String id, String adapter) {
  /**
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if a part is null or empty
   */
  public LockClient {
    if (id == null || id.isEmpty()) {
      throw StoreErrors.invalidArgument("client id must be a non-empty string");
    }
    if (adapter == null || adapter.isEmpty()) {
      throw StoreErrors.invalidArgument("client adapter name must be a non-empty string");
    }
  }

  @Override
  public String toString() {
    return adapter + ":" + id;
  }
}
