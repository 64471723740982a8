package org.dittofs.metadata.metrics.internal;

import java.util.Optional;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.host.LockEventListener;
import org.dittofs.metadata.lock.host.LockManager;

/**
 * Keeps one listener added to the metadata service's lock manager. The manager exists once the
 * service has bound its first store and then lives as long as the service (store swaps keep it);
 * until then {@link #current()} is empty and every call tries again.
 *
 * <p>Concurrency: {@code attached} is guarded by this object's monitor, which is never held while
 * the manager publishes events (adding and removing a listener do not call back).
 */
final class ManagerAttachment {
  private final MetadataManager service;
  private final LockEventListener listener;
  private LockManager attached; // guarded by this

  ManagerAttachment(MetadataManager service, LockEventListener listener) {
    this.service = service;
    this.listener = listener;
  }

  /** The lock manager, with the listener added to it; empty while the service has no store yet. */
  synchronized Optional<LockManager> current() {
    LockManager m;
    try {
      m = service.lockManager();
    } catch (StoreError e) {
      if (e.code() == ErrorCode.STORE_UNAVAILABLE) {
        return Optional.empty();
      }
      throw e;
    }
    if (m != attached) {
      if (attached != null) {
        attached.removeListener(listener);
      }
      m.addListener(listener);
      attached = m;
    }
    return Optional.of(m);
  }

  /** Removes the listener. */
  synchronized void close() {
    if (attached != null) {
      attached.removeListener(listener);
      attached = null;
    }
  }
}
