package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.internal.LifecycleModel.BlockingOutcome;
import org.dittofs.metadata.lock.internal.LifecycleModel.Req;
import org.dittofs.metadata.lock.internal.LifecycleOp.ClientCall;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;

/**
 * The operation set of the manager's life ({@link LifecycleOp}, from {@link LifecycleOpGenerator}):
 * the lock table's operations judged by {@link LifecycleBasicOps}, plus blocking requests, cancels,
 * time, clients, store faults, restarts and reclaims, on a real manager (on a {@link
 * ManualScheduler} and a {@link FaultyLockStore}, restarted on the store's durable content) judged
 * by a {@link LifecycleModel} under a {@link LifecyclePolicy}; after every step {@link
 * LifecycleStateComparison} compares the whole state.
 *
 * <p>Where SPEC leaves the manager a choice (the order in which a departing client's files are
 * released; which write a transient store fault hits), the model asks the harness's chooser and the
 * step is judged under each vector of answers ({@link ModelHarness}).
 */
final class LifecycleOperations implements OperationSet.Subject<LifecycleOp> {
  /** Starts a manager; tests pass mutants through here. */
  interface Starter {
    Started start(LockStore store, LockScheduler scheduler);
  }

  /** The manager to call ({@code api}) and the implementation behind it (for internal checks). */
  record Started(LockManager api, DefaultLockManager real) {}

  /** The configuration of {@link LifecyclePolicy#PLAIN}: FIFO, no limits, no lease expiry. */
  static final LockConfig CONFIG = LifecyclePolicy.PLAIN.config();

  static Starter standard(LockConfig config) {
    return (store, scheduler) -> {
      LockManager m =
          LockManagers.builder().scheduler(scheduler).store(store).config(config).build();
      return new Started(m, (DefaultLockManager) m);
    };
  }

  /** The plain set: the standard manager under {@link LifecyclePolicy#PLAIN}, a healthy store. */
  static OperationSet<LifecycleOp> plain() {
    return of(standard(CONFIG));
  }

  /** The managers {@code starter} starts under {@link LifecyclePolicy#PLAIN}, a healthy store. */
  static OperationSet<LifecycleOp> of(Starter starter) {
    return of(starter, LifecyclePolicy.PLAIN, false);
  }

  /** The standard manager under {@code policy}, a healthy store. */
  static OperationSet<LifecycleOp> of(LifecyclePolicy policy) {
    return of(standard(policy.config()), policy, false);
  }

  /** The standard manager under {@code policy}, with store faults (down and up, failing writes). */
  static OperationSet<LifecycleOp> withFaults(LifecyclePolicy policy) {
    return of(standard(policy.config()), policy, true);
  }

  /**
   * Managers from {@code starter}, which must configure what {@code policy} says; with {@code
   * faults} the generator takes the store down and up and fails single writes.
   */
  static OperationSet<LifecycleOp> of(Starter starter, LifecyclePolicy policy, boolean faults) {
    return new OperationSet<>(
        "lock manager disagrees with the lifecycle model",
        "a fresh manager and store",
        h -> new LifecycleOperations(h, starter, policy, faults));
  }

  private static final LockClient[] CLIENT = new LockClient[LifecycleModel.CLIENTS];

  static {
    for (int c = 0; c < CLIENT.length; c++) {
      CLIENT[c] = new LockClient("client-" + LifecycleOp.clientName(c), "test");
    }
  }

  static LockClient client(int c) {
    return CLIENT[c];
  }

  static int clientIndex(LockClient c) {
    for (int i = 0; i < CLIENT.length; i++) {
      if (CLIENT[i].equals(c)) {
        return i;
      }
    }
    return -1;
  }

  static LockRequest request(int owner, int file, LockFlavour flavour, LockType type, Span span) {
    return new LockRequest(
        ModelHarness.FILES[file],
        "export",
        ModelHarness.OWNERS[owner],
        client(LifecycleModel.clientOf(owner)),
        flavour,
        type,
        span.toRange());
  }

