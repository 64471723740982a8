package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockScheduler;

/**
 * Clients and connections (SPEC 9): registration with a per-adapter cap, ttl release that a new
 * registration cancels and that never fires twice, and the lease (courtesy) state.
 *
 * <p>Concurrency: {@code clients} is a concurrent map, so the request path ({@link #touch}) is
 * lock-free. Registration changes (register, unregister, ttl expiry) and {@code perAdapter} are
 * guarded by this object's monitor, a leaf lock: the manager never holds a file table's monitor
 * while calling the methods that take it, except {@link #touch}, which takes none.
 */
final class ClientRegistry {
  /**
   * No moment: no lease runs out ({@link #firstCourtesy}). No reading of {@link
   * LockScheduler#nanoTime} is this value in practice (the system's counts from boot, the test
   * scheduler's from zero).
   */
  static final long NEVER = Long.MIN_VALUE;

  private final ConcurrentHashMap<LockClient, ClientState> clients = new ConcurrentHashMap<>();
  private final Map<String, Integer> perAdapter = new HashMap<>(); // guarded by this
  private final LockScheduler scheduler;
  private final IntSupplier maxPerAdapter;
  private final LongSupplier leaseNanos;
  private final BooleanSupplier countsLocks; // whether ClientState.locks is kept (LockLimits)

  ClientRegistry(
      LockScheduler scheduler,
      IntSupplier maxPerAdapter,
      LongSupplier leaseNanos,
      BooleanSupplier countsLocks) {
    this.scheduler = scheduler;
    this.maxPerAdapter = maxPerAdapter;
    this.leaseNanos = leaseNanos;
    this.countsLocks = countsLocks;
  }

  /** The client's state, created (unregistered, not counted) on first sight; refreshes it. */
  ClientState touch(LockClient client) {
    return touch(client, scheduler.nanoTime());
  }

  /**
   * As {@link #touch(LockClient)}, with the request's reading of {@link LockScheduler#nanoTime}.
   */
  ClientState touch(LockClient client, long now) {
    ClientState s = clients.get(client);
    if (s == null) {
      s = clients.computeIfAbsent(client, c -> new ClientState(c, now));
    }
    s.seen(now);
    return s;
  }

  /**
   * The client's state, created (unregistered, not counted) on first sight, without refreshing it:
   * for bookkeeping that is not a request of the client (counting locks released by a revocation or
   * a grace expiry must not renew a courtesy client's lease).
   */
  ClientState state(LockClient client) {
    ClientState s = clients.get(client);
    if (s == null) {
      long now = scheduler.nanoTime();
      s = clients.computeIfAbsent(client, c -> new ClientState(c, now));
    }
    return s;
  }

  /**
   * As {@link #state(LockClient)}, through the client state an owner's index on a file remembers
   * ({@link OwnerLocks#client}) when it is this client's and still current: no map lookup for the
   * usual run of requests of one owner on one file. {@code own} may be null; under its table's
   * monitor.
   */
  ClientState state(LockClient client, OwnerLocks own) {
    ClientState s = own == null ? null : own.client;
    if (s != null && !s.forgotten && (s.client == client || s.client.equals(client))) {
      return s;
    }
    return state(client);
  }

  /**
   * As {@link #touch(LockClient, long)}, through the client state the owner's index remembers when
   * it is this client's (see {@link #state(LockClient, OwnerLocks)}); {@code own} may be null.
   */
  ClientState touch(LockClient client, OwnerLocks own, long now) {
    ClientState s = own == null ? null : own.client;
    if (s == null || s.forgotten || (s.client != client && !s.client.equals(client))) {
      s = clients.get(client);
      if (s == null) {
        s = clients.computeIfAbsent(client, c -> new ClientState(c, now));
      }
    }
    s.seen(now);
    return s;
  }

  /** The client's state without refreshing it, or null. */
  ClientState get(LockClient client) {
    return clients.get(client);
  }

  /**
   * Whether the client is registered and silent for longer than the lease time. Clients that never
   * registered (protocols without leases, such as NLM) are never courtesy clients.
   */
  boolean isCourtesy(LockClient client) {
    ClientState s = clients.get(client);
    return s != null
        && s.registered
        && scheduler.nanoTime() - s.lastSeenNanos > leaseNanos.getAsLong();
  }

  /**
   * The first moment ({@link LockScheduler#nanoTime}) at which one of {@code holders}, other than
   * {@code except}, becomes a courtesy client if nothing is heard of it: its last request plus the
   * lease plus one nanosecond ({@link #isCourtesy} counts "longer than the lease"). Only registered
   * clients that are not courtesy clients yet count; {@link #NEVER} if none does. The moment moves
   * later when such a client renews; a client that registers later was not counted.
   */
  long firstCourtesy(Collection<LockClient> holders, LockClient except) {
    long now = scheduler.nanoTime();
    long lease = leaseNanos.getAsLong();
    long first = NEVER;
    for (LockClient c : holders) {
      ClientState s = c.equals(except) ? null : clients.get(c);
      if (s != null && s.registered) {
        long at = s.lastSeenNanos + lease + 1;
        if (at - now > 0) {
          first = earlier(first, at);
        }
      }
    }
    return first;
  }

