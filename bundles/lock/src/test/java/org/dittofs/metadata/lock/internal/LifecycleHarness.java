package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
import org.dittofs.metadata.lock.internal.ModelHarness.Mismatch;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;

/**
 * Drives a real manager (on a {@link ManualScheduler} and a {@link FaultyLockStore}, restarted on
 * the store's durable content) and a {@link LifecycleModel} with the same {@link LifecycleOp}s and
 * compares them after every step: the outcome of the operation (granted, denied with which
 * conflict, error code with the limit hit, cancel's answer) and then everything {@link
 * LifecycleStateComparison} checks. The foundation operations are judged by {@link
 * LifecycleBasicOps}.
 *
 * <p>Nondeterminism. Where SPEC leaves the manager a choice (the order in which a departing
 * client's files are released; which write a transient store fault hits), the model asks its {@link
 * LifecycleModel.Chooser}. A step runs the manager once, recording what each call returned; it is
 * then judged under the first vector of answers, and if the judgement fails, the model and the
 * harness's bookkeeping ({@link StepJournal}) are rolled back and the recorded results judged under
 * the next vector, until one agrees or all were tried (then the first difference is reported).
 */
final class LifecycleHarness {
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

  static Supplier<LifecycleHarness> freshSupplier(Starter starter) {
    return freshSupplier(starter, LifecyclePolicy.PLAIN);
  }

  /**
   * Fresh harnesses whose model follows {@code policy}; {@code starter} must configure the same.
   */
  static Supplier<LifecycleHarness> freshSupplier(Starter starter, LifecyclePolicy policy) {
    return () -> new LifecycleHarness(starter, policy);
  }

