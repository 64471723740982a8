package org.dittofs.metadata.lock.internal;

import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * One operation of the lifecycle model test ({@link ModelBasedLifecycleTest}): an operation of the
 * foundation test ({@link ModelOp}) or one of blocking requests, cancels, time, clients, restarts
 * and grace. Arguments are concrete so that any subsequence replays on a fresh manager (shrinking):
 * a blocking request carries the number that later cancels name, an open its handle. A cancel of a
 * number that no request of the replay made is skipped.
 */
sealed interface LifecycleOp {

  static String clientName(int client) {
    return "c" + client;
  }

  /** An operation of the foundation test, judged with waiters, restored state and grace. */
  record Basic(ModelOp op) implements LifecycleOp {
    @Override
    public String toString() {
      return op.toString();
    }
  }

  /**
   * lockBlocking(): request number {@code pending}; {@code timeoutSeconds} 0 means the configured
   * default.
   */
  record Blocking(
      int pending,
      int owner,
      int file,
      LockFlavour flavour,
      LockType type,
      Span span,
      int timeoutSeconds)
      implements LifecycleOp {
    @Override
    public String toString() {
      return ModelOp.request("lockBlocking ?" + pending, owner, file, flavour, type, span)
          + " timeout="
          + (timeoutSeconds == 0 ? "default" : timeoutSeconds + "s");
    }
  }

  /** PendingLock.cancel() of request number {@code pending}. */
  record Cancel(int pending) implements LifecycleOp {
    @Override
    public String toString() {
      return "cancel       ?" + pending;
    }
  }

  /** Moves the virtual clock forward, running the timers that fall due. */
  record Advance(int seconds) implements LifecycleOp {
    @Override
    public String toString() {
      return "advance      " + seconds + "s";
    }
  }

  /** registerClient() with a ttl of {@code ttlSeconds}. */
  record Register(int client, int ttlSeconds) implements LifecycleOp {
    @Override
    public String toString() {
      return "register     " + clientName(client) + " ttl=" + ttlSeconds + "s";
    }
  }

  /** A call about a client; keepAlive() refreshes its lease. */
  record ClientCall(Call call, int client) implements LifecycleOp {
    enum Call {
      KEEP_ALIVE("keepAlive"),
      UNREGISTER("unregister"),
      REBOOTED("rebooted"),
      RECLAIM_COMPLETE("reclaimDone");

      private final String label;

      Call(String label) {
        this.label = label;
      }
    }

    @Override
    public String toString() {
      return String.format("%-13s", call.label) + clientName(client);
    }
  }

  static LifecycleOp keepAlive(int client) {
    return new ClientCall(ClientCall.Call.KEEP_ALIVE, client);
  }

  static LifecycleOp unregister(int client) {
    return new ClientCall(ClientCall.Call.UNREGISTER, client);
  }

  static LifecycleOp rebooted(int client) {
    return new ClientCall(ClientCall.Call.REBOOTED, client);
  }

  static LifecycleOp reclaimComplete(int client) {
    return new ClientCall(ClientCall.Call.RECLAIM_COMPLETE, client);
  }

  /** The store goes down (every call fails) or comes back up. */
  record StoreDown(boolean down) implements LifecycleOp {
    @Override
    public String toString() {
      return down ? "store        down" : "store        up";
    }
  }

  /**
   * Once, the {@code nth} store write from now fails; with {@code landsFirst} a commit applies
   * before it throws (its outcome is unknown to the manager).
   */
  record StoreFault(int nth, boolean landsFirst) implements LifecycleOp {
    @Override
    public String toString() {
      return "store        write "
          + nth
          + " from now fails"
          + (landsFirst ? " after it landed" : "");
    }
  }

  /**
   * Stops the manager, cleanly (close()) or not (abandoned: a crash), and starts a new one on the
   * store's durable content with a fresh scheduler.
   */
  record Restart(boolean clean) implements LifecycleOp {
    @Override
    public String toString() {
      return "restart      " + (clean ? "after a clean close" : "after a crash");
    }
  }

  /** reclaim(); {@code otherClient}: sent through another client than the owner's. */
  record Reclaim(
      int owner, int file, LockFlavour flavour, LockType type, Span span, boolean otherClient)
      implements LifecycleOp {
    @Override
    public String toString() {
      return ModelOp.request("reclaim", owner, file, flavour, type, span)
          + (otherClient ? " via another client" : "");
    }
  }

  /** reclaimOpen(); the new open gets {@code handle}. */
  record ReclaimOpen(int handle, int owner, int file, int access, int deny) implements LifecycleOp {
    @Override
    public String toString() {
      return ModelOp.open("reclaimOpen", handle, owner, file, access, deny);
    }
  }
}
