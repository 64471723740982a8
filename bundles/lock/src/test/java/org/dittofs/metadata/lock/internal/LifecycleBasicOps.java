package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.internal.LifecycleModel.Kind;
import org.dittofs.metadata.lock.internal.LifecycleModel.Verdict;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.OpenRec;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * The foundation operations ({@link ModelOp}) judged by the {@link LifecycleModel}: the same rules
 * as {@link TableOperations}, plus queued requests (FIFO fairness denies a newcomer that conflicts
 * with a queued request and reports that request; a release or downgrade re-checks the queue),
 * restored records (they conflict, can be released and split, and are checked by I/O) and grace
 * (new locks and opens fail with GRACE_PERIOD).
 */
final class LifecycleBasicOps implements ModelOp.Judge {
  private final ModelHarness<LifecycleOp> h;
  private final LifecycleOperations l;

  LifecycleBasicOps(ModelHarness<LifecycleOp> h, LifecycleOperations l) {
    this.h = h;
    this.l = l;
  }

  private LifecycleModel model() {
    return l.model();
  }

  @Override
  public void acquire(ModelOp.Acquire a, List<Runnable> post) {
    LockRequest req =
        LifecycleOperations.request(a.owner(), a.file(), a.flavour(), a.type(), a.span());
    Object r = h.call(() -> l.api.lock(req));
    l.touchIfWellFormed(a.owner(), a.flavour());
    judgeLock("lock", a.owner(), a.file(), a.flavour(), a.type(), a.span(), r, post);
  }

  /** lock() or a single-element lockAll(): one request decided by the model. */
  private void judgeLock(
      String what,
      int owner,
      int file,
      LockFlavour flavour,
      LockType type,
      Span span,
      Object r,
      List<Runnable> post) {
    int mark = model().revocationMark();
    Verdict v = model().decide(file, owner, flavour, type, span, null, true, true);
    boolean byMerge = v.kind() == Kind.DENIED_BY_LOCK && !v.checked().equals(span);
    h.count(what + " " + v.kind() + (byMerge ? " (coalesced range)" : ""));
    switch (v.kind()) {
      case INVALID -> h.expectError(r, ErrorCode.INVALID_ARGUMENT);
      case GRACE -> h.expectError(r, ErrorCode.GRACE_PERIOD);
      case DENIED_BY_LOCK -> {
        LockResult.Denied d = h.expect(r, LockResult.Denied.class);
        Span checked = v.checked();
        l.checkReport(
            file,
            d.conflict(),
            x -> ReferenceLockModel.conflicts(x, owner, type, checked, false),
            List.of());
      }
      case DENIED_BY_WAITER -> {
        LockResult.Denied d = h.expect(r, LockResult.Denied.class);
        l.checkWaiterReport(d.conflict(), v.waiter());
      }
      case GRANTED -> {}
    }
    if (v.kind() != Kind.GRANTED) {
      // the report was judged on the table as the refusal left it; the courtesy locks revoked on
      // the way were a change of the table, which re-checks the queue
      model().wakeIfRevoked(file, mark);
      return;
    }
    switch (v.kind()) {
      case GRANTED -> {
        Span merged = model().coalesced(file, owner, flavour, type, span);
        boolean unchanged = model().noChange(file, owner, flavour, type, span);
        ErrorCode refused = model().tryGrant(file, owner, flavour, type, span);
        if (refused != null) {
          LifecycleModel.Limit limit = model().lastLimit(); // before a waiter's re-check sets it
          model().wakeIfRevoked(file, mark);
          h.count(what + " " + refused);
          if (refused == ErrorCode.LOCK_LIMIT_EXCEEDED) {
            l.expectLimit(r, limit);
          } else {
            h.expectError(r, refused);
          }
          return;
        }
        LockResult.Granted g = h.expect(r, LockResult.Granted.class);
        boolean woke = unchanged ? model().wakeIfRevoked(file, mark) : model().wake(file);
        if (woke) {
          h.count(what + " GRANTED, then a waiter granted after it");
        }
        post.add(() -> l.checkGranted(file, owner, flavour, type, merged, g.lock(), woke));
      }
    }
  }

