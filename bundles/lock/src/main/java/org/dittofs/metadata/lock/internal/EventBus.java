package org.dittofs.metadata.lock.internal;

import java.util.concurrent.CopyOnWriteArrayList;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockEventListener;

/**
 * Delivers events to the registered listeners, in registration order, on the publishing thread. A
 * listener that throws is logged and skipped. Thread-safe: the listener list is copy-on-write.
 */
final class EventBus {
  static final System.Logger LOG = System.getLogger("org.dittofs.metadata.lock");

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
        LOG.log(System.Logger.Level.WARNING, "lock event listener " + l + " failed on " + e, ex);
      }
    }
  }
}