  private static final int[][] FILE_ORDERS = {
    {0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}
  };

  final ModelHarness<LifecycleOp> h;
  private final Starter starter;
  private final boolean faults;
  private final LifecycleModel model;
  final Map<Integer, LockId> handles = new HashMap<>();
  final Map<Integer, PendingLock> pendings = new HashMap<>();
  private final Set<Integer> unsettled = new LinkedHashSet<>();
  final Map<LockId, Object> seen = new HashMap<>();
  private final LifecycleBasicOps basic;
  private FaultyLockStore store = new FaultyLockStore();
  private ManualScheduler scheduler;
  LockManager api;
  private DefaultLockManager real;
  private LifecycleStateComparison comparison;
  List<List<Lock>> snapshot = new ArrayList<>();

  private LifecycleOperations(
      ModelHarness<LifecycleOp> h, Starter starter, LifecyclePolicy policy, boolean faults) {
    this.h = h;
    this.starter = starter;
    this.faults = faults;
    this.model = new LifecycleModel(policy);
    this.basic = new LifecycleBasicOps(h, this);
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      snapshot.add(List.of());
    }
    model.chooser(h.chooser());
    model.ages(this::ageRank);
    start();
  }

  private void start() {
    scheduler = new ManualScheduler();
    Started s = starter.start(store, scheduler);
    api = s.api();
    real = s.real();
    comparison =
        new LifecycleStateComparison(
            api, real, store, handles, pendings, unsettled, seen, h.journal(), h::mismatch);
  }

  LifecycleModel model() {
    return model;
  }

  /** The random operations of a run; with faults from another stream than the plain run's. */
  @Override
  public Supplier<LifecycleOp> generator(long seed) {
    return new LifecycleOpGenerator(new Random(faults ? seed * 31 + 7 : seed), model, faults)::next;
  }

  /** The model may choose while a fault is armed and where clients go or time passes. */
  @Override
  public Runnable checkpoint(LifecycleOp op) {
    if (model.faultArmed()
        || op instanceof LifecycleOp.ClientCall c
            && (c.call() == ClientCall.Call.UNREGISTER || c.call() == ClientCall.Call.REBOOTED)
        || op instanceof LifecycleOp.Advance) {
      LifecycleModel before = model.copy();
      return () -> model.copyFrom(before);
    }
    return null;
  }

  @Override
  public void run(LifecycleOp op, List<Runnable> post) {
    if (op instanceof LifecycleOp.Basic b) {
      basic.judge(b.op(), post);
    } else if (op instanceof LifecycleOp.Blocking b) {
      blocking(b);
    } else if (op instanceof LifecycleOp.Cancel c) {
      cancel(c);
    } else if (op instanceof LifecycleOp.Advance a) {
      h.call(
          () -> {
            scheduler.advance(Duration.ofSeconds(a.seconds()));
            if (model.policy.leaseSeconds() == 0) {
              for (int c = 0; c < LifecycleModel.CLIENTS; c++) {
                api.keepAlive(client(c)); // leases never run out under this policy
              }
            }
            return null;
          });
      model.advance(a.seconds() * LifecycleModel.SECOND);
      h.count("advance");
    } else if (op instanceof LifecycleOp.Register r) {
      h.call(
          () -> {
            api.registerClient(
                client(r.client()), "10.0.0." + r.client(), Duration.ofSeconds(r.ttlSeconds()));
            return null;
          });
      model.register(r.client(), r.ttlSeconds());
      h.count("register" + (r.ttlSeconds() > 0 ? " with a ttl" : ""));
    } else if (op instanceof LifecycleOp.ClientCall c) {
      clientCall(c);
    } else if (op instanceof LifecycleOp.StoreDown d) {
      h.call(
          () -> {
            if (d.down()) {
              store.down();
            } else {
              store.up();
            }
            return null;
          });
      if (d.down()) {
        model.storeDown();
      } else {
        model.storeUp();
      }
      h.count(d.down() ? "store down" : "store up");
    } else if (op instanceof LifecycleOp.StoreFault f) {
      h.perform(() -> store.failNthWrite(f.nth(), f.landsFirst()));
      model.armFault();
      h.count(f.landsFirst() ? "store fault armed: lands, then throws" : "store fault armed");
    } else if (op instanceof LifecycleOp.Restart r) {
      restart(r);
    } else if (op instanceof LifecycleOp.Reclaim r) {
      reclaim(r, post);
    } else {
      reclaimOpen((LifecycleOp.ReclaimOpen) op);
    }
    syncFault();
  }

  private void clientCall(LifecycleOp.ClientCall cc) {
    int c = cc.client();
    LockClient lc = client(c);
    switch (cc.call()) {
      case KEEP_ALIVE -> {
        h.perform(() -> api.keepAlive(lc));
        h.count((model.courtesy(c) ? "keepAlive of a courtesy client" : "keepAlive"));
        model.touch(c);
      }
      case UNREGISTER -> {
        h.perform(() -> api.unregisterClient(lc));
        boolean was = model.unregister(c);
        h.count(
            !was
                ? "unregister of an unregistered client"
                : model.ttlPending(c) ? "unregister, ttl release due" : "unregister releasing");
      }
      case REBOOTED -> {
        h.perform(() -> api.clientRebooted(lc));
        h.count("clientRebooted");
        model.releaseClient(c);
      }
      case RECLAIM_COMPLETE -> {
        h.perform(() -> api.reclaimComplete(lc));
        model.reclaimComplete(c);
        h.count("reclaimComplete" + (model.graceActive() ? "" : " (grace over)"));
      }
    }
  }

  /**
   * The store fault's state after the step: spent by a write the model does not decide on, or
   * consumed by the model's choice although the store still holds it (a wrong choice).
   */
  private void syncFault() {
    boolean armed = store.oneShotArmed();
    if (model.faultArmed() && !armed) {
      model.faultSpent();
      h.count("store fault spent on a write the model does not decide on");
    } else if (!model.faultArmed() && armed) {
      throw h.mismatch(
          "store", "the model let the armed fault fail a write the store did not fail");
    }
  }

  private void blocking(LifecycleOp.Blocking b) {
    LockRequest req = request(b.owner(), b.file(), b.flavour(), b.type(), b.span());
    Duration timeout = b.timeoutSeconds() == 0 ? null : Duration.ofSeconds(b.timeoutSeconds());
    Object r = h.call(() -> api.lockBlocking(req, timeout));
    int seconds =
        b.timeoutSeconds() == 0 ? LifecycleModel.DEFAULT_TIMEOUT_SECONDS : b.timeoutSeconds();
    touchIfWellFormed(b.owner(), b.flavour());
    BlockingOutcome o =
        model.blocking(
            b.pending(),
            b.file(),
            b.owner(),
            b.flavour(),
            b.type(),
            b.span(),
            seconds * LifecycleModel.SECOND);
    h.count("lockBlocking " + o);
    switch (o) {
      case INVALID -> h.expectError(r, ErrorCode.INVALID_ARGUMENT);
      case GRACE -> h.expectError(r, ErrorCode.GRACE_PERIOD);
      case DEADLOCK -> h.expectError(r, ErrorCode.DEADLOCK);
      case LIMIT -> expectLimit(r, model.lastLimit());
      case STORE_UNAVAILABLE -> h.expectError(r, ErrorCode.STORE_UNAVAILABLE);
      default -> {
        h.journal().put(pendings, b.pending(), h.expect(r, PendingLock.class));
        h.journal().add(unsettled, b.pending());
      }
    }
  }

  /** A request refreshes its client's lease once its flavour matches its owner's. */
  void touchIfWellFormed(int owner, LockFlavour flavour) {
    LockFlavour held = model.flavourOf(owner);
    if (held == null || held == flavour) {
      model.touch(LifecycleModel.clientOf(owner));
    }
  }

  private void cancel(LifecycleOp.Cancel c) {
    Req r = model.request(c.pending());
    PendingLock p = pendings.get(c.pending());
    LifecycleModel.Status forgotten = model.forgotten(c.pending());
    if (p == null
        || forgotten == LifecycleModel.Status.ORPHANED
        || (r == null && forgotten == null)
        || (r != null && r.status == LifecycleModel.Status.ORPHANED)) {
      h.count("cancel skipped (no such request in this replay)");
      return;
    }
    boolean expected = r != null && model.cancel(r);
    Object got = h.call(p::cancel);
    h.count("cancel " + expected);
    if (!Boolean.valueOf(expected).equals(got)) {
      throw h.mismatch("outcome", "cancel() answered " + got + ", model: " + expected);
    }
  }

  private void restart(LifecycleOp.Restart r) {
    h.call(
        () -> {
          store.clearFaults(); // the model's restart starts on a healthy store
          if (r.clean()) {
            api.close();
          }
          store = store.reopen();
          start();
          return null;
        });
    model.restart(r.clean());
    h.count("restart " + (r.clean() ? "clean" : "crash") + (model.graceActive() ? ", grace" : ""));
  }

  private void reclaim(LifecycleOp.Reclaim rc, List<Runnable> post) {
    int c = LifecycleModel.clientOf(rc.owner());
    int via = rc.otherClient() ? (c + 1) % LifecycleModel.CLIENTS : c;
    LockRequest req =
        new LockRequest(
            ModelHarness.FILES[rc.file()],
            "export",
            ModelHarness.OWNERS[rc.owner()],
            client(via),
            rc.flavour(),
            rc.type(),
            rc.span().toRange());
    Object r = h.call(() -> api.reclaim(req));
    LockFlavour held = model.flavourOf(rc.owner());
    if (held == null || held == rc.flavour()) {
      model.touch(via);
    }
    LifecycleModel.ReclaimResult e =
        model.reclaim(rc.file(), rc.owner(), rc.flavour(), rc.type(), rc.span(), rc.otherClient());
    if (e.error() != null) {
      h.count("reclaim " + e.error());
      h.expectError(r, e.error());
      return;
    }
    if (e.deniedOn() != null) {
      h.count("reclaim DENIED (coalesced range)");
      LockResult.Denied d = h.expect(r, LockResult.Denied.class);
      checkReport(
          rc.file(),
          d.conflict(),
          x -> ReferenceLockModel.conflicts(x, rc.owner(), rc.type(), e.deniedOn(), false),
          List.of());
      return;
    }
    h.count("reclaim GRANTED");
    LockResult.Granted g = h.expect(r, LockResult.Granted.class);
    Span merged = e.granted();
    post.add(
        () ->
            checkGranted(rc.file(), rc.owner(), rc.flavour(), rc.type(), merged, g.lock(), false));
  }

  private void reclaimOpen(LifecycleOp.ReclaimOpen ro) {
    OpenRequest req =
        new OpenRequest(
            ModelHarness.FILES[ro.file()],
            "export",
            ModelHarness.OWNERS[ro.owner()],
            client(LifecycleModel.clientOf(ro.owner())),
            ModelHarness.modeSet(ro.access()),
            ModelHarness.modeSet(ro.deny()));
    Object r = h.call(() -> api.reclaimOpen(req));
    model.touch(LifecycleModel.clientOf(ro.owner()));
    ErrorCode e = model.reclaimOpen(ro.handle(), ro.file(), ro.owner(), ro.access(), ro.deny());
    h.count("reclaimOpen " + (e == null ? "GRANTED" : e));
    if (e != null) {
      h.expectError(r, e);
      return;
    }
    ShareReservation s = h.expect(r, ShareReservation.class);
    if (!s.owner().equals(ModelHarness.OWNERS[ro.owner()])
        || s.accessMask() != ro.access()
        || s.denyMask() != ro.deny()
        || h.journal().putIfAbsent(seen, s.id(), "open") != null) {
      throw h.mismatch("result", "reclaimOpen returned " + s);
    }
    h.journal().put(handles, ro.handle(), s.id());
  }

  /**
   * The age rank of a model record among the verified table's records (oldest first, by id), for
   * the order of courtesy revocations; records created in this step rank last.
   */
  private int ageRank(int file, Held h) {
    int best = Integer.MAX_VALUE;
    List<Lock> locks = snapshot.get(file);
    for (int i = 0; i < locks.size(); i++) {
      Lock l = locks.get(i);
      if (h.equals(ModelHarness.held(l))) {
        best = Math.min(best, i);
      }
    }
    return best;
  }

  // ---------------------------------------------------------------- comparison

  @Override
  public void checkState() {
    commit(comparison.compare(model));
    drainNotes();
  }

  private void commit(LifecycleStateComparison.Result r) {
    List<List<Lock>> old = snapshot;
    h.journal().onUndo(() -> snapshot = old);
    snapshot = r.locks();
    for (int n : r.nowSettled()) {
      h.journal().remove(unsettled, n);
      model.forget(n);
    }
  }

  private void drainNotes() {
    for (String n : model.drainNotes()) {
      h.count(n);
    }
  }

  /**
   * A granted lock: the owner's record with exactly the {@code expected} range (POSIX: the request
   * coalesced with the owner's same-type locks, as the model predicted before the grant; WINDOWS:
   * the request), in the table after the step unless a wake-up in the same step ({@code woke})
   * granted a waiter that may have merged or split it since.
   */
  void checkGranted(
      int file,
      int owner,
      LockFlavour flavour,
      LockType type,
      Span expected,
      Lock l,
      boolean woke) {
    boolean fits =
        l.owner().equals(ModelHarness.OWNERS[owner])
            && l.file().equals(ModelHarness.FILES[file])
            && l.type() == type
            && l.flavour() == flavour
            && expected.equals(Span.of(l.range()));
    if (!fits || !(woke || snapshot.get(file).contains(l))) {
      throw h.mismatch(
          "result",
          "granted record "
              + l
              + " is not the owner's "
              + type
              + " record "
              + expected
              + " in the table "
              + snapshot.get(file));
    }
  }

  /**
   * A reported conflict with a lock: the lowest first byte, then oldest, among the conflicting
   * records of the table (less the courtesy locks the request revoked) and the request's own
   * elements granted before ({@code tentative}).
   */
  void checkReport(int file, Lock reported, Predicate<Held> conflicting, List<Held> tentative) {
    List<Held> still = model.records(file); // courtesy locks revoked on the way are gone
    List<Lock> table = new ArrayList<>();
    for (Lock l : snapshot.get(file)) {
      if (still.contains(ModelHarness.held(l))) {
        table.add(l);
      }
    }
    Judgements.checkReport(h, table, reported, conflicting, tentative);
  }

  /** A reported conflict with a queued request (FIFO fairness): that request, as a lock. */
  void checkWaiterReport(Lock reported, Req w) {
    PendingLock p = pendings.get(w.number);
    if (p == null
        || !reported.id().equals(p.id())
        || !reported.owner().equals(ModelHarness.OWNERS[w.owner])
        || !reported.range().equals(w.span.toRange())
        || reported.type() != w.type) {
      throw h.mismatch("report", "reported " + reported + ", expected the queued request " + w);
    }
  }

  // ---------------------------------------------------------------- helpers

  FileHandle file(int f) {
    return ModelHarness.FILES[f];
  }

  /** LOCK_LIMIT_EXCEEDED naming exactly {@code limit}: which limit, the count, the maximum. */
  void expectLimit(Object r, LifecycleModel.Limit limit) {
    h.expectError(r, ErrorCode.LOCK_LIMIT_EXCEEDED);
    ErrorDetail d = ((StoreError) r).detail().orElse(null);
    if (!(d instanceof ErrorDetail.Limit l)
        || !l.limit().equals(limit.name())
        || l.current() != limit.current()
        || l.max() != limit.max()) {
      throw h.mismatch("limit", "refused with " + d + ", model: " + limit);
    }
  }
}