  @Override
  public void acquireAll(ModelOp.AcquireAll a, List<Runnable> post) {
    List<LockRequest> reqs = new ArrayList<>();
    for (ModelOp.Element e : a.elements()) {
      reqs.add(LifecycleOperations.request(a.owner(), a.file(), a.flavour(), e.type(), e.span()));
    }
    Object r = h.call(() -> l.api.lockAll(reqs));
    l.touchIfWellFormed(a.owner(), a.flavour());
    if (a.elements().size() == 1) {
      ModelOp.Element e = a.elements().get(0);
      judgeLock("lockAll", a.owner(), a.file(), a.flavour(), e.type(), e.span(), r, post);
      return;
    }
    LockFlavour held = model().flavourOf(a.owner());
    if (a.flavour() == LockFlavour.POSIX || (held != null && held != a.flavour())) {
      h.count("lockAll INVALID");
      h.expectError(r, ErrorCode.INVALID_ARGUMENT);
      return;
    }
    if (model().graceActive()) {
      h.count("lockAll GRACE");
      h.expectError(r, ErrorCode.GRACE_PERIOD);
      return;
    }
    List<Held> tentative = new ArrayList<>();
    int mark = model().revocationMark();
    for (ModelOp.Element e : a.elements()) {
      model().revokeCourtesy(a.file(), a.owner(), e.type(), e.span(), tentative);
      List<Held> before = model().records(a.file());
      Predicate<Held> hits =
          x -> ReferenceLockModel.conflicts(x, a.owner(), e.type(), e.span(), false);
      if (before.stream().anyMatch(hits) || tentative.stream().anyMatch(hits)) {
        h.count("lockAll DENIED_BY_LOCK");
        LockResult.Denied d = h.expect(r, LockResult.Denied.class);
        l.checkReport(a.file(), d.conflict(), hits, tentative);
        model().wakeIfRevoked(a.file(), mark); // after the report, judged on the refused table
        return;
      }
      LifecycleModel.Req w =
          model().firstConflictingWaiter(a.file(), a.owner(), e.type(), e.span(), null);
      if (w != null && !model().policy.barging()) {
        h.count("lockAll DENIED_BY_WAITER");
        LockResult.Denied d = h.expect(r, LockResult.Denied.class);
        l.checkWaiterReport(d.conflict(), w);
        model().wakeIfRevoked(a.file(), mark);
        return;
      }
      tentative.add(new Held(a.owner(), a.flavour(), e.span(), e.type()));
    }
    ErrorCode refused = model().checkLimits(a.file(), a.owner(), a.elements().size());
    if (refused == null && !model().write()) {
      refused = ErrorCode.STORE_UNAVAILABLE;
    }
    if (refused != null) {
      LifecycleModel.Limit limit = model().lastLimit(); // before a waiter's re-check sets it
      model().wakeIfRevoked(a.file(), mark);
      h.count("lockAll " + refused);
      if (refused == ErrorCode.LOCK_LIMIT_EXCEEDED) {
        l.expectLimit(r, limit);
      } else {
        h.expectError(r, refused);
      }
      return;
    }
    h.count("lockAll GRANTED");
    LockResult.Granted g = h.expect(r, LockResult.Granted.class);
    if (g.locks().size() != a.elements().size()) {
      throw h.mismatch("result", "lockAll granted " + g.locks());
    }
    for (ModelOp.Element e : a.elements()) {
      model().grant(a.file(), a.owner(), a.flavour(), e.type(), e.span());
    }
    model().wake(a.file());
    post.add(
        () -> {
          for (int i = 0; i < a.elements().size(); i++) {
            ModelOp.Element e = a.elements().get(i);
            l.checkGranted(
                a.file(), a.owner(), a.flavour(), e.type(), e.span(), g.locks().get(i), false);
          }
        });
  }

  @Override
  public void release(ModelOp.Release rel) {
    String note = model().restored(rel.file()).isEmpty() ? "" : " (file with restored locks)";
    Judgements.judgeRelease(h, l.api, rel, model()::release, note);
  }

  @Override
  public void releaseAll(ModelOp.ReleaseAll rel) {
    Judgements.judgeReleaseAll(h, l.api, rel, model()::release);
  }

