package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockConfig;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockEvent;

/**
 * The record limits of SPEC 8 (per file, per client, total), enforced atomically so concurrent
 * grants never overshoot: the per-file count is checked under the file's monitor, the per-client
 * and total counts are reserved with compare-and-set before anything is applied, and given back if
 * the grant fails later. Releases are never refused and are counted without checks (a release that
 * splits a lock can therefore go one over a limit, as it must not fail).
 *
 * <p>Concurrency: {@code total} and each {@link ClientState#locks} are atomic; this class holds no
 * other state. The configuration is read through a supplier, so a change applies to the next
 * request.
 */
final class LockLimits {
  private final AtomicLong total = new AtomicLong();
  private final Supplier<LockConfig> config;

  LockLimits(Supplier<LockConfig> config) {
    this.config = config;
  }

  long total() {
    return total.get();
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
      if (delta > 0 && c.maxLocksTotal() > 0) {
        if (!add(total, delta, c.maxLocksTotal())) {
          throw refuse("total", total.get(), c.maxLocksTotal(), d);
        }
      } else {
        total.addAndGet(delta);
      }
    } catch (RuntimeException e) {
      for (Map.Entry<ClientState, Integer> x : done) {
        x.getKey().locks.addAndGet(-x.getValue());
      }
      throw e;
    }
  }

  /** Gives back what {@link #reserve} counted for a change that was not applied after all. */
  void unreserve(LockChange ch, ClientRegistry clients) {
    count(ch, clients, -1);
  }

  /** Counts a change that is never refused (releases, restores). */
  void count(LockChange ch, ClientRegistry clients) {
    count(ch, clients, 1);
  }

  private void count(LockChange ch, ClientRegistry clients, int sign) {
    for (Map.Entry<LockClient, Integer> e : perClient(ch).entrySet()) {
      clients.state(e.getKey()).locks.addAndGet(sign * e.getValue());
    }
    total.addAndGet(sign * ch.delta());
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
