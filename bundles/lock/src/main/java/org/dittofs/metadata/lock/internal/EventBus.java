package org.dittofs.metadata.lock.internal;

import java.util.concurrent.CopyOnWriteArrayList;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to the registered listeners, in registration order, on the publishing thread. A
 * listener that throws is logged and skipped. Thread-safe: the listener list is copy-on-write.
 */
final class EventBus {
  static final Logger LOG = LoggerFactory.getLogger("org.dittofs.metadata.lock");

  private final CopyOnWriteArrayList<LockEventListener> listeners = new CopyOnWriteArrayList<>();

  void add(LockEventListener l) {
    listeners.add(l);
  }

  void remove(LockEventListener l) {
    listeners.remove(l);
  }

  boolean hasListeners() {
    return !listeners.isEmpty();
  }

  void publish(LockEvent e) {
    for (LockEventListener l : listeners) {
      try {
        l.onEvent(e);
      } catch (RuntimeException ex) {
        LOG.warn("lock event listener " + l + " failed on " + e, ex);
      }
    }
  }
}
