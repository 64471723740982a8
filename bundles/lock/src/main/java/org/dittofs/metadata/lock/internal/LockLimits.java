package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
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
 * <p>Concurrency: {@code total}, {@code unlimited} and each {@link ClientState#locks} are atomic;
 * this class holds no other state. The configuration is read through a supplier, so a change
 * applies to the next request. The total is {@code total + unlimited}: while the total limit is on,
 * changes are counted in {@code total} with compare-and-set (an exact limit needs one shared
 * counter); while it is off, in the striped {@code unlimited}, so that threads working on different
 * files write no shared counter (the sum stays exact either way; {@code unlimited} does not change
 * while the limit stays on).
 */
final class LockLimits {
  private final AtomicLong total = new AtomicLong();
  private final LongAdder unlimited = new LongAdder();
  private final Supplier<LockConfig> config;

  LockLimits(Supplier<LockConfig> config) {
    this.config = config;
  }

  long total() {
    return total.get() + unlimited.sum();
  }

  /**
   * Counts a grant's change, refusing it if a limit would be exceeded.
   *
   * @throws org.dittofs.metadata.errors.StoreError LOCK_LIMIT_EXCEEDED naming the limit (nothing
   *     counted)
   */
  void reserve(FileLockTable t, LockChange ch, ClientRegistry clients, Deferred d) {
    LockConfig c = config.get();
    int delta = ch.delta();
    if (delta > 0 && c.maxLocksPerFile() > 0 && t.lockCount() + delta > c.maxLocksPerFile()) {
      throw refuse("per-file", t.lockCount(), c.maxLocksPerFile(), d);
    }
    LockClient one = singleClient(ch);
    if (one != null) {
      // the common case, every record of the change has one client: no map, no boxing
      ClientState s = null;
      if (delta != 0) {
        s = clients.state(one, t);
        if (delta > 0 && c.maxLocksPerClient() > 0) {
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
        if (n > 0 && c.maxLocksPerClient() > 0) {
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
        throw refuse("total", total(), c.maxLocksTotal(), d);
      }
    } else {
      countTotal(c, delta);
    }
  }

  private void countTotal(LockConfig c, long delta) {
    if (delta == 0) {
      return;
    }
    if (c.maxLocksTotal() > 0) {
      total.addAndGet(delta);
    } else {
      unlimited.add(delta);
    }
  }

  /** Adds {@code n} to the total unless it would exceed {@code max}. */
  private boolean addTotal(int n, long max) {
    while (true) {
      long cur = total.get();
      if (cur + unlimited.sum() + n > max) {
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
   * As {@link #count(LockChange, ClientRegistry)}, on table {@code t} (a lookup hint; may be null).
   */
  void count(FileLockTable t, LockChange ch, ClientRegistry clients) {
    count(t, ch, clients, 1);
  }

  private void count(FileLockTable t, LockChange ch, ClientRegistry clients, int sign) {
    int delta = ch.delta();
    LockClient one = singleClient(ch);
    if (one != null) {
      if (delta != 0) {
        clients.state(one, t).locks.addAndGet(sign * delta);
      }
    } else {
      for (Map.Entry<LockClient, Integer> e : perClient(ch).entrySet()) {
        clients.state(e.getKey()).locks.addAndGet(sign * e.getValue());
      }
    }
    countTotal(config.get(), sign * delta);
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
