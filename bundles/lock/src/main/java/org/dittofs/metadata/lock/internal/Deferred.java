package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.host.LockEvent;

/**
 * What an operation must do after it leaves the file table's monitor: publish its events and
 * complete the pending requests it decided. Running these outside the monitor lets listeners and
 * completion callbacks call back into the manager without lock-order hazards.
 *
 * <p>Concurrency: each table has one, used only under the table's monitor; {@link #take} hands the
 * collected actions to the operation's thread before the monitor is released (an operation that
 * collects nothing allocates nothing). The shared empty table's reads get one of their own.
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

  /** The actions collected so far (null if none), which this no longer holds. */
  List<Runnable> take() {
    List<Runnable> todo = actions;
    if (todo != null) { // no write when there is nothing: the table's lines stay clean
      actions = null;
    }
    return todo;
  }

  /** Runs every action collected, in order; an action that throws does not stop the others. */
  void run() {
    run(take());
  }

  /** Runs {@code todo} (may be null) in order; an action that throws does not stop the others. */
  static void run(List<Runnable> todo) {
    if (todo == null) {
      return;
    }
    for (Runnable r : todo) {
      try {
        r.run();
      } catch (RuntimeException e) {
        EventBus.LOG.warn("deferred lock action failed", e);
      }
    }
  }
}
