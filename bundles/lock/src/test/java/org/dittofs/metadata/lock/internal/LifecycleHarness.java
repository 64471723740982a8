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
 * conflict, error code, cancel's answer) and then everything {@link LifecycleStateComparison}
 * checks. The foundation operations are judged by {@link LifecycleBasicOps}.
 */
final class LifecycleHarness {
  /** Starts a manager; tests pass mutants through here. */
  interface Starter {
    Started start(LockStore store, LockScheduler scheduler);
  }

  /** The manager to call ({@code api}) and the implementation behind it (for internal checks). */
  record Started(LockManager api, DefaultLockManager real) {}

  /** The configuration under test: FIFO, no limits, a lease no advance can outlive. */
  static final LockConfig CONFIG =
      LockConfig.builder()
          .maxLocksPerFile(0)
          .maxLocksPerClient(0)
          .maxLocksTotal(0)
          .maxWaitersPerFile(0)
          .maxConnectionsPerAdapter(0)
          .lockTimeout(Duration.ofSeconds(LifecycleModel.DEFAULT_TIMEOUT_SECONDS))
          .gracePeriod(Duration.ofSeconds(LifecycleModel.GRACE_SECONDS))
          .leaseTime(Duration.ofDays(1))
          .fairness(LockConfig.Fairness.FIFO)
          .build();

  static Starter standard(LockConfig config) {
    return (store, scheduler) -> {
      LockManager m =
          LockManagers.builder().scheduler(scheduler).store(store).config(config).build();
      return new Started(m, (DefaultLockManager) m);
    };
  }

  static Supplier<LifecycleHarness> freshSupplier(Starter starter) {
    return () -> new LifecycleHarness(starter);
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

  private final Starter starter;
  private final LifecycleModel model = new LifecycleModel();
  final Map<Integer, LockId> handles = new HashMap<>();
  final Map<Integer, PendingLock> pendings = new HashMap<>();
  private final Set<Integer> unsettled = new LinkedHashSet<>();
  final Map<LockId, Object> seen = new HashMap<>();
  private final Map<String, Integer> stats = new TreeMap<>();
  private final LifecycleBasicOps basic;
  private FaultyLockStore store = new FaultyLockStore();
  private ManualScheduler scheduler;
  LockManager api;
  private DefaultLockManager real;
  private LifecycleStateComparison comparison;
  List<List<Lock>> snapshot = new ArrayList<>();
  private LifecycleOp current;

  LifecycleHarness(Starter starter) {
    this.starter = starter;
    this.basic = new LifecycleBasicOps(this);
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      snapshot.add(List.of());
    }
    start();
  }

  private void start() {
    scheduler = new ManualScheduler();
    Started s = starter.start(store, scheduler);
    api = s.api();
    real = s.real();
    comparison =
        new LifecycleStateComparison(
            api, real, store, handles, pendings, unsettled, seen, this::mismatch);
  }

  LifecycleModel model() {
    return model;
  }

  Map<String, Integer> stats() {
    return stats;
  }

  /** Runs one operation on both sides and compares outcome and full state. */
  void step(LifecycleOp op) {
    current = op;
    List<Runnable> post = new ArrayList<>();
    if (op instanceof LifecycleOp.Basic b) {
      basic.run(b.op(), post);
    } else if (op instanceof LifecycleOp.Blocking b) {
      blocking(b);
    } else if (op instanceof LifecycleOp.Cancel c) {
      cancel(c);
    } else if (op instanceof LifecycleOp.Advance a) {
      scheduler.advance(Duration.ofSeconds(a.seconds()));
      for (int c = 0; c < LifecycleModel.CLIENTS; c++) {
        api.keepAlive(client(c)); // leases never run out: courtesy clients are not modelled
      }
      model.advance(a.seconds() * LifecycleModel.SECOND);
      count("advance");
    } else if (op instanceof LifecycleOp.Register r) {
      api.registerClient(client(r.client()), "10.0.0." + r.client(), Duration.ZERO);
      model.register(r.client());
      count("register");
    } else if (op instanceof LifecycleOp.Unregister u) {
      api.unregisterClient(client(u.client()));
      boolean was = model.registered(u.client());
      count(was ? "unregister releasing" : "unregister of an unregistered client");
      if (was) {
        releaseClient(u.client(), true, post);
        return;
      }
    } else if (op instanceof LifecycleOp.Rebooted r) {
      api.clientRebooted(client(r.client()));
      count("clientRebooted");
      releaseClient(r.client(), false, post);
      return;
    } else if (op instanceof LifecycleOp.Restart r) {
      restart(r);
    } else if (op instanceof LifecycleOp.Reclaim r) {
      reclaim(r, post);
    } else if (op instanceof LifecycleOp.ReclaimOpen r) {
      reclaimOpen(r);
    } else {
      int c = ((LifecycleOp.ReclaimComplete) op).client();
      api.reclaimComplete(client(c));
      model.reclaimComplete(c);
      count("reclaimComplete" + (model.graceActive() ? "" : " (grace over)"));
    }
    checkState();
    post.forEach(Runnable::run);
  }

