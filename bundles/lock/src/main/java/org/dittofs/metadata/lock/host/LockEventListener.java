package org.dittofs.metadata.lock.host;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives every {@link LockEvent}. Called synchronously on the thread that made the decision,
 * possibly while the manager holds the file's lock: implementations must be fast, must not block
 * and must not call back into the lock manager. Exceptions thrown are logged and ignored.
 */
@ConsumerType
@FunctionalInterface
public interface LockEventListener {
  void onEvent(LockEvent event);
}
