package org.dittofs.metadata.lock.internal;

import static org.dittofs.metadata.lock.internal.RequestChecks.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockEvent;

/**
 * Clients and connections (SPEC 9): registration, unregistration with or without a ttl, "client
 * rebooted", keep-alive, and the release of everything a client holds (locks, opens, waiters), file
 * by file.
 *
 * <p>Concurrency: no state of its own; the {@link ClientRegistry} guards the clients, and each
 * file's state (its waiters' lease timer included) is changed under its table's monitor. The
 * registry's monitor is never taken inside a table monitor.
 */
final class ClientSessions {
  private final RequestChecks checks;
  private final ClientRegistry clients;
  private final LockLimits limits;
  private final EventBus events;
  private final LockTables tables;
  private final TableOps ops;
  private final WaitQueue waiting;

  ClientSessions(
      RequestChecks checks,
      ClientRegistry clients,
      LockLimits limits,
      EventBus events,
      LockTables tables,
      TableOps ops,
      WaitQueue waiting) {
    this.checks = checks;
    this.clients = clients;
    this.limits = limits;
    this.events = events;
    this.tables = tables;
    this.ops = ops;
    this.waiting = waiting;
  }

  void register(LockClient client, String remoteAddress, Duration ttl) {
    requireNonNull(client, "client");
    checks.ensureOpen();
    if (ttl != null && ttl.isNegative()) {
      throw StoreErrors.invalidArgument("client ttl must not be negative, got " + ttl);
    }
    boolean renewal;
    try {
      renewal = clients.register(client, remoteAddress, ttl);
    } catch (StoreError e) {
      if (e.detail().orElse(null) instanceof ErrorDetail.Limit l) {
        events.publish(new LockEvent.LimitHit(l.limit(), l.current(), l.max()));
      }
      throw e;
    }
    events.publish(
        new LockEvent.ClientRegistered(
            client, remoteAddress == null ? "" : remoteAddress, renewal));
    if (!renewal) {
      leaseStarted(client);
    }
  }

  /**
   * A client that was not registered has a lease from now on: the waiters its locks block are
   * re-checked when it runs out, so their files' lease timers are set again (SPEC 9). A renewal
   * only moves a lease later, which the timers find out when they fire.
   */
  private void leaseStarted(LockClient client) {
    ClientState s = clients.get(client);
    if (s != null) {
      for (FileHandle f : Set.copyOf(s.files)) {
        tables.recheck(f);
      }
    }
  }

  /** The lease time changed: every file's lease timer is set again for the new moments. */
  void leaseTimeChanged() {
    for (FileHandle f : tables.files()) {
      tables.recheck(f);
    }
  }

  void unregister(LockClient client) {
    requireNonNull(client, "client");
    long gen = clients.unregister(client, this::ttlExpired);
    if (gen != -2) {
      events.publish(new LockEvent.ConnectionEnded(client));
    }
    if (gen >= 0) {
      release(client, LockEvent.ReleaseReason.DISCONNECT);
    }
  }

  void rebooted(LockClient client) {
    requireNonNull(client, "client");
    release(client, LockEvent.ReleaseReason.DISCONNECT);
  }

  void keepAlive(LockClient client) {
    requireNonNull(client, "client");
    clients.touch(client);
  }

  /**
   * The clients. Each one's lock count is its counter while the per-client limit is on; while it is
   * off (no counter is kept then, see {@link LockLimits}) it is counted in the tables of the
   * client's files.
   */
  List<ClientInfo> list() {
    List<ClientInfo> out = clients.list();
    if (limits.countsClients()) {
      return out;
    }
    List<ClientInfo> counted = new ArrayList<>(out.size());
    for (ClientInfo i : out) {
      counted.add(
          new ClientInfo(
              i.client(),
              i.remoteAddress(),
              i.ttl(),
              i.lastSeen(),
              i.connected(),
              i.courtesy(),
              lockCount(i.client())));
    }
    return counted;
  }

  private long lockCount(LockClient client) {
    ClientState s = clients.get(client);
    long n = 0;
    if (s != null) {
      for (FileHandle f : Set.copyOf(s.files)) {
        n += tables.run(f, false, (t, d) -> t.lockCountOf(client));
      }
    }
    return n;
  }

  private void ttlExpired(LockClient client, long generation) {
    if (clients.releaseDue(client, generation)) {
      release(client, LockEvent.ReleaseReason.TIMEOUT);
    }
  }

  /** Releases every lock, open and waiter of a client, file by file. */
  private void release(LockClient client, LockEvent.ReleaseReason reason) {
    ClientState s = clients.get(client);
    int released = 0;
    if (s != null) {
      for (FileHandle f : Set.copyOf(s.files)) {
        // before the table: state the client adds meanwhile re-registers the file
        s.files.remove(f);
        released +=
            tables.run(
                f,
                false,
                (t, d) -> {
                  TableOps.forgetClients(t); // the file just left s.files
                  waiting.cancelAll(
                      t, w -> w.request().client().equals(client), "its client went away", d);
                  int n = ops.releaseWhere(t, l -> l.client().equals(client), reason, d);
                  for (ShareReservation o : t.opens.all()) {
                    if (o.client().equals(client)) {
                      ops.close(t, o, reason, d);
                      n++;
                    }
                  }
                  return n;
                });
      }
      clients.forgetIfIdle(client);
    }
    events.publish(new LockEvent.ClientUnregistered(client, released));
  }
}
