package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.internal.LifecycleModel.Req;
import org.dittofs.metadata.lock.internal.ModelHarness.Mismatch;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.OpenRec;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * Compares the whole observable state of a running manager with a {@link LifecycleModel}: per file
 * the lock records (live ones as POSIX byte maps with maximal records and WINDOWS multisets,
 * restored ones as multisets, told apart by the table's restored marks), the opens with their
 * restored marks, and the FIFO of queued requests; then the state of every blocking request
 * (pending, granted with a fitting lock, failed with which code), the grace period, the clients
 * (registered, lock count, never courtesy), the epoch, the table invariants and, with no store
 * write pending, the store against memory. Throws a {@link Mismatch} on the first difference.
 */
final class LifecycleStateComparison {
  private final LockManager api;
  private final DefaultLockManager real;
  private final org.dittofs.metadata.lock.spi.LockStore store;
  private final Map<Integer, LockId> handles;
  private final Map<Integer, PendingLock> pendings;
  private final Set<Integer> unsettled;
  private final Map<LockId, Object> seen;
  private final StepJournal journal;
  private final BiFunction<String, String, Mismatch> mismatch;

  /**
   * @param handles open handles to real open ids
   * @param pendings request numbers to the real pending requests
   * @param unsettled request numbers whose completion has not been verified yet (a completion never
   *     changes again)
   * @param seen every lock id seen with the record it named
   */
  LifecycleStateComparison(
      LockManager api,
      DefaultLockManager real,
      org.dittofs.metadata.lock.spi.LockStore store,
      Map<Integer, LockId> handles,
      Map<Integer, PendingLock> pendings,
      Set<Integer> unsettled,
      Map<LockId, Object> seen,
      StepJournal journal,
      BiFunction<String, String, Mismatch> mismatch) {
    this.api = api;
    this.real = real;
    this.store = store;
    this.handles = handles;
    this.pendings = pendings;
    this.unsettled = unsettled;
    this.seen = seen;
    this.journal = journal;
    this.mismatch = mismatch;
  }

  /** The verified snapshot: real locks per file, and the requests that completed (settled now). */
  record Result(List<List<Lock>> locks, List<Integer> nowSettled) {}

  Result compare(LifecycleModel model) {
    if (api.epoch() != model.epoch()) {
      throw mismatch.apply("epoch", "manager epoch " + api.epoch() + ", model " + model.epoch());
    }
    List<List<Lock>> snapshot = new ArrayList<>();
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      FileLockTable t = real.tables().get(ModelHarness.FILES[f]);
      Set<LockId> restoredIds = new HashSet<>();
      List<LockId> waiters = new ArrayList<>();
      if (t != null) {
        synchronized (t) {
          restoredIds.addAll(t.restoredIds());
          t.waiters().forEach(w -> waiters.add(w.id()));
        }
      }
      List<Lock> locks = api.locks(ModelHarness.FILES[f]);
      snapshot.add(locks);
      checkLocks(model, f, locks, restoredIds);
      checkOpens(model, f, restoredIds);
      checkQueue(model, f, waiters);
    }
    List<Integer> nowSettled = checkRequests(model);
    checkGrace(model);
    checkClients(model);
    try {
      LockTableInvariants.check(real);
      if (model.storeSettled() && real.pendingStoreWrites() != 0) {
        throw mismatch.apply(
            "store",
            real.pendingStoreWrites()
                + " store writes still pending a retry interval after the store became healthy");
      }
      if (real.pendingStoreWrites() == 0 && !model.storeIsDown()) {
        LockTableInvariants.checkStoreMatches(real, store);
      }
    } catch (Mismatch m) {
      throw m;
    } catch (AssertionError | RuntimeException e) {
      throw mismatch.apply("invariant", String.valueOf(e.getMessage()));
    }
    return new Result(snapshot, nowSettled);
  }

  private void checkLocks(LifecycleModel model, int f, List<Lock> locks, Set<LockId> restoredIds) {
    List<List<Lock>> live = new ArrayList<>();
    List<List<String>> restored = new ArrayList<>();
    for (int o = 0; o < ReferenceLockModel.OWNERS; o++) {
      live.add(new ArrayList<>());
      restored.add(new ArrayList<>());
    }
    Lock prev = null;
    for (Lock l : locks) {
      if (prev != null && ModelStateComparison.ORDER.compare(prev, l) >= 0) {
        throw mismatch.apply("state", "locks(f" + f + ") not ordered by first byte, then id");
      }
      prev = l;
      Integer o = ModelHarness.ownerIndex(l.owner());
      Span s = Span.of(l.range());
      boolean isRestored = restoredIds.contains(l.id());
      boolean epochOk = isRestored ? l.epoch() <= model.epoch() : l.epoch() == model.epoch();
      if (o == null || !l.file().equals(ModelHarness.FILES[f]) || s == null || !epochOk) {
        throw mismatch.apply(
            "state",
            (isRestored ? "restored" : "live")
                + " record "
                + l
                + " on f"
                + f
                + " has a foreign owner/file, a wrong epoch or unmodelled bounds");
      }
      if (!l.client().equals(LifecycleOperations.client(LifecycleModel.clientOf(o)))) {
        throw mismatch.apply("state", "record " + l + " has client " + l.client());
      }
      Held h = new Held(o, l.flavour(), s, l.type());
      Object before = journal.putIfAbsent(seen, l.id(), h);
      if (before != null && !before.equals(h)) {
        throw mismatch.apply("ids", "id " + l.id() + " reused: was " + before + ", now " + l);
      }
      if (l.flavour() != model.flavourOf(o)) {
        throw mismatch.apply(
            "state", "record " + l + " but the model's flavour is " + model.flavourOf(o));
      }
      if (isRestored) {
        restored.get(o).add(describe(h));
      } else {
        live.get(o).add(l);
      }
    }
    for (int o = 0; o < ReferenceLockModel.OWNERS; o++) {
      ModelStateComparison.checkOwner(model.live, f, o, live.get(o), mismatch);
      List<String> expected = new ArrayList<>();
      for (Held h : model.restored(f)) {
        if (h.owner() == o) {
          expected.add(describe(h));
        }
      }
      List<String> got = restored.get(o);
      expected.sort(null);
      got.sort(null);
      if (!expected.equals(got)) {
        throw mismatch.apply(
            "restored",
            ModelOp.ownerName(o)
                + " on f"
                + f
                + ": records marked restored "
                + got
                + ", model "
                + expected
                + "; table: "
                + locks);
      }
    }
  }

  private static String describe(Held h) {
    return h.flavour() + " " + h.type() + " " + h.span();
  }

  private void checkOpens(LifecycleModel model, int f, Set<LockId> restoredIds) {
    List<ShareReservation> opens = api.opens(ModelHarness.FILES[f]);
    List<OpenRec> expected = model.live.opens(f);
    boolean ok = opens.size() == expected.size();
    for (int i = 0; ok && i < expected.size(); i++) {
      OpenRec e = expected.get(i);
      LockId id = handles.get(e.handle());
      boolean restored = model.isRestoredOpen(f, e.handle());
      ok =
          opens.stream()
              .anyMatch(
                  s ->
                      s.id().equals(id)
                          && s.owner().equals(ModelHarness.OWNERS[e.owner()])
                          && s.client()
                              .equals(
                                  LifecycleOperations.client(LifecycleModel.clientOf(e.owner())))
                          && s.accessMask() == e.access()
                          && s.denyMask() == e.deny()
                          && restoredIds.contains(id) == restored);
    }
    if (!ok) {
      throw mismatch.apply(
          "opens",
          "f" + f + ": table " + opens + " (restored " + restoredIds + "), model " + expected);
    }
  }

  private void checkQueue(LifecycleModel model, int f, List<LockId> waiters) {
    List<LockId> expected = new ArrayList<>();
    for (Req r : model.queue(f)) {
      PendingLock p = pendings.get(r.number);
      expected.add(p == null ? null : p.id());
    }
    if (!expected.equals(waiters)) {
      throw mismatch.apply(
          "queue", "f" + f + ": queued " + waiters + ", model " + model.queue(f) + " " + expected);
    }
  }

  /** Every blocking request not settled yet; returns the ones that settle now. */
  private List<Integer> checkRequests(LifecycleModel model) {
    List<Integer> nowSettled = new ArrayList<>();
    for (int n : unsettled) {
      Req r = model.request(n);
      PendingLock p = pendings.get(n);
      if (r == null) {
        throw mismatch.apply("pending", "the model knows no request ?" + n + ": " + p);
      }
      if (r.status == LifecycleModel.Status.ORPHANED) {
        nowSettled.add(n); // its manager crashed: nobody completes it
        continue;
      }
      String state = stateOf(p);
      String want =
          switch (r.status) {
            case PENDING -> "pending";
            case GRANTED -> "granted";
            default -> "failed " + r.code + (r.limit == null ? "" : " " + describe(r.limit));
          };
      if (!state.equals(want)) {
        throw mismatch.apply("pending", "request " + r + " is " + state + ", model: " + want);
      }
      if (r.status == LifecycleModel.Status.GRANTED) {
        Lock l = p.poll().orElseThrow();
        Span s = Span.of(l.range());
        boolean fits =
            l.owner().equals(ModelHarness.OWNERS[r.owner])
                && l.file().equals(ModelHarness.FILES[r.file])
                && l.type() == r.type
                && l.flavour() == r.flavour
                && s != null
                && (r.flavour == LockFlavour.POSIX ? s.encloses(r.span) : s.equals(r.span));
        if (!fits) {
          throw mismatch.apply("pending", "request " + r + " was granted the unfitting lock " + l);
        }
      }
      if (r.status != LifecycleModel.Status.PENDING) {
        nowSettled.add(r.number);
      }
    }
    return nowSettled;
  }

  private static String stateOf(PendingLock p) {
    if (!p.isDone()) {
      return "pending";
    }
    try {
      Optional<Lock> l = p.poll();
      return l.isPresent() ? "granted" : "done but empty";
    } catch (StoreError e) {
      return "failed "
          + e.code()
          + (e.detail().orElse(null) instanceof ErrorDetail.Limit l
              ? " " + describe(new LifecycleModel.Limit(l.limit(), l.current(), l.max()))
              : "");
    }
  }

  private static String describe(LifecycleModel.Limit l) {
    return l.name() + " " + l.current() + "/" + l.max();
  }

  private void checkGrace(LifecycleModel model) {
    GraceStatus g = api.graceStatus();
    boolean ok =
        g.active() == model.graceActive()
            && g.remaining().toNanos() == model.graceRemainingNanos()
            && g.restoredRecords() == model.graceRestored()
            && g.reclaimedRecords() == model.graceReclaimed()
            && clients(g.expectedClients()).equals(model.expectedClients())
            && clients(g.completedClients()).equals(model.completedClients());
    if (!ok) {
      throw mismatch.apply(
          "grace",
          g
              + ", model: active="
              + model.graceActive()
              + " remaining="
              + model.graceRemainingNanos()
              + "ns restored="
              + model.graceRestored()
              + " reclaimed="
              + model.graceReclaimed()
              + " expected="
              + model.expectedClients()
              + " completed="
              + model.completedClients()
              + " (restored records left: "
              + model.restoredCount()
              + ")");
    }
  }

  private Set<Integer> clients(Set<LockClient> set) {
    Set<Integer> out = new TreeSet<>();
    for (LockClient c : set) {
      int i = LifecycleOperations.clientIndex(c);
      if (i < 0) {
        throw mismatch.apply("grace", "unknown client " + c);
      }
      out.add(i);
    }
    return out;
  }

  private void checkClients(LifecycleModel model) {
    Map<LockClient, ClientInfo> info = new HashMap<>();
    for (ClientInfo i : api.clients()) {
      info.put(i.client(), i);
    }
    long[] expected = model.recordsPerClient();
    for (int c = 0; c < LifecycleModel.CLIENTS; c++) {
      ClientInfo i = info.get(LifecycleOperations.client(c));
      boolean connected = i != null && i.connected();
      boolean courtesy = i != null && i.courtesy();
      long locks = i == null ? 0 : i.locks();
      if (connected != model.registered(c)
          || locks != expected[c]
          || courtesy != model.courtesy(c)) {
        throw mismatch.apply(
            "clients",
            LifecycleOp.clientName(c)
                + ": "
                + i
                + ", model: registered="
                + model.registered(c)
                + " locks="
                + expected[c]
                + " courtesy="
                + model.courtesy(c));
      }
    }
  }
}
