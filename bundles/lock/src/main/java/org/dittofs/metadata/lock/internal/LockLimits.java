package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;

/**
 * The record limits of SPEC 8 (per file, per client, total), enforced atomically so concurrent
 * grants never overshoot: the per-file count is checked under the file's monitor (a lane's fast
 * path within the budget a slow path gave it, {@link FileLockTable#fitsFileLimit}), the per-client
 * and total counts are reserved with compare-and-set before anything is applied (the total from a
 * per-thread allowance, {@link TotalQuota}), and given back if the grant fails later. Releases are
 * never refused and are counted without checks (a release that splits a lock can therefore go one
 * over a limit, as it must not fail).
 *
 * <p>Concurrency: {@code total} ({@link TotalQuota}) and each {@link ClientState#locks} are atomic;
 * this class holds no other state. The configuration is read from the manager's {@link LiveConfig},
 * so a change applies to the next request. A count is kept only while its limit is on: the total in
 * {@code total} (exact, without a counter every grant writes: {@link TotalQuota}), each client's in
 * its {@link ClientState#locks}. While a limit is off, changes write no shared counter for it at
 * all; the total is then the sum of the tables' counts ({@link #total}) and a client's count a
 * recount of its files ({@link ClientSessions#list}). Turning a limit on counts the records with
 * lock traffic held ({@link #startCountingTotal}, {@link #startCountingClients}).
 *
 * <p>Cluster mode (docs/cluster.md, SPEC 8): the total is counted against this node's lease of the
 * cluster's quota ({@link ClusterQuota}) instead of {@code total}, by this node's own changes only
 * (a reload of a file, {@link #countLoaded}, changes no lease). A client is counted by every node
 * in the tables it caches, and its limit is checked at its own node, where its requests arrive: a
 * grant there whose count would pass the limit may be counting records released elsewhere, so the
 * request is run again after the client's files were reloaded ({@link Check#RECOUNT_FIRST}, {@link
 * ClientRecount}); a waiter reserves what its grant can add when it is queued ({@link
 * #reserveForWaiter}), and a grant of it at another node is not checked there ({@link Check#NONE}).
 */
final class LockLimits {
  /** How a grant's per-client count is checked. */
  enum Check {
    /** Refused with LOCK_LIMIT_EXCEEDED if the count would pass the limit. */
    CHECK,
    /** Cluster mode, a request's first attempt: {@link ClientRecount} instead of a refusal. */
    RECOUNT_FIRST,
    /** Counted, not checked: another node's waiter, whose node reserved for it. */
    NONE
  }

  private final TotalQuota total = new TotalQuota(); // exact while the total limit is on
  private final LiveConfig config;
  private final ClusterQuota quota; // cluster mode: the node's lease of the total; null on one node

  LockLimits(LiveConfig config) {
    this(config, null);
  }

  /** Limits of a node of a cluster ({@code quota} not null) or of one node. */
  LockLimits(LiveConfig config, ClusterQuota quota) {
    this.config = config;
    this.quota = quota;
  }

