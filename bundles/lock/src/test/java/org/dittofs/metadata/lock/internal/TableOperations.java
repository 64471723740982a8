package org.dittofs.metadata.lock.internal;

import static org.dittofs.metadata.lock.internal.ModelHarness.FILES;
import static org.dittofs.metadata.lock.internal.ModelHarness.OWNERS;
import static org.dittofs.metadata.lock.internal.ModelHarness.held;
import static org.dittofs.metadata.lock.internal.ModelHarness.modeSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Decision;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.OpenRec;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * The lock table's operation set ({@link ModelOp}: lock, lockAll, unlock, unlockAll, test, open,
 * open downgrade, close, I/O checks, from {@link ModelOpGenerator}) judged by the {@link
 * ReferenceLockModel}: the outcome of each operation (granted, denied, error code), the reported
 * conflict and the returned records, then the full state of every file ({@link
 * ModelStateComparison}: POSIX byte maps and maximality, WINDOWS multisets, opens) plus the
 * manager's invariants. A verified state can be rebuilt from scratch ({@link #reconstruction}).
 */
final class TableOperations implements OperationSet.Subject<ModelOp>, ModelOp.Judge {
  /**
   * @param manager the manager under test (a fresh one: the operations assume it starts empty)
   * @param invariants checks the manager's internal invariants (throws AssertionError)
   */
  record Target(LockManager manager, Runnable invariants) {}

  /** The set on fresh default managers. */
  static OperationSet<ModelOp> standard() {
    return of(
        () -> {
          LockManager m = LockManagers.builder().build();
          return new Target(m, () -> LockTableInvariants.check(m));
        });
  }

  /**
   * The set on fresh default managers whose files give their owners lanes at once ({@link Lanes}),
   * never dissolved: the owners of a file with a free slot work in their lanes, the others in the
   * file's table.
   */
  static OperationSet<ModelOp> withLanes() {
    return withLanes(Integer.MAX_VALUE, 0);
  }

  /**
   * As {@link #withLanes()}, a file's lanes dissolved at a lane's count of 32 (about 11 collisions)
   * and back after 1 lock request (doubling; {@link Lanes}, "colliding owners"): random requests,
   * which meet often, go through dissolutions too (about a hundred in the fixed-seed run).
   */
  static OperationSet<ModelOp> withLanesComingAndGoing() {
    return withLanes(32, 1);
  }

  private static OperationSet<ModelOp> withLanes(int dissolveAt, int backoff) {
    return of(
        () -> {
          DefaultLockManager m = (DefaultLockManager) LockManagers.builder().build();
          m.lockTables().lanePolicy(0, dissolveAt, backoff);
          return new Target(m, () -> LockTableInvariants.check(m));
        });
  }

  /** The set on the managers {@code targets} gives (a mutant, several nodes, ...). */
  static OperationSet<ModelOp> of(Supplier<Target> targets) {
    return new OperationSet<>(
        "lock table disagrees with the reference model",
        "a fresh manager",
        h -> new TableOperations(h, targets.get()));
  }

  /** The model behind a harness of this set (for tests that tamper with it). */
  static ReferenceLockModel model(ModelHarness<ModelOp> h) {
    return ((TableOperations) h.subject()).model;
  }

  private final ModelHarness<ModelOp> h;
  private final LockManager manager;
  private final Runnable invariants;
  private final ReferenceLockModel model = new ReferenceLockModel();
  private final Map<Integer, LockId> handles = new HashMap<>();
  private final Map<LockId, Object> seen = new HashMap<>();
  private final ModelStateComparison comparison;
  private List<List<Lock>> snapshot = new ArrayList<>();
  private List<List<OpenRec>> verifiedOpens = new ArrayList<>();

