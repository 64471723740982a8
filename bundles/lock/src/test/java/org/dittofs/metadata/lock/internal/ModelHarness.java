package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Decision;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.OpenRec;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * Drives a real {@link LockManager} and a {@link ReferenceLockModel} with the same operations and
 * compares them after every step: the outcome of the operation (granted, denied, error code), the
 * reported conflict, the returned records, and then the full state of every file (POSIX byte maps
 * and maximality, WINDOWS multisets, opens) plus the table invariants. Any difference is a {@link
 * Mismatch}.
 */
final class ModelHarness {
  static final FileHandle[] FILES = new FileHandle[ReferenceLockModel.FILES];
  static final LockOwner[] OWNERS = new LockOwner[ReferenceLockModel.OWNERS];
  private static final Map<LockOwner, Integer> OWNER_INDEX = new HashMap<>();
  private static final Map<FileHandle, Integer> FILE_INDEX = new HashMap<>();

  static {
    for (int f = 0; f < FILES.length; f++) {
      FILES[f] = FileHandle.of("f" + f);
      FILE_INDEX.put(FILES[f], f);
    }
    for (int o = 0; o < OWNERS.length; o++) {
      OWNERS[o] =
          LockOwner.of(
              (o < ReferenceLockModel.POSIX_OWNERS ? "nlm:host:" : "smb:session:")
                  + ModelOp.ownerName(o));
      OWNER_INDEX.put(OWNERS[o], o);
    }
  }

  /** A difference between the manager and the model; {@code kind} groups it for shrinking. */
  static final class Mismatch extends AssertionError {
    private static final long serialVersionUID = 1L;
    final String kind;

    Mismatch(String kind, String message) {
      super(kind + ": " + message);
      this.kind = kind;
    }
  }

  private final LockManager manager;
  private final Runnable invariants;
  private final ReferenceLockModel model = new ReferenceLockModel();
  private final Map<Integer, LockId> handles = new HashMap<>();
  private final Map<LockId, Object> seen = new HashMap<>();
  private final Map<String, Integer> stats = new TreeMap<>();
  private final ModelStateComparison comparison;
  private List<List<Lock>> snapshot = new ArrayList<>();
  private List<List<OpenRec>> verifiedOpens = new ArrayList<>();
  private ModelOp current;