  /** The earlier of two moments of {@link LockScheduler#nanoTime}, either {@link #NEVER}. */
  static long earlier(long a, long b) {
    return a == NEVER ? b : b == NEVER || a - b <= 0 ? a : b;
  }

  /**
   * Registers (or registers again) a client; a pending ttl release is cancelled.
   *
   * @return whether the client was registered already (a renewal)
   * @throws StoreError CONNECTION_LIMIT_REACHED if the adapter is at its cap
   */
  synchronized boolean register(LockClient client, String remoteAddress, Duration ttl) {
    ClientState known = clients.get(client);
    if (known == null || !known.counted) {
      // checked before the client's state is created: a refused client leaves no trace
      int max = maxPerAdapter.getAsInt();
      int current = perAdapter.getOrDefault(client.adapter(), 0);
      if (max > 0 && current >= max) {
        throw new StoreError(
            ErrorCode.CONNECTION_LIMIT_REACHED,
            "adapter '"
                + client.adapter()
                + "' has "
                + current
                + " of "
                + max
                + " connections; client "
                + client
                + " refused",
            null,
            null,
            new ErrorDetail.Limit("connections-per-adapter", current, max),
            null);
      }
    }
    ClientState s = touch(client);
    boolean renewal = s.registered;
    if (!s.counted) {
      perAdapter.merge(client.adapter(), 1, Integer::sum);
      s.counted = true;
    }
    if (s.releaseTimer != null) {
      s.releaseTimer.cancel();
      s.releaseTimer = null;
    }
    s.registered = true;
    s.remoteAddress = remoteAddress == null ? "" : remoteAddress;
    s.ttl = ttl == null ? Duration.ZERO : ttl;
    s.generation++;
    return renewal;
  }

  /**
   * Ends a registration. Returns the generation to release now (ttl 0) as a non-negative number,
   * {@code -1} if a ttl release was scheduled instead, or {@code -2} if the client was not
   * registered (nothing to do: unregistering twice never releases twice).
   */
  synchronized long unregister(LockClient client, ReleaseTask onTtl) {
    ClientState s = clients.get(client);
    if (s == null || !s.registered) {
      return -2;
    }
    s.registered = false;
    uncount(s);
    long gen = ++s.generation;
    if (s.ttl.isZero() || s.ttl.isNegative()) {
      return gen;
    }
    s.releaseTimer = scheduler.schedule(() -> onTtl.release(client, gen), s.ttl);
    return -1;
  }

  /** Whether a ttl release of {@code generation} is still wanted (no registration since). */
  synchronized boolean releaseDue(LockClient client, long generation) {
    ClientState s = clients.get(client);
    if (s == null || s.registered || s.generation != generation) {
      return false;
    }
    s.releaseTimer = null;
    return true;
  }

  /** Drops a client that is not registered and holds nothing. */
  synchronized void forgetIfIdle(LockClient client) {
    ClientState s = clients.get(client);
    if (s != null
        && !s.registered
        && s.releaseTimer == null
        && (!countsLocks.getAsBoolean() || s.locks.get() == 0)
        && s.files.isEmpty()) { // no file: no lock (a client's files hold every file it locks)
      clients.remove(client, s);
      s.forgotten = true;
    }
  }

  synchronized List<ClientInfo> list() {
    List<ClientInfo> out = new ArrayList<>();
    long now = scheduler.nanoTime();
    java.time.Instant wall = scheduler.now();
    for (ClientState s : clients.values()) {
      long silent = now - s.lastSeenNanos;
      out.add(
          new ClientInfo(
              s.client,
              s.remoteAddress,
              s.ttl,
              wall.minusNanos(silent),
              s.registered,
              s.registered && silent > leaseNanos.getAsLong(),
              s.locks.get()));
    }
    return out;
  }

  /** Sets every client's lock count to zero (before a recount). */
  void resetLockCounts() {
    clients.values().forEach(s -> s.locks.set(0));
  }

  private void uncount(ClientState s) {
    if (s.counted) {
      perAdapter.merge(s.client.adapter(), -1, Integer::sum);
      perAdapter.remove(s.client.adapter(), 0);
      s.counted = false;
    }
  }

  /** Called when a ttl runs out. */
  @FunctionalInterface
  interface ReleaseTask {
    void release(LockClient client, long generation);
  }
}