  /**
   * Applies {@code next} to the configuration. Turning the total or the per-client limit on holds
   * lock traffic while the records are counted ({@link #startCountingTotal}, {@link
   * #startCountingClients}): a count is not kept while its limit is off; so does lowering the total
   * limit on one node (the threads' allowances are dropped). Writers of the configuration serialise
   * on its monitor.
   *
   * @return the configuration {@code next} replaced
   */
  LockConfig reconfigure(LockConfig next, LockTables tables, ClientRegistry clients) {
    synchronized (config) {
      LockConfig old = config.get();
      if (quota != null && old.maxLocksTotal() > next.maxLocksTotal()) {
        quota.giveBack(); // leased under the old limit
      }
      // counted from scratch when turned on, and on one node when lowered: the allowances taken
      // under the old limit (TotalQuota) must not grant past the new one
      boolean total =
          next.maxLocksTotal() > 0
              && (old.maxLocksTotal() <= 0
                  || (quota == null && next.maxLocksTotal() < old.maxLocksTotal()));
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
    return config.get().maxLocksTotal() > 0 ? total.records() : recount.getAsLong();
  }

  /**
   * Starts counting the total from {@code records}, for the total limit being turned on; called
   * with lock traffic held (no change is counted meanwhile).
   */
  void startCountingTotal(long records) {
    total.start(records);
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
   * Counts a grant's change on table {@code t} by the owner whose index there is {@code own} (a
   * lookup hint, may be null), refusing it if a limit would be exceeded; each client's count is
   * checked as {@code check} says.
   *
   * @throws org.dittofs.metadata.errors.StoreError LOCK_LIMIT_EXCEEDED naming the limit (nothing
   *     counted)
   * @throws ClientRecount for {@link Check#RECOUNT_FIRST} instead of a per-client refusal (nothing
   *     counted)
   */
  void reserve(
      FileLockTable t,
      OwnerLocks own,
      LockChange ch,
      ClientRegistry clients,
      Deferred d,
      Check check) {
    LockConfig c = config.get();
    int delta = ch.delta();
    if (delta > 0 && c.maxLocksPerFile() > 0 && !t.fitsFileLimit(delta, c)) {
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
        if (delta > 0 && check != Check.NONE) {
          if (!TotalQuota.addWithin(s.locks, delta, c.maxLocksPerClient())) {
            throw refuseClient(one, s, c, check, d);
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
        if (n > 0 && check != Check.NONE) {
          if (!TotalQuota.addWithin(s.locks, n, c.maxLocksPerClient())) {
            throw refuseClient(e.getKey(), s, c, check, d);
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
      if (quota != null) {
        if (!quota.take(delta, c.maxLocksTotal())) {
          throw refuse("total", quota.clusterCount(), c.maxLocksTotal(), d);
        }
      } else if (!total.take(delta, c.maxLocksTotal())) {
        throw refuse("total", total.records(), c.maxLocksTotal(), d);
      }
    } else {
      countTotal(c, delta);
    }
  }

  private void countTotal(LockConfig c, int delta) {
    if (delta != 0 && c.maxLocksTotal() > 0) {
      if (quota != null) {
        quota.count(delta);
      } else if (delta > 0) {
        total.add(delta);
      } else {
        total.give(-delta, c.maxLocksTotal());
      }
    }
  }

  /**
   * A per-client refusal, or in cluster mode on a request's first attempt the signal to recount
   * ({@link ClientRecount}).
   */
  private RuntimeException refuseClient(
      LockClient client, ClientState s, LockConfig c, Check check, Deferred d) {
    if (check == Check.RECOUNT_FIRST) {
      return new ClientRecount(client);
    }
    return refuse("per-client", s.locks.get(), c.maxLocksPerClient(), d);
  }

  /**
   * Cluster mode: reserves for a blocking request queued at this node the most its grant can add to
   * its client's count (2 records for POSIX: a grant that cuts the owner's record of the other type
   * in two; 1 for WINDOWS), so that another node may grant it without checking. Returns what was
   * reserved (0 while the per-client limit is off), to be given back ({@link #giveBack}) when the
   * wait ends however it ends.
   *
   * @throws ClientRecount for {@link Check#RECOUNT_FIRST}, else LOCK_LIMIT_EXCEEDED "per-client"
   *     (nothing reserved)
   */
  int reserveForWaiter(LockRequest req, ClientRegistry clients, Check check, Deferred d) {
    LockConfig c = config.get();
    if (quota == null || c.maxLocksPerClient() <= 0) {
      return 0;
    }
    int n = req.flavour() == LockFlavour.POSIX ? 2 : 1;
    ClientState s = clients.state(req.client());
    if (!TotalQuota.addWithin(s.locks, n, c.maxLocksPerClient())) {
      throw refuseClient(req.client(), s, c, check, d);
    }
    return n;
  }

  /** Gives back a waiter's reservation ({@link #reserveForWaiter}); nothing for 0. */
  void giveBack(LockClient client, int reserved, ClientRegistry clients) {
    if (reserved > 0) {
      clients.state(client).locks.addAndGet(-reserved);
    }
  }

  /**
   * Cluster mode: counts a change a reload of a file brought in (made by other nodes or before a
   * failover): each client's count moves, no lease of the total does (the node that made the change
   * counted it against its own).
   */
  void countLoaded(OwnerLocks own, LockChange ch, ClientRegistry clients) {
    count(own, ch, clients, 1, false);
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
    count(own, ch, clients, sign, true);
  }

  private void count(
      OwnerLocks own, LockChange ch, ClientRegistry clients, int sign, boolean withTotal) {
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
    if (withTotal) {
      countTotal(c, sign * delta);
    }
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