  /**
   * @param manager the manager under test (a fresh one: the harness assumes it starts empty)
   * @param invariants checks the manager's internal invariants (throws AssertionError)
   */
  ModelHarness(LockManager manager, Runnable invariants) {
    this.manager = manager;
    this.invariants = invariants;
    this.comparison = new ModelStateComparison(manager, model, handles, seen, this::mismatch);
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      snapshot.add(List.of());
      verifiedOpens.add(List.of());
    }
  }

  /** A harness on a fresh default manager. */
  static ModelHarness fresh() {
    LockManager m = org.dittofs.metadata.lock.host.LockManagers.builder().build();
    return new ModelHarness(m, () -> LockTableInvariants.check(m));
  }

  static Supplier<ModelHarness> freshSupplier() {
    return ModelHarness::fresh;
  }

  ReferenceLockModel model() {
    return model;
  }

  Map<String, Integer> stats() {
    return stats;
  }

  /** Runs one operation on both sides and compares outcome and full state. */
  void step(ModelOp op) {
    current = op;
    Runnable post;
    if (op instanceof ModelOp.Acquire a) {
      post = acquire(a);
    } else if (op instanceof ModelOp.AcquireAll a) {
      post = acquireAll(a);
    } else if (op instanceof ModelOp.Release r) {
      post = release(r);
    } else if (op instanceof ModelOp.ReleaseAll r) {
      post = releaseAll(r);
    } else if (op instanceof ModelOp.Test t) {
      post = test(t);
    } else if (op instanceof ModelOp.Open o) {
      post = open(o);
    } else if (op instanceof ModelOp.OpenDowngrade d) {
      post = downgrade(d);
    } else if (op instanceof ModelOp.Close c) {
      post = close(c);
    } else {
      post = ioCheck((ModelOp.IoCheck) op);
    }
    checkState();
    if (post != null) {
      post.run();
    }
  }

  // ---------------------------------------------------------------- operations

  private Runnable acquire(ModelOp.Acquire a) {
    Decision d = model.decideAcquire(a.file(), a.owner(), a.flavour(), a.type(), a.span());
    Span checked = model.conflictSpan(a.file(), a.owner(), a.flavour(), a.type(), a.span());
    Object r =
        call(() -> manager.lock(request(a.owner(), a.file(), a.flavour(), a.type(), a.span())));
    boolean byCoalesced = d == Decision.DENIED && !checked.equals(a.span());
    count("lock " + d + (byCoalesced ? " by coalesced range" : ""));
    switch (d) {
      case INVALID -> expectError(r, ErrorCode.INVALID_ARGUMENT);
      case DENIED -> {
        LockResult.Denied den = expect(r, LockResult.Denied.class);
        checkReport(
            a.file(),
            den.conflict(),
            h -> ReferenceLockModel.conflicts(h, a.owner(), a.type(), checked, false),
            List.of());
      }
      case GRANTED -> {
        LockResult.Granted g = expect(r, LockResult.Granted.class);
        if (a.flavour() != ModelOpGenerator.natural(a.owner())
            && model.flavourOf(a.owner()) == null) {
          count("lock GRANTED to an owner switching flavour");
        }
        model.grant(a.file(), a.owner(), a.flavour(), a.type(), a.span());
        return () ->
            checkGranted(a.file(), a.owner(), a.flavour(), g, List.of(a.type()), List.of(a.span()));
      }
    }
    return null;
  }

  private Runnable acquireAll(ModelOp.AcquireAll a) {
    List<LockRequest> reqs = new ArrayList<>();
    for (ModelOp.Element e : a.elements()) {
      reqs.add(request(a.owner(), a.file(), a.flavour(), e.type(), e.span()));
    }
    Object r = call(() -> manager.lockAll(reqs));
    boolean invalid =
        (a.flavour() == LockFlavour.POSIX && a.elements().size() > 1)
            || model.flavourOf(a.owner()) != null && model.flavourOf(a.owner()) != a.flavour();
    if (invalid) {
      count("lockAll INVALID");
      expectError(r, ErrorCode.INVALID_ARGUMENT);
      return null;
    }
    // each element against the table and the elements before it (tentatively granted)
    List<Held> before = model.records(a.file());
    List<Held> tentative = new ArrayList<>();
    for (ModelOp.Element e : a.elements()) {
      Predicate<Held> hits =
          h -> ReferenceLockModel.conflicts(h, a.owner(), e.type(), e.span(), false);
      if (before.stream().anyMatch(hits) || tentative.stream().anyMatch(hits)) {
        count("lockAll DENIED" + (tentative.stream().anyMatch(hits) ? " by own element" : ""));
        LockResult.Denied den = expect(r, LockResult.Denied.class);
        checkReport(a.file(), den.conflict(), hits, tentative);
        return null;
      }
      tentative.add(new Held(a.owner(), a.flavour(), e.span(), e.type()));
    }
    count("lockAll GRANTED");
    LockResult.Granted g = expect(r, LockResult.Granted.class);
    List<LockType> types = new ArrayList<>();
    List<Span> spans = new ArrayList<>();
    for (ModelOp.Element e : a.elements()) {
      model.grant(a.file(), a.owner(), a.flavour(), e.type(), e.span());
      types.add(e.type());
      spans.add(e.span());
    }
    return () -> checkGranted(a.file(), a.owner(), a.flavour(), g, types, spans);
  }

  private Runnable release(ModelOp.Release rel) {
    Object r =
        call(
            () -> {
              manager.unlock(unlock(rel.owner(), rel.file(), rel.flavour(), rel.span()));
              return null;
            });
    ErrorCode expected = model.release(rel.file(), rel.owner(), rel.flavour(), rel.span());
    count("unlock " + (expected == null ? "OK" : expected));
    if (expected == null
        && rel.flavour() == LockFlavour.POSIX
        && rel.span().zero()
        && r instanceof StoreError e
        && e.code() == ErrorCode.INVALID_ARGUMENT) {
      return null; // refusing a POSIX zero-length release is as good as releasing nothing
    }
    expectOutcome(r, expected);
    return null;
  }

  private Runnable releaseAll(ModelOp.ReleaseAll rel) {
    List<UnlockRequest> reqs = new ArrayList<>();
    for (Span s : rel.spans()) {
      reqs.add(unlock(rel.owner(), rel.file(), rel.flavour(), s));
    }
    Object r =
        call(
            () -> {
              manager.unlockAll(reqs);
              return null;
            });
    ErrorCode expected = null;
    for (Span s : rel.spans()) {
      expected = model.release(rel.file(), rel.owner(), rel.flavour(), s);
      if (expected != null) {
        break;
      }
    }
    count("unlockAll " + (expected == null ? "OK" : expected));
    expectOutcome(r, expected);
    return null;
  }

  private Runnable test(ModelOp.Test t) {
    Decision d = model.decideAcquire(t.file(), t.owner(), t.flavour(), t.type(), t.span());
    Span checked = model.conflictSpan(t.file(), t.owner(), t.flavour(), t.type(), t.span());
    Object r =
        call(() -> manager.test(request(t.owner(), t.file(), t.flavour(), t.type(), t.span())));
    count("test " + d);
    if (d == Decision.INVALID) {
      expectError(r, ErrorCode.INVALID_ARGUMENT);
      return null;
    }
    @SuppressWarnings("unchecked")
    Optional<Lock> answer = expect(r, Optional.class);
    if (d == Decision.GRANTED) {
      if (answer.isPresent()) {
        throw mismatch("outcome", "test answered conflict " + answer.get() + ", model: free");
      }
    } else {
      if (answer.isEmpty()) {
        throw mismatch("outcome", "test answered free, model: conflict");
      }
      checkReport(
          t.file(),
          answer.get(),
          h -> ReferenceLockModel.conflicts(h, t.owner(), t.type(), checked, false),
          List.of());
    }
    return null;
  }

  private Runnable open(ModelOp.Open o) {
    OpenRequest req =
        new OpenRequest(
            FILES[o.file()],
            "export",
            OWNERS[o.owner()],
            client(o.owner()),
            modeSet(o.access()),
            modeSet(o.deny()));
    Object r = call(() -> manager.open(req));
    boolean denied = model.openConflicts(o.file(), o.access(), o.deny());
    count("open " + (denied ? "SHARE_DENIED" : "OK"));
    if (denied) {
      expectError(r, ErrorCode.SHARE_DENIED);
      return null;
    }
    ShareReservation s = expect(r, ShareReservation.class);
    if (!s.owner().equals(OWNERS[o.owner()])
        || !s.file().equals(FILES[o.file()])
        || s.accessMask() != o.access()
        || s.denyMask() != o.deny()) {
      throw mismatch("result", "open returned " + s);
    }
    if (seen.putIfAbsent(s.id(), "open") != null) {
      throw mismatch("ids", "open got an id already used: " + s.id());
    }
    handles.put(o.handle(), s.id());
    model.open(o.file(), new OpenRec(o.handle(), o.owner(), o.access(), o.deny()));
    return null;
  }

  private Runnable downgrade(ModelOp.OpenDowngrade d) {
    LockId id = handleId(d.handle());
    Object r =
        call(() -> manager.downgrade(FILES[d.file()], id, modeSet(d.access()), modeSet(d.deny())));
    OpenRec old = model.liveOpen(d.file(), d.handle());
    if (old == null) {
      count("downgrade NOT_FOUND");
      expectError(r, ErrorCode.NOT_FOUND);
      return null;
    }
    if ((d.access() & ~old.access()) != 0 || (d.deny() & ~old.deny()) != 0) {
      count("downgrade INVALID");
      expectError(r, ErrorCode.INVALID_ARGUMENT);
      return null;
    }
    count("downgrade OK");
    ShareReservation s = expect(r, ShareReservation.class);
    if (!s.id().equals(id) || s.accessMask() != d.access() || s.denyMask() != d.deny()) {
      throw mismatch("result", "downgrade returned " + s);
    }
    model.downgrade(d.file(), d.handle(), d.access(), d.deny());
    return null;
  }

  private Runnable close(ModelOp.Close c) {
    Object r =
        call(
            () -> {
              manager.close(FILES[c.file()], handleId(c.handle()));
              return null;
            });
    boolean live = model.liveOpen(c.file(), c.handle()) != null;
    count("close " + (live ? "OK" : "NOT_FOUND"));
    expectOutcome(r, live ? null : ErrorCode.NOT_FOUND);
    if (live) {
      model.close(c.file(), c.handle());
    }
    return null;
  }

  private Runnable ioCheck(ModelOp.IoCheck c) {
    Object r =
        call(
            () -> {
              if (c.write()) {
                manager.checkWrite(
                    FILES[c.file()], OWNERS[c.owner()], c.span().toRange(), c.mode());
              } else {
                manager.checkRead(FILES[c.file()], OWNERS[c.owner()], c.span().toRange(), c.mode());
              }
              return null;
            });
    boolean blocked = model.ioBlocked(c.file(), c.owner(), c.write(), c.mode(), c.span());
    count((c.write() ? "checkWrite " : "checkRead ") + c.mode() + (blocked ? " CONFLICT" : " OK"));
    expectOutcome(r, blocked ? ErrorCode.LOCK_CONFLICT : null);
    if (blocked) {
      ErrorDetail.Conflict named =
          ((StoreError) r)
              .conflict()
              .orElseThrow(() -> mismatch("report", "LOCK_CONFLICT without the conflicting lock"));
      Lock held =
          snapshot.get(c.file()).stream()
              .filter(l -> l.id().toString().equals(named.lockId()))
              .findFirst()
              .orElseThrow(() -> mismatch("report", "names lock " + named + ", not in the table"));
      Held h = held(held);
      LockType as = c.write() ? LockType.EXCLUSIVE : LockType.SHARED;
      if (!ReferenceLockModel.restrictsIo(h, c.mode())
          || !ReferenceLockModel.conflicts(h, c.owner(), as, c.span(), true)
          || !named.owner().equals(held.owner().id())
          || named.first() != held.range().first()
          || named.last() != held.range().last()
          || named.zeroLength() != held.range().isZeroLength()
          || named.exclusive() != held.exclusive()) {
        throw mismatch("report", "I/O refusal names " + named + " = " + held + ", no conflict");
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- result checks

  /**
   * The reported conflict must be the deterministic choice among the conflicting records: lowest
   * first byte, then oldest (smallest id). {@code tentative} are elements granted earlier in the
   * same lockAll request (newer than every record of the table, in request order).
   */
  private void checkReport(
      int file, Lock reported, Predicate<Held> conflicting, List<Held> tentative) {
    Lock best = null;
    for (Lock l : snapshot.get(file)) {
      if (conflicting.test(held(l))
          && (best == null || ModelStateComparison.ORDER.compare(l, best) < 0)) {
        best = l;
      }
    }
    Held bestTentative = null;
    for (Held t : tentative) {
      if (conflicting.test(t)
          && (best == null || Long.compareUnsigned(t.span().firstByte(), best.range().first()) < 0)
          && (bestTentative == null
              || Long.compareUnsigned(t.span().firstByte(), bestTentative.span().firstByte())
                  < 0)) {
        bestTentative = t;
      }
    }
    if (bestTentative != null) {
      boolean ok =
          snapshot.get(file).stream().noneMatch(l -> l.id().equals(reported.id()))
              && reported.owner().equals(OWNERS[bestTentative.owner()])
              && reported.range().equals(bestTentative.span().toRange())
              && reported.type() == bestTentative.type();
      if (!ok) {
        throw mismatch(
            "report",
            "reported " + reported + ", expected the request's own element " + bestTentative);
      }
      return;
    }
    if (best == null) {
      throw mismatch("report", "reported " + reported + " but no lock of the table conflicts");
    }
    if (!best.equals(reported)) {
      throw mismatch(
          "report",
          "reported "
              + reported
              + ", expected "
              + best
              + " (lowest first byte, then oldest, among conflicting locks)");
    }
  }

  private void checkGranted(
      int file,
      int owner,
      LockFlavour flavour,
      LockResult.Granted g,
      List<LockType> types,
      List<Span> spans) {
    if (g.locks().size() != spans.size()) {
      throw mismatch("result", "granted " + g.locks() + " for " + spans.size() + " range(s)");
    }
    for (int i = 0; i < spans.size(); i++) {
      Lock l = g.locks().get(i);
      Span s = Span.of(l.range());
      boolean rangeOk =
          flavour == LockFlavour.POSIX
              ? s != null && s.encloses(spans.get(i))
              : l.range().equals(spans.get(i).toRange());
      if (!rangeOk
          || !l.owner().equals(OWNERS[owner])
          || l.type() != types.get(i)
          || l.flavour() != flavour
          || !snapshot.get(file).contains(l)) {
        throw mismatch(
            "result",
            "granted record "
                + l
                + " for "
                + types.get(i)
                + " "
                + spans.get(i)
                + " is not the owner's covering record in the table "
                + snapshot.get(file));
      }
    }
  }

  // ---------------------------------------------------------------- state comparison

  /** Compares the whole state of every file with the model and checks the table invariants. */
  void checkState() {
    List<List<Lock>> fresh = comparison.compare();
    List<List<OpenRec>> opensNow = new ArrayList<>();
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      opensNow.add(List.copyOf(model.opens(f)));
    }
    try {
      invariants.run();
    } catch (Mismatch m) {
      throw m;
    } catch (AssertionError | RuntimeException e) {
      throw mismatch("invariant", String.valueOf(e.getMessage()));
    }
    snapshot = fresh;
    verifiedOpens = opensNow;
  }

  /**
   * Operations that rebuild the last verified state on a fresh manager: the opens, then every lock
   * record in id order (a state that was reached can be rebuilt in creation order).
   */
  List<ModelOp> reconstruction() {
    List<ModelOp> ops = new ArrayList<>();
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      for (OpenRec o : verifiedOpens.get(f)) {
        ops.add(new ModelOp.Open(o.handle(), o.owner(), f, o.access(), o.deny()));
      }
    }
    List<Lock> all = new ArrayList<>();
    snapshot.forEach(all::addAll);
    all.sort(Comparator.comparing(Lock::id));
    for (Lock l : all) {
      Held h = held(l);
      ops.add(
          new ModelOp.Acquire(
              h.owner(), FILE_INDEX.get(l.file()), h.flavour(), h.type(), h.span()));
    }
    return ops;
  }

  // ---------------------------------------------------------------- helpers

  static Integer ownerIndex(LockOwner owner) {
    return OWNER_INDEX.get(owner);
  }

  static Held held(Lock l) {
    return new Held(OWNER_INDEX.get(l.owner()), l.flavour(), Span.of(l.range()), l.type());
  }

  private LockId handleId(int handle) {
    LockId id = handles.get(handle);
    return id != null ? id : new LockId(0, 1_000_000L + handle); // epoch 0: never issued
  }

  private static LockClient client(int owner) {
    return new LockClient("client-" + ModelOp.ownerName(owner), "test");
  }

  private static LockRequest request(
      int owner, int file, LockFlavour flavour, LockType type, Span span) {
    return new LockRequest(
        FILES[file], "export", OWNERS[owner], client(owner), flavour, type, span.toRange());
  }

  private static UnlockRequest unlock(int owner, int file, LockFlavour flavour, Span span) {
    return new UnlockRequest(FILES[file], OWNERS[owner], flavour, span.toRange());
  }

  static Set<ShareAccess> modeSet(int mask) {
    Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
    for (ShareAccess a : ShareAccess.values()) {
      if ((mask & a.bit()) != 0) {
        s.add(a);
      }
    }
    return s;
  }

  private void count(String what) {
    stats.merge(what, 1, Integer::sum);
  }

  private Mismatch mismatch(String kind, String message) {
    return new Mismatch(kind, message + "\n    at: " + current);
  }

  private static Object call(Supplier<?> s) {
    try {
      return s.get();
    } catch (RuntimeException e) {
      return e;
    }
  }

  private <T> T expect(Object r, Class<T> type) {
    if (!type.isInstance(r)) {
      throw mismatch("outcome", "expected " + type.getSimpleName() + ", got " + describe(r));
    }
    return type.cast(r);
  }

  private void expectError(Object r, ErrorCode code) {
    if (!(r instanceof StoreError e) || e.code() != code) {
      throw mismatch("outcome", "expected " + code + ", got " + describe(r));
    }
  }

  private void expectOutcome(Object r, ErrorCode code) {
    if (code != null) {
      expectError(r, code);
    } else if (r instanceof RuntimeException) {
      throw mismatch("outcome", "expected success, got " + describe(r));
    }
  }

  private static String describe(Object r) {
    if (r instanceof StoreError e) {
      return e.code() + " (" + e.getMessage() + ")";
    }
    if (r instanceof RuntimeException e) {
      return e.toString();
    }
    return String.valueOf(r);
  }
}