  /**
   * The model of a client's departure, file by file. The manager releases the client's files in an
   * unspecified order, and the order is observable (a re-check on one file may see, in the global
   * wait-for graph, requests on a file not released yet), so every order is tried and the first the
   * manager agrees with is kept.
   */
  private void releaseClient(int client, boolean unregister, List<Runnable> post) {
    LifecycleModel before = model.copy();
    Mismatch first = null;
    for (int[] order : FILE_ORDERS) {
      LifecycleModel candidate = before.copy();
      if (unregister) {
        candidate.unregister(client, order);
      } else {
        candidate.releaseClient(client, order);
      }
      LifecycleStateComparison.Result r;
      try {
        r = comparison.compare(candidate);
      } catch (Mismatch m) {
        if (first == null) {
          first = m;
        }
        continue;
      }
      commit(r);
      model.copyFrom(candidate);
      if (order != FILE_ORDERS[0]) {
        count("client release matched a non-canonical file order");
      }
      drainNotes();
      post.forEach(Runnable::run);
      return;
    }
    throw first;
  }

  private void blocking(LifecycleOp.Blocking b) {
    LockRequest req = request(b.owner(), b.file(), b.flavour(), b.type(), b.span());
    Duration timeout = b.timeoutSeconds() == 0 ? null : Duration.ofSeconds(b.timeoutSeconds());
    Object r = call(() -> api.lockBlocking(req, timeout));
    int seconds =
        b.timeoutSeconds() == 0 ? LifecycleModel.DEFAULT_TIMEOUT_SECONDS : b.timeoutSeconds();
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
      default -> {
        pendings.put(b.pending(), expect(r, PendingLock.class));
        unsettled.add(b.pending());
      }
    }
  }

  private void cancel(LifecycleOp.Cancel c) {
    Req r = model.request(c.pending());
    PendingLock p = pendings.get(c.pending());
    if (r == null || p == null || r.status == LifecycleModel.Status.ORPHANED) {
      count("cancel skipped (no such request in this replay)");
      return;
    }
    boolean expected = model.cancel(r);
    boolean got = p.cancel();
    count("cancel " + expected);
    if (got != expected) {
      throw mismatch("outcome", "cancel() answered " + got + ", model: " + expected);
    }
  }

  private void restart(LifecycleOp.Restart r) {
    if (r.clean()) {
      api.close();
    }
    store = store.reopen();
    start();
    model.restart(r.clean());
    count("restart " + (r.clean() ? "clean" : "crash") + (model.graceActive() ? ", grace" : ""));
  }

  private void reclaim(LifecycleOp.Reclaim rc, List<Runnable> post) {
    int c = LifecycleModel.clientOf(rc.owner());
    LockRequest req =
        new LockRequest(
            ModelHarness.FILES[rc.file()],
            "export",
            ModelHarness.OWNERS[rc.owner()],
            client(rc.otherClient() ? (c + 1) % LifecycleModel.CLIENTS : c),
            rc.flavour(),
            rc.type(),
            rc.span().toRange());
    Object r = call(() -> api.reclaim(req));
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
        || seen.putIfAbsent(s.id(), "open") != null) {
      throw mismatch("result", "reclaimOpen returned " + s);
    }
    handles.put(ro.handle(), s.id());
  }

  // ---------------------------------------------------------------- comparison

  void checkState() {
    commit(comparison.compare(model));
    drainNotes();
  }

  private void commit(LifecycleStateComparison.Result r) {
    snapshot = r.locks();
    r.nowSettled().forEach(unsettled::remove);
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
   * records of the table and the request's own elements granted before ({@code tentative}).
   */
  void checkReport(int file, Lock reported, Predicate<Held> conflicting, List<Held> tentative) {
    Lock best = null;
    for (Lock l : snapshot.get(file)) {
      if (conflicting.test(ModelHarness.held(l))
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
    stats.merge(what, 1, Integer::sum);
  }

  Mismatch mismatch(String kind, String message) {
    return new Mismatch(kind, message + "\n    at: " + current);
  }

  static Object call(Supplier<?> s) {
    try {
      return s.get();
    } catch (RuntimeException e) {
      return e;
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
