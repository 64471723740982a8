package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.host.LockEvent;

/**
 * What an operation must do after it leaves the file table's monitor: publish its events and
 * complete the pending requests it decided. Running these outside the monitor lets listeners and
 * completion callbacks call back into the manager without lock-order hazards. Confined to the
 * thread running the operation.
 */
final class Deferred {
  private final EventBus events;
  private List<Runnable> actions;

  Deferred(EventBus events) {
    this.events = events;
  }

  /** Whether events are wanted at all (skip building them otherwise). */
  boolean wantsEvents() {
    return events.hasListeners();
  }

  void event(LockEvent e) {
    if (events.hasListeners()) {
      add(() -> events.publish(e));
    }
  }

  void complete(Waiter w, Lock lock) {
    w.decide(lock); // visible to poll at once; the future (callbacks) after the monitor
    add(() -> w.complete(lock));
  }

  void fail(Waiter w, StoreError error) {
    w.decide(error);
    add(() -> w.fail(error));
  }

  /** Runs {@code r} after the monitor is released (e.g. work that touches other files). */
  void later(Runnable r) {
    add(r);
  }

  private void add(Runnable r) {
    if (actions == null) {
      actions = new ArrayList<>(4);
    }
    actions.add(r);
  }

  /** Runs every action in order; an action that throws does not stop the others. */
  void run() {
    if (actions == null) {
      return;
    }
    List<Runnable> todo = actions;
    actions = null;
    for (Runnable r : todo) {
      try {
        r.run();
      } catch (RuntimeException e) {
        EventBus.LOG.warn("deferred lock action failed", e);
      }
    }
  }
}