  private TableOperations(ModelHarness<ModelOp> h, Target target) {
    this.h = h;
    this.manager = target.manager();
    this.invariants = target.invariants();
    this.comparison = new ModelStateComparison(manager, model, handles, seen, h::mismatch);
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      snapshot.add(List.of());
      verifiedOpens.add(List.of());
    }
  }

  @Override
  public Supplier<ModelOp> generator(long seed) {
    return new ModelOpGenerator(new Random(seed), model)::next;
  }

  @Override
  public void run(ModelOp op, List<Runnable> post) {
    judge(op, post);
  }

  // ---------------------------------------------------------------- operations

  @Override
  public void acquire(ModelOp.Acquire a, List<Runnable> post) {
    Decision d = model.decideAcquire(a.file(), a.owner(), a.flavour(), a.type(), a.span());
    Span checked = model.conflictSpan(a.file(), a.owner(), a.flavour(), a.type(), a.span());
    Object r =
        h.call(() -> manager.lock(request(a.owner(), a.file(), a.flavour(), a.type(), a.span())));
    boolean byCoalesced = d == Decision.DENIED && !checked.equals(a.span());
    h.count("lock " + d + (byCoalesced ? " by coalesced range" : ""));
    switch (d) {
      case INVALID -> h.expectError(r, ErrorCode.INVALID_ARGUMENT);
      case DENIED -> {
        LockResult.Denied den = h.expect(r, LockResult.Denied.class);
        checkReport(
            a.file(),
            den.conflict(),
            x -> ReferenceLockModel.conflicts(x, a.owner(), a.type(), checked, false),
            List.of());
      }
      case GRANTED -> {
        LockResult.Granted g = h.expect(r, LockResult.Granted.class);
        if (a.flavour() != ModelOpGenerator.natural(a.owner())
            && model.flavourOf(a.owner()) == null) {
          h.count("lock GRANTED to an owner switching flavour");
        }
        model.grant(a.file(), a.owner(), a.flavour(), a.type(), a.span());
        post.add(
            () ->
                checkGranted(
                    a.file(), a.owner(), a.flavour(), g, List.of(a.type()), List.of(a.span())));
      }
    }
  }

  @Override
  public void acquireAll(ModelOp.AcquireAll a, List<Runnable> post) {
    List<LockRequest> reqs = new ArrayList<>();
    for (ModelOp.Element e : a.elements()) {
      reqs.add(request(a.owner(), a.file(), a.flavour(), e.type(), e.span()));
    }
    Object r = h.call(() -> manager.lockAll(reqs));
    boolean invalid =
        (a.flavour() == LockFlavour.POSIX && a.elements().size() > 1)
            || model.flavourOf(a.owner()) != null && model.flavourOf(a.owner()) != a.flavour();
    if (invalid) {
      h.count("lockAll INVALID");
      h.expectError(r, ErrorCode.INVALID_ARGUMENT);
      return;
    }
    // each element against the table and the elements before it (tentatively granted)
    List<Held> before = model.records(a.file());
    List<Held> tentative = new ArrayList<>();
    for (ModelOp.Element e : a.elements()) {
      Predicate<Held> hits =
          x -> ReferenceLockModel.conflicts(x, a.owner(), e.type(), e.span(), false);
      if (before.stream().anyMatch(hits) || tentative.stream().anyMatch(hits)) {
        h.count("lockAll DENIED" + (tentative.stream().anyMatch(hits) ? " by own element" : ""));
        LockResult.Denied den = h.expect(r, LockResult.Denied.class);
        checkReport(a.file(), den.conflict(), hits, tentative);
        return;
      }
      tentative.add(new Held(a.owner(), a.flavour(), e.span(), e.type()));
    }
    h.count("lockAll GRANTED");
    LockResult.Granted g = h.expect(r, LockResult.Granted.class);
    List<LockType> types = new ArrayList<>();
    List<Span> spans = new ArrayList<>();
    for (ModelOp.Element e : a.elements()) {
      model.grant(a.file(), a.owner(), a.flavour(), e.type(), e.span());
      types.add(e.type());
      spans.add(e.span());
    }
    post.add(() -> checkGranted(a.file(), a.owner(), a.flavour(), g, types, spans));
  }

  @Override
  public void release(ModelOp.Release rel) {
    Judgements.judgeRelease(h, manager, rel, model::release, "");
  }

  @Override
  public void releaseAll(ModelOp.ReleaseAll rel) {
    Judgements.judgeReleaseAll(h, manager, rel, model::release);
  }

  @Override
  public void test(ModelOp.Test t) {
    Decision d = model.decideAcquire(t.file(), t.owner(), t.flavour(), t.type(), t.span());
    Span checked = model.conflictSpan(t.file(), t.owner(), t.flavour(), t.type(), t.span());
    Object r =
        h.call(() -> manager.test(request(t.owner(), t.file(), t.flavour(), t.type(), t.span())));
    h.count("test " + d);
    if (d == Decision.INVALID) {
      h.expectError(r, ErrorCode.INVALID_ARGUMENT);
      return;
    }
    @SuppressWarnings("unchecked")
    Optional<Lock> answer = h.expect(r, Optional.class);
    if (d == Decision.GRANTED) {
      if (answer.isPresent()) {
        throw h.mismatch("outcome", "test answered conflict " + answer.get() + ", model: free");
      }
    } else {
      if (answer.isEmpty()) {
        throw h.mismatch("outcome", "test answered free, model: conflict");
      }
      checkReport(
          t.file(),
          answer.get(),
          x -> ReferenceLockModel.conflicts(x, t.owner(), t.type(), checked, false),
          List.of());
    }
  }

  @Override
  public void open(ModelOp.Open o) {
    OpenRequest req =
        new OpenRequest(
            FILES[o.file()],
            "export",
            OWNERS[o.owner()],
            client(o.owner()),
            modeSet(o.access()),
            modeSet(o.deny()));
    Object r = h.call(() -> manager.open(req));
    boolean denied = model.openConflicts(o.file(), o.access(), o.deny());
    h.count("open " + (denied ? "SHARE_DENIED" : "OK"));
    if (denied) {
      h.expectError(r, ErrorCode.SHARE_DENIED);
      return;
    }
    ShareReservation s = h.expect(r, ShareReservation.class);
    if (!s.owner().equals(OWNERS[o.owner()])
        || !s.file().equals(FILES[o.file()])
        || s.accessMask() != o.access()
        || s.denyMask() != o.deny()) {
      throw h.mismatch("result", "open returned " + s);
    }
    if (seen.putIfAbsent(s.id(), "open") != null) {
      throw h.mismatch("ids", "open got an id already used: " + s.id());
    }
    handles.put(o.handle(), s.id());
    model.open(o.file(), new OpenRec(o.handle(), o.owner(), o.access(), o.deny()));
  }

  @Override
  public void downgrade(ModelOp.OpenDowngrade d) {
    Judgements.judgeDowngrade(h, manager, d, handles, model, "");
  }

  @Override
  public void close(ModelOp.Close c) {
    Object r = h.perform(() -> manager.close(FILES[c.file()], handleId(c.handle())));
    boolean live = model.liveOpen(c.file(), c.handle()) != null;
    h.count("close " + (live ? "OK" : "NOT_FOUND"));
    h.expectOutcome(r, live ? null : ErrorCode.NOT_FOUND);
    if (live) {
      model.close(c.file(), c.handle());
    }
  }

  @Override
  public void ioCheck(ModelOp.IoCheck c) {
    boolean blocked = model.ioBlocked(c.file(), c.owner(), c.write(), c.mode(), c.span());
    Judgements.judgeIoCheck(h, manager, c, blocked, snapshot.get(c.file()));
  }

  // ---------------------------------------------------------------- result checks

  private void checkGranted(
      int file,
      int owner,
      LockFlavour flavour,
      LockResult.Granted g,
      List<LockType> types,
      List<Span> spans) {
    if (g.locks().size() != spans.size()) {
      throw h.mismatch("result", "granted " + g.locks() + " for " + spans.size() + " range(s)");
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
        throw h.mismatch(
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
  @Override
  public void checkState() {
    List<List<Lock>> fresh = comparison.compare();
    List<List<OpenRec>> opensNow = new ArrayList<>();
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      opensNow.add(List.copyOf(model.opens(f)));
    }
    try {
      invariants.run();
    } catch (ModelHarness.Mismatch m) {
      throw m;
    } catch (AssertionError | RuntimeException e) {
      throw h.mismatch("invariant", String.valueOf(e.getMessage()));
    }
    snapshot = fresh;
    verifiedOpens = opensNow;
  }

  /**
   * Operations that rebuild the last verified state on a fresh manager: the opens, then every lock
   * record in id order (a state that was reached can be rebuilt in creation order).
   */
  @Override
  public List<ModelOp> reconstruction() {
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
      Held x = held(l);
      int f = List.of(FILES).indexOf(l.file());
      ops.add(new ModelOp.Acquire(x.owner(), f, x.flavour(), x.type(), x.span()));
    }
    return ops;
  }

  // ---------------------------------------------------------------- helpers

  private void checkReport(
      int file, Lock reported, Predicate<Held> conflicting, List<Held> tentative) {
    Judgements.checkReport(h, snapshot.get(file), reported, conflicting, tentative);
  }

  private LockId handleId(int handle) {
    return Judgements.handleId(handles, handle);
  }

  private static LockClient client(int owner) {
    return new LockClient("client-" + ModelOp.ownerName(owner), "test");
  }

  private static LockRequest request(
      int owner, int file, LockFlavour flavour, LockType type, Span span) {
    return new LockRequest(
        FILES[file], "export", OWNERS[owner], client(owner), flavour, type, span.toRange());
  }
}
