package org.dittofs.metadata.lock.internal;

import static org.dittofs.metadata.lock.internal.RequestChecks.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;

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
  private final LiveConfig config;
  private final LockScheduler timers;
  private final ClientRegistry clients;
  private final LockLimits limits;
  private final EventBus events;
  private final LockTables tables;
  private final TableOps ops;
  private final WaitQueue waiting;
  private final ClientHome home;

  ClientSessions(
      RequestChecks checks,
      LiveConfig config,
      LockScheduler timers,
      ClientRegistry clients,
      LockLimits limits,
      EventBus events,
      LockTables tables,
      TableOps ops,
      WaitQueue waiting,
      ClientHome home) {
    this.home = home;
    this.checks = checks;
    this.config = config;
    this.timers = timers;
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
    home.registered(client, ttl == null ? Duration.ZERO : ttl);
    // cluster mode: state the client made at another node (failover) is counted here from now on
    for (FileHandle f : tables.clientFiles(client, null)) {
      tables.read(f, (t, d) -> null);
    }
    events.publish(
        new LockEvent.ClientRegistered(
            client, remoteAddress == null ? "" : remoteAddress, renewal));
    if (!renewal) {
      leaseStarted(client);
    }
  }

  /**
   * A client that was not registered (here: in cluster mode it may come from another node) has a
   * lease from now on: the waiters its locks block are re-checked when it runs out, so the lease
   * timers of its files with waiters are set again (SPEC 9). A renewal only moves a lease later,
   * which the timers find out when they fire.
   */
  private void leaseStarted(LockClient client) {
    ClientState s = clients.get(client);
    for (FileHandle f : tables.clientFiles(client, s == null ? null : s.files)) {
      tables.recheck(f);
    }
  }

  /** The lease time changed: the lease timers of files with waiters are set for the new moments. */
  void leaseTimeChanged() {
    for (FileHandle f : tables.files()) {
      tables.recheck(f);
    }
  }

  void unregister(LockClient client) {
    requireNonNull(client, "client");
    ClientState known = clients.get(client);
    Duration ttl = known == null ? Duration.ZERO : known.ttl;
    long gen = clients.unregister(client, this::ttlExpired);
    if (gen != -2) {
      events.publish(new LockEvent.ConnectionEnded(client));
    }
    if (gen == -1) {
      home.unregistered(client, ttl);
    }
    if (gen >= 0) {
      release(client, LockEvent.ReleaseReason.DISCONNECT);
    }
  }

  /**
   * Cluster mode: releases the state of a client whose node died and whose lease (or pending ttl)
   * ran out, as its own node would have ({@link ClientHome}).
   */
  void expired(LockClient client) {
    release(client, LockEvent.ReleaseReason.TIMEOUT);
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

  /** How many clients {@link #list} lists (only courtesy ones: {@code courtesyOnly}), uncounted. */
  long count(boolean courtesyOnly) {
    return clients.list().stream().filter(i -> !courtesyOnly || i.courtesy()).count();
  }

  private long lockCount(LockClient client) {
    ClientState s = clients.get(client);
    long n = 0;
    for (FileHandle f : tables.clientFiles(client, s == null ? null : s.files)) {
      n += tables.read(f, (t, d) -> t.lockCountOf(client));
    }
    return n;
  }

  private void ttlExpired(LockClient client, long generation) {
    ttlRelease(client, generation, new int[1]);
  }

  /**
   * A ttl release, resumed every store retry interval while a file of the client cannot be worked
   * on now (a store swap holds traffic longer than the lock timeout; in cluster mode, the database
   * is away) until it has released everything, unless the client registered again meanwhile. {@code
   * released} carries the count of the attempts before, for the one {@link
   * LockEvent.ClientUnregistered}.
   */
  private void ttlRelease(LockClient client, long generation, int[] released) {
    // in cluster mode the client may have registered at another node meanwhile: it is its now
    if (!clients.releaseDue(client, generation) || !home.mayRelease(client)) {
      return;
    }
    try {
      release(client, LockEvent.ReleaseReason.TIMEOUT, released);
    } catch (StoreError e) {
      if (e.code() != ErrorCode.STORE_UNAVAILABLE) {
        throw e;
      }
      Duration retry = config.get().storeRetryInterval();
      EventBus.LOG.warn("the ttl release of " + client + " is retried in " + retry + ": " + e);
      timers.schedule(() -> ttlRelease(client, generation, released), retry);
    }
  }

  private void release(LockClient client, LockEvent.ReleaseReason reason) {
    release(client, reason, new int[1]);
  }

  /**
   * Releases every lock, open and waiter of a client, file by file, adding the records released to
   * {@code released}. A file whose operation fails stays among the client's files, so that a later
   * release (a retry, a reboot) finds it.
   */
  private void release(LockClient client, LockEvent.ReleaseReason reason, int[] released) {
    ClientState s = clients.get(client);
    Set<FileHandle> files = tables.clientFiles(client, s == null ? null : s.files);
    if (s != null || !files.isEmpty()) {
      for (FileHandle f : files) {
        // before the table: state the client adds meanwhile re-registers the file
        if (s != null) {
          s.files.remove(f);
        }
        try {
          released[0] += tables.run(f, false, (t, d) -> release(t, client, reason, d));
        } catch (RuntimeException e) {
          if (s != null) {
            s.files.add(f);
          }
          throw e;
        }
      }
      clients.forgetIfIdle(client);
    }
    home.released(client);
    events.publish(new LockEvent.ClientUnregistered(client, released[0]));
  }

  /** On one file's table: ends the client's waits, releases its locks and opens; how many. */
  private int release(
      FileLockTable t, LockClient client, LockEvent.ReleaseReason reason, Deferred d) {
    TableOps.forgetClients(t); // the file just left the client's files
    waiting.cancelAll(t, w -> w.request().client().equals(client), "its client went away", d);
    int n = ops.releaseWhere(t, l -> l.client().equals(client), reason, d);
    for (ShareReservation o : t.opens.all()) {
      if (o.client().equals(client)) {
        ops.close(t, o, reason, d);
        n++;
      }
    }
    return n;
  }
}
