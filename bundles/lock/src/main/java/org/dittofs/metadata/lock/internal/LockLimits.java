package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;

/**
 * The record limits of SPEC 8 (per file, per client, total), enforced atomically so concurrent
 * grants never overshoot: the per-file count is checked under the file's monitor, the per-client
 * and total counts are reserved with compare-and-set before anything is applied, and given back if
 * the grant fails later. Releases are never refused and are counted without checks (a release that
 * splits a lock can therefore go one over a limit, as it must not fail).
 *
 * <p>Concurrency: {@code total} and each {@link ClientState#locks} are atomic; this class holds no
 * other state. The configuration is read from the manager's {@link LiveConfig}, so a change applies
 * to the next request. A count is kept only while its limit is on: the total in {@code total} (with
 * compare-and-set: an exact limit needs one shared counter), each client's in its {@link
 * ClientState#locks}. While a limit is off, changes write no shared counter for it at all; the
 * total is then the sum of the tables' counts ({@link #total}) and a client's count a recount of
 * its files ({@link ClientSessions#list}). Turning a limit on counts the records with lock traffic
 * held ({@link #startCountingTotal}, {@link #startCountingClients}).
 */
final class LockLimits {
  private final AtomicLong total = new AtomicLong(); // exact while the total limit is on
  private final LiveConfig config;

  LockLimits(LiveConfig config) {
    this.config = config;
  }

  /**
   * Applies {@code next} to the configuration. Turning the total or the per-client limit on holds
   * lock traffic while the records are counted ({@link #startCountingTotal}, {@link
   * #startCountingClients}): a count is not kept while its limit is off. Writers of the
   * configuration serialise on its monitor.
   *
   * @return the configuration {@code next} replaced
   */
  LockConfig reconfigure(LockConfig next, LockTables tables, ClientRegistry clients) {
    synchronized (config) {
      LockConfig old = config.get();
      boolean total = old.maxLocksTotal() <= 0 && next.maxLocksTotal() > 0;
      boolean perClient = old.maxLocksPerClient() <= 0 && next.maxLocksPerClient() > 0;
      if (!total && !perClient) {
        config.set(next);
      } else {
        tables.withTrafficHeld(
            () -> {
              if (total) {
                startCountingTotal(tables.lockCount());
              }
              if (perClient) {
                startCountingClients(tables.allLocks(), clients);
              }
              config.set(next);
            });
      }
      return old;
    }
  }

  /**
   * The number of records: the counter while the total limit is on, else {@code recount} (the sum
   * of the tables' counts).
   */
  long total(LongSupplier recount) {
    return config.get().maxLocksTotal() > 0 ? total.get() : recount.getAsLong();
  }

  /**
   * Starts counting the total from {@code records}, for the total limit being turned on; called
   * with lock traffic held (no change is counted meanwhile).
   */
  void startCountingTotal(long records) {
    total.set(records);
  }

  /** Whether each client's records are counted now (only while the per-client limit is on). */
  boolean countsClients() {
    return config.get().maxLocksPerClient() > 0;
  }

  /**
   * Starts counting each client's records from {@code locks} (every record held), for the
   * per-client limit being turned on; called with lock traffic held.
   */
  void startCountingClients(Iterable<Lock> locks, ClientRegistry clients) {
    clients.resetLockCounts();
    for (Lock l : locks) {
      clients.state(l.client()).locks.incrementAndGet();
    }
  }

  /**
   * Counts a grant's change, refusing it if a limit would be exceeded.
   *
   * @throws org.dittofs.metadata.errors.StoreError LOCK_LIMIT_EXCEEDED naming the limit (nothing
   *     counted)
   */
  void reserve(FileLockTable t, OwnerLocks own, LockChange ch, ClientRegistry clients, Deferred d) {
    LockConfig c = config.get();
    int delta = ch.delta();
    if (delta > 0 && c.maxLocksPerFile() > 0 && t.lockCount() + delta > c.maxLocksPerFile()) {
      throw refuse("per-file", t.lockCount(), c.maxLocksPerFile(), d);
    }
    if (c.maxLocksPerClient() <= 0) {
      reserveTotal(c, delta, d); // clients are counted only while their limit is on
      return;
    }
    LockClient one = singleClient(ch);
    if (one != null) {
      // the common case, every record of the change has one client: no map, no boxing
      ClientState s = null;
      if (delta != 0) {
        s = clients.state(one, own);
        if (delta > 0) {
          if (!add(s.locks, delta, c.maxLocksPerClient())) {
            throw refuse("per-client", s.locks.get(), c.maxLocksPerClient(), d);
          }
        } else {
          s.locks.addAndGet(delta);
        }
      }
      try {
        reserveTotal(c, delta, d);
      } catch (RuntimeException e) {
        if (s != null) {
          s.locks.addAndGet(-delta);
        }
        throw e;
      }
      return;
    }
    Map<LockClient, Integer> perClient = perClient(ch);
    List<Map.Entry<ClientState, Integer>> done = new ArrayList<>(perClient.size());
    try {
      for (Map.Entry<LockClient, Integer> e : perClient.entrySet()) {
        ClientState s = clients.state(e.getKey());
        int n = e.getValue();
        if (n > 0) {
          if (!add(s.locks, n, c.maxLocksPerClient())) {
            throw refuse("per-client", s.locks.get(), c.maxLocksPerClient(), d);
          }
        } else {
          s.locks.addAndGet(n);
        }
        done.add(Map.entry(s, n));
      }
      reserveTotal(c, delta, d);
    } catch (RuntimeException e) {
      for (Map.Entry<ClientState, Integer> x : done) {
        x.getKey().locks.addAndGet(-x.getValue());
      }
      throw e;
    }
  }

