package org.dittofs.metadata.internal;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.RemovePolicy;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockService;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.spi.MetadataStore;

/**
 * The face the metadata service component shows its callers: every call goes to the service that
 * serves now ({@link #serving()}, which changes when the component starts over another store);
 * without one, calls fail with STORE_UNAVAILABLE. Keeps the component itself about choosing and
 * following its store.
 */
abstract class DelegatingMetadataManager implements MetadataManager {

  /** The service in use, or null while there is none. Read without locking (volatile there). */
  abstract DefaultMetadataService serving();

  private DefaultMetadataService service() {
    DefaultMetadataService s = serving();
    if (s == null) {
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE,
          "the metadata service has no store yet: register a MetadataStore matching store.target");
    }
    return s;
  }

  // ---- MetadataService, delegated ----

  @Override
  public LockService locks() {
    return service().locks();
  }

  @Override
  public LockManager lockManager() {
    return service().lockManager();
  }

  @Override
  public void putShare(Share share) {
    service().putShare(share);
  }

  @Override
  public Optional<Share> share(String name) {
    return service().share(name);
  }

  @Override
  public List<Share> shares() {
    return service().shares();
  }

  @Override
  public void putFile(FileRecord file) {
    service().putFile(file);
  }

  @Override
  public Optional<FileRecord> file(FileHandle handle) {
    return service().file(handle);
  }

  @Override
  public void removeFile(FileHandle handle, RemovePolicy policy) {
    service().removeFile(handle, policy);
  }

  @Override
  public int sweepOrphans() {
    return service().sweepOrphans();
  }

  @Override
  public void checkRead(FileHandle file, LockOwner owner, ByteRange range) {
    service().checkRead(file, owner, range);
  }

  @Override
  public void checkWrite(FileHandle file, LockOwner owner, ByteRange range) {
    service().checkWrite(file, owner, range);
  }

  @Override
  public MetadataStore store() {
    DefaultMetadataService s = serving();
    return s == null ? null : s.store();
  }
}