  /** Fresh harnesses on the standard manager under {@code policy}. */
  static Supplier<LifecycleHarness> freshSupplier(LifecyclePolicy policy) {
    return freshSupplier(standard(policy.config()), policy);
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

  private static final int MAX_ATTEMPTS = 1000;

  private final Starter starter;
  private final LifecycleModel model;
  final Map<Integer, LockId> handles = new HashMap<>();
  final Map<Integer, PendingLock> pendings = new HashMap<>();
  private final Set<Integer> unsettled = new LinkedHashSet<>();
  final Map<LockId, Object> seen = new HashMap<>();
  private final Map<String, Integer> stats = new TreeMap<>();
  final StepJournal journal = new StepJournal();
  private final ChoiceScript script = new ChoiceScript();
  private final List<Object> recorded = new ArrayList<>();
  private int nextCall;
  private final LifecycleBasicOps basic;
  private FaultyLockStore store = new FaultyLockStore();
  private ManualScheduler scheduler;
  LockManager api;
  private DefaultLockManager real;
  private LifecycleStateComparison comparison;
  List<List<Lock>> snapshot = new ArrayList<>();
  private LifecycleOp current;

  LifecycleHarness(Starter starter, LifecyclePolicy policy) {
    this.starter = starter;
    this.model = new LifecycleModel(policy);
    this.basic = new LifecycleBasicOps(this);
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      snapshot.add(List.of());
    }
    model.chooser(script);
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
            api, real, store, handles, pendings, unsettled, seen, journal, this::mismatch);
  }

  LifecycleModel model() {
    return model;
  }

  Map<String, Integer> stats() {
    return stats;
  }

  /**
   * Runs one operation on the manager, then judges it under each vector of the model's choices
   * until one agrees (see the class comment).
   */
  void step(LifecycleOp op) {
    current = op;
    recorded.clear();
    script.reset();
    LifecycleModel before = mayChoose(op) ? model.copy() : null;
    Mismatch first = null;
    List<String> others = new ArrayList<>();
    for (int attempt = 0; ; attempt++) {
      nextCall = 0;
      script.rewind();
      try {
        runStep(op);
        journal.commit();
        return;
      } catch (Mismatch m) {
        if (first == null) {
          first = m;
        } else if (others.size() < 3 && !others.contains(m.getMessage())) {
          others.add(m.getMessage());
        }
        if (before == null || !script.asked() || attempt >= MAX_ATTEMPTS || !script.next()) {
          journal.commit();
          if (others.isEmpty()) {
            throw first;
          }
          throw new Mismatch(
              first.kind,
              first.getMessage().substring(first.kind.length() + 2)
                  + "\n  under the model's other choices:\n  "
                  + String.join("\n  ", others));
        }
        journal.rollback();
        model.copyFrom(before);
      }
    }
  }

  /** Whether the model may ask its chooser during {@code op} (then the step keeps a copy). */
  private boolean mayChoose(LifecycleOp op) {
    return model.faultArmed()
        || op instanceof LifecycleOp.Unregister
        || op instanceof LifecycleOp.Rebooted
        || op instanceof LifecycleOp.Advance;
  }

  private void runStep(LifecycleOp op) {
    List<Runnable> post = new ArrayList<>();
    if (op instanceof LifecycleOp.Basic b) {
      basic.run(b.op(), post);
    } else if (op instanceof LifecycleOp.Blocking b) {
      blocking(b);
    } else if (op instanceof LifecycleOp.Cancel c) {
      cancel(c);
    } else if (op instanceof LifecycleOp.Advance a) {
      call(
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
      count("advance");
    } else if (op instanceof LifecycleOp.Register r) {
      call(
          () -> {
            api.registerClient(
                client(r.client()), "10.0.0." + r.client(), Duration.ofSeconds(r.ttlSeconds()));
            return null;
          });
      model.register(r.client(), r.ttlSeconds());
      count("register" + (r.ttlSeconds() > 0 ? " with a ttl" : ""));
    } else if (op instanceof LifecycleOp.KeepAlive k) {
      call(
          () -> {
            api.keepAlive(client(k.client()));
            return null;
          });
      count((model.courtesy(k.client()) ? "keepAlive of a courtesy client" : "keepAlive"));
      model.touch(k.client());
    } else if (op instanceof LifecycleOp.Unregister u) {
      call(
          () -> {
            api.unregisterClient(client(u.client()));
            return null;
          });
      boolean was = model.unregister(u.client());
      count(
          !was
              ? "unregister of an unregistered client"
              : model.ttlPending(u.client())
                  ? "unregister, ttl release due"
                  : "unregister releasing");
    } else if (op instanceof LifecycleOp.Rebooted r) {
      call(
          () -> {
            api.clientRebooted(client(r.client()));
            return null;
          });
      count("clientRebooted");
      model.releaseClient(r.client());
    } else if (op instanceof LifecycleOp.StoreDown d) {
      call(
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
      count(d.down() ? "store down" : "store up");
    } else if (op instanceof LifecycleOp.StoreFault f) {
      call(
          () -> {
            store.failNthWrite(f.nth(), f.landsFirst());
            return null;
          });
      model.armFault();
      count(f.landsFirst() ? "store fault armed: lands, then throws" : "store fault armed");
    } else if (op instanceof LifecycleOp.Restart r) {
      restart(r);
    } else if (op instanceof LifecycleOp.Reclaim r) {
      reclaim(r, post);
    } else if (op instanceof LifecycleOp.ReclaimOpen r) {
      reclaimOpen(r);
    } else {
      int c = ((LifecycleOp.ReclaimComplete) op).client();
      call(
          () -> {
            api.reclaimComplete(client(c));
            return null;
          });
      model.reclaimComplete(c);
      count("reclaimComplete" + (model.graceActive() ? "" : " (grace over)"));
    }
    syncFault();
    checkState();
    post.forEach(Runnable::run);
  }

  /**
   * The store fault's state after the step: spent by a write the model does not decide on, or
   * consumed by the model's choice although the store still holds it (a wrong choice).
   */
  private void syncFault() {
    boolean armed = store.oneShotArmed();
    if (model.faultArmed() && !armed) {
      model.faultSpent();
      count("store fault spent on a write the model does not decide on");
    } else if (!model.faultArmed() && armed) {
      throw mismatch("store", "the model let the armed fault fail a write the store did not fail");
    }
  }

  private void blocking(LifecycleOp.Blocking b) {
    LockRequest req = request(b.owner(), b.file(), b.flavour(), b.type(), b.span());
    Duration timeout = b.timeoutSeconds() == 0 ? null : Duration.ofSeconds(b.timeoutSeconds());
    Object r = call(() -> api.lockBlocking(req, timeout));
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
    count("lockBlocking " + o);
    switch (o) {
      case INVALID -> expectError(r, ErrorCode.INVALID_ARGUMENT);
      case GRACE -> expectError(r, ErrorCode.GRACE_PERIOD);
      case DEADLOCK -> expectError(r, ErrorCode.DEADLOCK);
      case LIMIT -> expectLimit(r, model.lastLimit());
      case STORE_UNAVAILABLE -> expectError(r, ErrorCode.STORE_UNAVAILABLE);
      default -> {
        journal.put(pendings, b.pending(), expect(r, PendingLock.class));
        journal.add(unsettled, b.pending());
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
      count("cancel skipped (no such request in this replay)");
      return;
    }
    boolean expected = r != null && model.cancel(r);
    Object got = call(p::cancel);
    count("cancel " + expected);
    if (!Boolean.valueOf(expected).equals(got)) {
      throw mismatch("outcome", "cancel() answered " + got + ", model: " + expected);
    }
  }

  private void restart(LifecycleOp.Restart r) {
    call(
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
    count("restart " + (r.clean() ? "clean" : "crash") + (model.graceActive() ? ", grace" : ""));
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
    Object r = call(() -> api.reclaim(req));
    LockFlavour held = model.flavourOf(rc.owner());
    if (held == null || held == rc.flavour()) {
      model.touch(via);
    }
    LifecycleModel.ReclaimResult e =
        model.reclaim(rc.file(), rc.owner(), rc.flavour(), rc.type(), rc.span(), rc.otherClient());
    if (e.error() != null) {
      count("reclaim " + e.error());
      expectError(r, e.error());
      return;
    }
    if (e.deniedOn() != null) {
      count("reclaim DENIED (coalesced range)");
      LockResult.Denied d = expect(r, LockResult.Denied.class);
      checkReport(
          rc.file(),
          d.conflict(),
          x -> ReferenceLockModel.conflicts(x, rc.owner(), rc.type(), e.deniedOn(), false),
          List.of());
      return;
    }
    count("reclaim GRANTED");
    LockResult.Granted g = expect(r, LockResult.Granted.class);
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
    Object r = call(() -> api.reclaimOpen(req));
    model.touch(LifecycleModel.clientOf(ro.owner()));
    ErrorCode e = model.reclaimOpen(ro.handle(), ro.file(), ro.owner(), ro.access(), ro.deny());
    count("reclaimOpen " + (e == null ? "GRANTED" : e));
    if (e != null) {
      expectError(r, e);
      return;
    }
    ShareReservation s = expect(r, ShareReservation.class);
    if (!s.owner().equals(ModelHarness.OWNERS[ro.owner()])
        || s.accessMask() != ro.access()
        || s.denyMask() != ro.deny()
        || journal.putIfAbsent(seen, s.id(), "open") != null) {
      throw mismatch("result", "reclaimOpen returned " + s);
    }
    journal.put(handles, ro.handle(), s.id());
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

  void checkState() {
    commit(comparison.compare(model));
    drainNotes();
  }

  private void commit(LifecycleStateComparison.Result r) {
    List<List<Lock>> old = snapshot;
    journal.onUndo(() -> snapshot = old);
    snapshot = r.locks();
    for (int n : r.nowSettled()) {
      journal.remove(unsettled, n);
      model.forget(n);
    }
  }

  private void drainNotes() {
    for (String n : model.drainNotes()) {
      count(n);
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
      throw mismatch(
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
    Lock best = null;
    List<Held> still = model.records(file); // courtesy locks revoked on the way are gone
    for (Lock l : snapshot.get(file)) {
      Held held = ModelHarness.held(l);
      if (conflicting.test(held)
          && still.contains(held)
          && (best == null || ModelStateComparison.ORDER.compare(l, best) < 0)) {
        best = l;
      }
    }
    Held own = null;
    for (Held t : tentative) {
      if (conflicting.test(t)
          && (best == null || Long.compareUnsigned(t.span().firstByte(), best.range().first()) < 0)
          && (own == null
              || Long.compareUnsigned(t.span().firstByte(), own.span().firstByte()) < 0)) {
        own = t;
      }
    }
    if (own != null) {
      if (!reported.owner().equals(ModelHarness.OWNERS[own.owner()])
          || !reported.range().equals(own.span().toRange())
          || reported.type() != own.type()) {
        throw mismatch("report", "reported " + reported + ", expected own element " + own);
      }
      return;
    }
    if (best == null || !best.equals(reported)) {
      throw mismatch(
          "report",
          "reported " + reported + ", expected " + best + " (lowest first byte, then oldest)");
    }
  }

  /** A reported conflict with a queued request (FIFO fairness): that request, as a lock. */
  void checkWaiterReport(Lock reported, Req w) {
    PendingLock p = pendings.get(w.number);
    if (p == null
        || !reported.id().equals(p.id())
        || !reported.owner().equals(ModelHarness.OWNERS[w.owner])
        || !reported.range().equals(w.span.toRange())
        || reported.type() != w.type) {
      throw mismatch("report", "reported " + reported + ", expected the queued request " + w);
    }
  }

  // ---------------------------------------------------------------- helpers

  FileHandle file(int f) {
    return ModelHarness.FILES[f];
  }

  void count(String what) {
    journal.count(stats, what);
  }

  Mismatch mismatch(String kind, String message) {
    return new Mismatch(kind, message + "\n    at: " + current);
  }

  /**
   * Calls the manager (or the fixtures) once per step: the first judgement of a step runs {@code s}
   * and records its result or exception; later judgements of the same step get the recording.
   */
  Object call(Supplier<?> s) {
    if (nextCall < recorded.size()) {
      return recorded.get(nextCall++);
    }
    Object r;
    try {
      r = s.get();
    } catch (RuntimeException e) {
      r = e;
    }
    recorded.add(r);
    nextCall++;
    return r;
  }

  /** LOCK_LIMIT_EXCEEDED naming exactly {@code limit}: which limit, the count, the maximum. */
  void expectLimit(Object r, LifecycleModel.Limit limit) {
    expectError(r, ErrorCode.LOCK_LIMIT_EXCEEDED);
    ErrorDetail d = ((StoreError) r).detail().orElse(null);
    if (!(d instanceof ErrorDetail.Limit l)
        || !l.limit().equals(limit.name())
        || l.current() != limit.current()
        || l.max() != limit.max()) {
      throw mismatch("limit", "refused with " + d + ", model: " + limit);
    }
  }

  <T> T expect(Object r, Class<T> type) {
    if (!type.isInstance(r)) {
      throw mismatch("outcome", "expected " + type.getSimpleName() + ", got " + describe(r));
    }
    return type.cast(r);
  }

  void expectError(Object r, ErrorCode code) {
    if (!(r instanceof StoreError e) || e.code() != code) {
      throw mismatch("outcome", "expected " + code + ", got " + describe(r));
    }
  }

  void expectOutcome(Object r, ErrorCode code) {
    if (code != null) {
      expectError(r, code);
    } else if (r instanceof RuntimeException) {
      throw mismatch("outcome", "expected success, got " + describe(r));
    }
  }

  static String describe(Object r) {
    if (r instanceof StoreError e) {
      return e.code() + " (" + e.getMessage() + ")";
    }
    if (r instanceof RuntimeException e) {
      return e.toString();
    }
    return String.valueOf(r);
  }
}