  @Override
  public void test(ModelOp.Test t) {
    LockRequest req =
        LifecycleOperations.request(t.owner(), t.file(), t.flavour(), t.type(), t.span());
    Object r = h.call(() -> l.api.test(req));
    l.touchIfWellFormed(t.owner(), t.flavour());
    Verdict v =
        model().decide(t.file(), t.owner(), t.flavour(), t.type(), t.span(), null, false, false);
    int client = LifecycleModel.clientOf(t.owner());
    h.count("test " + v.kind() + (model().graceActive() ? " in grace" : ""));
    if (v.kind() == Kind.INVALID) {
      h.expectError(r, ErrorCode.INVALID_ARGUMENT);
      return;
    }
    @SuppressWarnings("unchecked")
    Optional<Lock> answer = h.expect(r, Optional.class);
    if (v.kind() == Kind.GRANTED) {
      if (answer.isPresent()) {
        throw h.mismatch("outcome", "test answered conflict " + answer.get() + ", model: free");
      }
      return;
    }
    if (answer.isEmpty()) {
      throw h.mismatch("outcome", "test answered free, model: " + v.kind());
    }
    if (v.kind() == Kind.DENIED_BY_WAITER) {
      l.checkWaiterReport(answer.get(), v.waiter());
    } else {
      Span checked = v.checked();
      l.checkReport(
          t.file(),
          answer.get(),
          x ->
              ReferenceLockModel.conflicts(x, t.owner(), t.type(), checked, false)
                  && !model().revocable(x, client),
          List.of());
    }
  }

  @Override
  public void open(ModelOp.Open o) {
    OpenRequest req =
        new OpenRequest(
            l.file(o.file()),
            "export",
            ModelHarness.OWNERS[o.owner()],
            LifecycleOperations.client(LifecycleModel.clientOf(o.owner())),
            ModelHarness.modeSet(o.access()),
            ModelHarness.modeSet(o.deny()));
    Object r = h.call(() -> l.api.open(req));
    model().touch(LifecycleModel.clientOf(o.owner()));
    if (model().graceActive()) {
      h.count("open GRACE_PERIOD");
      h.expectError(r, ErrorCode.GRACE_PERIOD);
      return;
    }
    boolean denied = model().openDenied(o.file(), o.owner(), o.access(), o.deny());
    boolean unavailable = !denied && !model().write();
    h.count("open " + (denied ? "SHARE_DENIED" : unavailable ? "STORE_UNAVAILABLE" : "OK"));
    if (denied || unavailable) {
      h.expectError(r, denied ? ErrorCode.SHARE_DENIED : ErrorCode.STORE_UNAVAILABLE);
      return;
    }
    ShareReservation s = h.expect(r, ShareReservation.class);
    if (!s.owner().equals(ModelHarness.OWNERS[o.owner()])
        || s.accessMask() != o.access()
        || s.denyMask() != o.deny()
        || h.journal().putIfAbsent(l.seen, s.id(), "open") != null) {
      throw h.mismatch("result", "open returned " + s);
    }
    h.journal().put(l.handles, o.handle(), s.id());
    model().live.open(o.file(), new OpenRec(o.handle(), o.owner(), o.access(), o.deny()));
  }

  private LockId handleId(int handle) {
    return Judgements.handleId(l.handles, handle);
  }

  @Override
  public void downgrade(ModelOp.OpenDowngrade d) {
    String note = model().isRestoredOpen(d.file(), d.handle()) ? " (restored)" : "";
    Judgements.judgeDowngrade(h, l.api, d, l.handles, model().live, note);
  }

  @Override
  public void close(ModelOp.Close c) {
    Object r = h.perform(() -> l.api.close(l.file(c.file()), handleId(c.handle())));
    boolean live = model().live.liveOpen(c.file(), c.handle()) != null;
    h.count(
        "close "
            + (live ? "OK" : "NOT_FOUND")
            + (model().isRestoredOpen(c.file(), c.handle()) ? " (restored)" : ""));
    h.expectOutcome(r, live ? null : ErrorCode.NOT_FOUND);
    if (live) {
      model().close(c.file(), c.handle());
    }
  }

  @Override
  public void ioCheck(ModelOp.IoCheck c) {
    boolean blocked = model().ioBlocked(c.file(), c.owner(), c.write(), c.mode(), c.span());
    Judgements.judgeIoCheck(h, l.api, c, blocked, l.snapshot.get(c.file()));
  }
}