  private void reserveTotal(LockConfig c, int delta, Deferred d) {
    if (delta > 0 && c.maxLocksTotal() > 0) {
      if (!addTotal(delta, c.maxLocksTotal())) {
        throw refuse("total", total.get(), c.maxLocksTotal(), d);
      }
    } else {
      countTotal(c, delta);
    }
  }

  private void countTotal(LockConfig c, long delta) {
    if (delta != 0 && c.maxLocksTotal() > 0) {
      total.addAndGet(delta);
    }
  }

  /** Adds {@code n} to the total unless it would exceed {@code max}. */
  private boolean addTotal(int n, long max) {
    while (true) {
      long cur = total.get();
      if (cur + n > max) {
        return false;
      }
      if (total.compareAndSet(cur, cur + n)) {
        return true;
      }
    }
  }

  /** Gives back what {@link #reserve} counted for a change that was not applied after all. */
  void unreserve(LockChange ch, ClientRegistry clients) {
    count(null, ch, clients, -1);
  }

  /** Counts a change that is never refused (releases, restores). */
  void count(LockChange ch, ClientRegistry clients) {
    count(null, ch, clients);
  }

  /**
   * As {@link #count(LockChange, ClientRegistry)}, for a change of the owner whose index on the
   * file is {@code own} (a lookup hint, see {@link ClientRegistry#state(LockClient, OwnerLocks)};
   * may be null).
   */
  void count(OwnerLocks own, LockChange ch, ClientRegistry clients) {
    count(own, ch, clients, 1);
  }

  private void count(OwnerLocks own, LockChange ch, ClientRegistry clients, int sign) {
    LockConfig c = config.get();
    int delta = ch.delta();
    if (c.maxLocksPerClient() > 0) {
      LockClient one = singleClient(ch);
      if (one != null) {
        if (delta != 0) {
          clients.state(one, own).locks.addAndGet(sign * delta);
        }
      } else {
        for (Map.Entry<LockClient, Integer> e : perClient(ch).entrySet()) {
          clients.state(e.getKey()).locks.addAndGet(sign * e.getValue());
        }
      }
    }
    countTotal(c, sign * delta);
  }

  /** The client of every record of the change if there is only one, else null (none or several). */
  private static LockClient singleClient(LockChange ch) {
    LockClient one = sameClient(ch.removed(), null);
    return one == null && !ch.removed().isEmpty() ? null : sameClient(ch.added(), one);
  }

  /**
   * The client shared by {@code one} (if not null) and every record of {@code part}; null if they
   * differ or there is none.
   */
  private static LockClient sameClient(List<Lock> part, LockClient one) {
    for (int i = 0; i < part.size(); i++) {
      LockClient c = part.get(i).client();
      if (one == null) {
        one = c;
      } else if (!one.equals(c)) {
        return null;
      }
    }
    return one;
  }

  private static boolean add(AtomicLong counter, int n, long max) {
    while (true) {
      long cur = counter.get();
      if (cur + n > max) {
        return false;
      }
      if (counter.compareAndSet(cur, cur + n)) {
        return true;
      }
    }
  }

  private static Map<LockClient, Integer> perClient(LockChange ch) {
    Map<LockClient, Integer> m = new LinkedHashMap<>(2);
    for (Lock l : ch.removed()) {
      m.merge(l.client(), -1, Integer::sum);
    }
    for (Lock l : ch.added()) {
      m.merge(l.client(), 1, Integer::sum);
    }
    m.values().removeIf(v -> v == 0);
    return m;
  }

  private static RuntimeException refuse(String limit, long current, long max, Deferred d) {
    d.event(new LockEvent.LimitHit(limit, current, max));
    return LockErrors.lockLimitExceeded(limit, current, max);
  }
}
