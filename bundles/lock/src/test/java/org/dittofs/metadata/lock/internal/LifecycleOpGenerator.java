package org.dittofs.metadata.lock.internal;

import static org.dittofs.metadata.lock.internal.ReferenceLockModel.FILES;
import static org.dittofs.metadata.lock.internal.ReferenceLockModel.OWNERS;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.internal.LifecycleModel.Req;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.OpenRec;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * Random {@link LifecycleOp}s from one {@link Random}. Outside grace: the foundation operations
 * ({@link ModelOpGenerator}) and blocking requests aimed at other owners' locks (so that requests
 * wait, queue behind each other and close cycles), cancels, time (often exactly to a deadline),
 * clients coming and going, and restarts. During grace: mostly reclaims of restored records (same,
 * weaker or stronger type, sometimes through another client), reclaim-complete declarations,
 * releases that split restored records or span restored and reclaimed ones, and time. With faults
 * on: the store going down and up, and one-shot write failures (some landing first). Clients
 * register with a ttl now and then; under a lease policy they also send keep-alives (and fall
 * silent in between).
 */
final class LifecycleOpGenerator {
  private final Random rnd;
  private final LifecycleModel model;
  private final ModelOpGenerator basic;
  private int nextPending = 1;
  private int nextReclaimHandle = 10_000_000;
  private final boolean faults;

  /** Outside grace, by a draw in [0, 1000). */
  private final Ladder<LifecycleOp> normal =
      new Ladder<LifecycleOp>()
          .below(4, this::restart)
          .below(150, this::blocking)
          .below(185, this::cancel)
          .below(245, this::advance)
          .below(265, this::register)
          .below(280, () -> LifecycleOp.unregister(anyClient()))
          .below(287, () -> LifecycleOp.rebooted(anyClient()))
          .below(291, this::randomReclaim) // NOT_IN_GRACE
          .below(293, () -> LifecycleOp.reclaimComplete(anyClient()))
          .below(353, this::releaseBlocker)
          .below(363, this::zeroLengthAtABoundary)
          .below(378, this::extendAcrossABoundary)
          .otherwise(this::basicOp);

  /** During grace, by a draw in [0, 1000). */
  private final Ladder<LifecycleOp> inGrace =
      new Ladder<LifecycleOp>()
          .below(280, this::reclaimRestored)
          .below(310, this::randomReclaim)
          .below(380, this::reclaimOpen)
          .below(430, this::reclaimDone)
          .below(530, this::releaseRestored)
          .below(600, this::advance)
          .below(606, this::restart)
          .below(625, this::unregisterOrRegister)
          .below(632, () -> LifecycleOp.rebooted(anyClient()))
          .below(660, this::blocking) // GRACE_PERIOD
          .otherwise(this::basicOp);

  LifecycleOpGenerator(Random rnd, LifecycleModel model) {
    this(rnd, model, false);
  }

  /** With {@code faults}, the store goes down and up and single writes fail. */
  LifecycleOpGenerator(Random rnd, LifecycleModel model, boolean faults) {
    this.rnd = rnd;
    this.model = model;
    this.faults = faults;
    this.basic = new ModelOpGenerator(rnd, model.live);
  }

  LifecycleOp next() {
    if (faults || model.policy.leaseSeconds() > 0) {
      int r = rnd.nextInt(1000);
      if (faults && (r < 10 || (model.storeIsDown() && r < 60))) {
        return storeFault(); // outages last some 20 steps
      }
      if (model.policy.leaseSeconds() > 0 && r >= 900) {
        return LifecycleOp.keepAlive(rnd.nextInt(LifecycleModel.CLIENTS));
      }
    }
    return model.graceActive() ? inGrace() : normal();
  }

  /** Down (rarely for long), up, or one failing write, sometimes one that lands first. */
  private LifecycleOp storeFault() {
    if (model.storeIsDown()) {
      return new LifecycleOp.StoreDown(rnd.nextInt(3) == 0); // mostly up
    }
    if (rnd.nextInt(3) == 0) {
      return new LifecycleOp.StoreDown(true);
    }
    return new LifecycleOp.StoreFault(1 + rnd.nextInt(3), rnd.nextBoolean());
  }

  /** A restart, once the store is healthy (a crash with writes in flight is not modelled). */
  private LifecycleOp restart() {
    if (!model.storeSettled()) {
      return model.storeIsDown() ? new LifecycleOp.StoreDown(false) : new LifecycleOp.Advance(1);
    }
    return new LifecycleOp.Restart(rnd.nextBoolean());
  }

  private LifecycleOp register() {
    int ttl = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(40) : 0;
    return new LifecycleOp.Register(rnd.nextInt(LifecycleModel.CLIENTS), ttl);
  }

  private LifecycleOp normal() {
    int r = rnd.nextInt(1000);
    if (model.queued() > 12 && r < 500) {
      return rnd.nextBoolean() ? cancel() : advance();
    }
    return normal.pick(r);
  }

  /**
   * A POSIX request of a lock's type just before or after it (or a downgrade of its edge): the
   * grant coalesces across the lock's boundary, where a zero-length lock may sit.
   */
  private LifecycleOp extendAcrossABoundary() {
    int file = rnd.nextInt(FILES);
    List<Held> posix = posixRecords(file);
    if (posix.isEmpty()) {
      return basicOp();
    }
    List<Held> fenced = new ArrayList<>(); // with another owner's zero-length lock on an edge
    for (Held h : posix) {
      for (Held z : model.records(file)) {
        if (z.span().zero()
            && z.owner() != h.owner()
            && (z.span().lo() == h.span().lo() || z.span().lo() == h.span().hi() + 1)) {
          fenced.add(h);
        }
      }
    }
    Held h =
        !fenced.isEmpty() && rnd.nextInt(3) > 0
            ? fenced.get(rnd.nextInt(fenced.size()))
            : posix.get(rnd.nextInt(posix.size()));
    int lo = h.span().lo();
    int hi = h.span().hi();
    int k = 1 + rnd.nextInt(3);
    Span s;
    LockType type = h.type();
    if (rnd.nextInt(3) == 0) {
      s = rnd.nextBoolean() ? Span.cells(lo, lo) : Span.cells(hi, hi); // downgrade or no-op edge
      type = LockType.SHARED;
    } else if (rnd.nextBoolean() && hi < ReferenceLockModel.LAST) {
      s = Span.cells(hi + 1, Math.min(ReferenceLockModel.LAST, hi + k));
    } else if (lo > 0) {
      s = Span.cells(Math.max(0, lo - k), lo - 1);
    } else {
      s = h.span();
    }
    if (rnd.nextBoolean()) {
      return new LifecycleOp.Basic(
          new ModelOp.Acquire(h.owner(), file, LockFlavour.POSIX, type, s));
    }
    return new LifecycleOp.Blocking(
        nextPending++, h.owner(), file, LockFlavour.POSIX, type, s, 1 + rnd.nextInt(30));
  }

  /**
   * A WINDOWS zero-length lock on the boundary of a POSIX lock: it conflicts with nothing there
   * yet, but with any record that later joins the bytes on both of its sides (coalescing,
   * downgrades, reclaims: the corner where the conflict predicate depends on record boundaries).
   */
  private LifecycleOp zeroLengthAtABoundary() {
    int file = rnd.nextInt(FILES);
    List<Held> posix = posixRecords(file);
    if (posix.isEmpty()) {
      return basicOp();
    }
    Held h = posix.get(rnd.nextInt(posix.size()));
    int cell =
        rnd.nextBoolean() || h.span().hi() == ReferenceLockModel.LAST
            ? h.span().lo()
            : h.span().hi() + 1;
    int owner =
        ReferenceLockModel.POSIX_OWNERS + rnd.nextInt(OWNERS - ReferenceLockModel.POSIX_OWNERS);
    return new LifecycleOp.Basic(
        new ModelOp.Acquire(owner, file, LockFlavour.WINDOWS, type(), Span.zeroAt(cell)));
  }

  /** A release of a lock that blocks a queued request (so that the queue is re-checked). */
  private LifecycleOp releaseBlocker() {
    List<Held> blocking = new ArrayList<>();
    int file = rnd.nextInt(FILES);
    for (Req w : model.queue(file)) {
      for (Held h : model.records(file)) {
        if (ReferenceLockModel.conflicts(h, w.owner, w.type, w.span, false)) {
          blocking.add(h);
        }
      }
    }
    if (blocking.isEmpty()) {
      return basicOp();
    }
    Held h = blocking.get(rnd.nextInt(blocking.size()));
    Span s = h.flavour() == LockFlavour.POSIX && rnd.nextBoolean() ? subSpan(h.span()) : h.span();
    return new LifecycleOp.Basic(new ModelOp.Release(h.owner(), file, h.flavour(), s));
  }

  private LifecycleOp inGrace() {
    return inGrace.pick(rnd.nextInt(1000));
  }

  /** A reclaim-complete, mostly of a client that still has to declare it. */
  private LifecycleOp reclaimDone() {
    List<Integer> todo = new ArrayList<>(model.expectedClients());
    todo.removeAll(model.completedClients());
    int c =
        todo.isEmpty() || rnd.nextInt(4) == 0
            ? rnd.nextInt(LifecycleModel.CLIENTS)
            : todo.get(rnd.nextInt(todo.size()));
    return LifecycleOp.reclaimComplete(c);
  }

  /** The live POSIX records of {@code file}. */
  private List<Held> posixRecords(int file) {
    return model.live.records(file).stream().filter(h -> h.flavour() == LockFlavour.POSIX).toList();
  }

  /** An operation of the lock table's set. */
  private LifecycleOp basicOp() {
    return new LifecycleOp.Basic(basic.next());
  }

  private LifecycleOp unregisterOrRegister() {
    return rnd.nextBoolean() ? LifecycleOp.unregister(anyClient()) : register();
  }

  private int anyClient() {
    return rnd.nextInt(LifecycleModel.CLIENTS);
  }

  // ---------------------------------------------------------------- waiting

  private LockFlavour flavour(int owner) {
    LockFlavour held = model.flavourOf(owner);
    return held != null ? held : ModelOpGenerator.natural(owner);
  }

  /**
   * A blocking request, mostly aimed at another owner's lock or queued request (it waits), or an
   * upgrade of an own shared lock; sometimes a random range or the other flavour.
   */
  private LifecycleOp blocking() {
    int file = rnd.nextInt(FILES);
    int owner = rnd.nextInt(OWNERS);
    LockFlavour fl = flavour(owner);
    LockType type = type();
    Span span = null;
    int r = rnd.nextInt(100);
    List<Held> others = new ArrayList<>();
    for (Held h : model.records(file)) {
      if (h.owner() != owner) {
        others.add(h);
      }
    }
    for (Req w : model.queue(file)) {
      if (w.owner != owner) {
        others.add(w.asHeld());
      }
    }
    if (r < 60 && !others.isEmpty()) {
      Held target = others.get(rnd.nextInt(others.size()));
      Span t = target.span();
      if (!t.zero()) {
        span = subSpan(t);
      } else if (t.lo() > 0) {
        span = Span.cells(t.lo() - 1, t.lo()); // holds both bytes around the zero-length lock
      }
      if (!target.exclusive()) {
        type = rnd.nextInt(4) == 0 ? LockType.SHARED : LockType.EXCLUSIVE;
      }
    } else if (r < 75) {
      List<Held> own = model.live.records(file, owner);
      if (!own.isEmpty()) {
        Held h = own.get(rnd.nextInt(own.size()));
        span = subSpan(h.span());
        type = h.exclusive() ? LockType.SHARED : LockType.EXCLUSIVE;
      }
    } else if (r < 78) {
      fl = fl == LockFlavour.POSIX ? LockFlavour.WINDOWS : LockFlavour.POSIX;
    }
    if (span == null || (span.zero() && fl == LockFlavour.POSIX)) {
      span = basic.span(fl == LockFlavour.WINDOWS);
    }
    int timeout = rnd.nextInt(5) == 0 ? 0 : 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 60);
    return new LifecycleOp.Blocking(nextPending++, owner, file, fl, type, span, timeout);
  }

  private LifecycleOp cancel() {
    List<Req> queued = new ArrayList<>();
    for (int f = 0; f < FILES; f++) {
      queued.addAll(model.queue(f));
    }
    if (!queued.isEmpty() && rnd.nextInt(5) > 0) {
      return new LifecycleOp.Cancel(queued.get(rnd.nextInt(queued.size())).number);
    }
    return new LifecycleOp.Cancel(nextPending > 1 ? 1 + rnd.nextInt(nextPending - 1) : 1);
  }

  /** Small steps, exactly to a deadline (ties), or long ones. */
  private LifecycleOp advance() {
    int r = rnd.nextInt(10);
    if (r < 4) {
      List<Long> due = new ArrayList<>();
      for (int f = 0; f < FILES; f++) {
        for (Req w : model.queue(f)) {
          due.add(w.due);
        }
      }
      if (model.graceActive()) {
        due.add(model.graceRemainingNanos() + nowNanos());
      }
      if (!due.isEmpty()) {
        long left = due.get(rnd.nextInt(due.size())) - nowNanos();
        int s = (int) (left / LifecycleModel.SECOND);
        if (s > 0) {
          return new LifecycleOp.Advance(s);
        }
      }
    }
    if (r < 7) {
      return new LifecycleOp.Advance(rnd.nextInt(6));
    }
    return new LifecycleOp.Advance(5 + rnd.nextInt(rnd.nextInt(10) == 0 ? 120 : 40));
  }

  private long nowNanos() {
    return model.now();
  }

  // ---------------------------------------------------------------- grace

  private LifecycleOp reclaimRestored() {
    List<int[]> picks = new ArrayList<>();
    for (int f = 0; f < FILES; f++) {
      for (int i = 0; i < model.restored(f).size(); i++) {
        picks.add(new int[] {f, i});
      }
    }
    if (picks.isEmpty()) {
      return reclaimOpen();
    }
    int[] p = picks.get(rnd.nextInt(picks.size()));
    Held h = model.restored(p[0]).get(p[1]);
    int r = rnd.nextInt(100);
    LockType type = h.type();
    if (r < 15) {
      type = LockType.SHARED; // same or weaker
    } else if (r < 20) {
      type = LockType.EXCLUSIVE; // stronger than a shared record: not found
    }
    return new LifecycleOp.Reclaim(
        h.owner(), p[0], h.flavour(), type, h.span(), rnd.nextInt(25) == 0);
  }

  private LifecycleOp randomReclaim() {
    int owner = rnd.nextInt(OWNERS);
    LockFlavour fl = flavour(owner);
    return new LifecycleOp.Reclaim(
        owner, rnd.nextInt(FILES), fl, type(), basic.span(fl == LockFlavour.WINDOWS), false);
  }

  private LifecycleOp reclaimOpen() {
    int file = rnd.nextInt(FILES);
    List<OpenRec> restored = new ArrayList<>();
    for (OpenRec o : model.live.opens(file)) {
      if (model.isRestoredOpen(file, o.handle())) {
        restored.add(o);
      }
    }
    int handle = nextReclaimHandle++;
    if (!restored.isEmpty() && rnd.nextInt(5) > 0) {
      OpenRec o = restored.get(rnd.nextInt(restored.size()));
      int access = rnd.nextInt(3) == 0 ? o.access() & rnd.nextInt(8) : o.access();
      int deny = rnd.nextInt(3) == 0 ? o.deny() & rnd.nextInt(8) : o.deny();
      if (rnd.nextInt(10) == 0) {
        access |= 1 << rnd.nextInt(3); // maybe more than held: not found
      }
      return new LifecycleOp.ReclaimOpen(handle, o.owner(), file, access, deny);
    }
    return new LifecycleOp.ReclaimOpen(
        handle, rnd.nextInt(OWNERS), file, rnd.nextInt(8), rnd.nextInt(8));
  }

  /**
   * A release aimed at restored records: a WINDOWS one exactly, or a POSIX range from inside one
   * record of the owner to inside another (restored or reclaimed), splitting both.
   */
  private LifecycleOp releaseRestored() {
    int file = rnd.nextInt(FILES);
    List<Held> restored = model.restored(file);
    if (restored.isEmpty()) {
      return basicOp();
    }
    Held h = restored.get(rnd.nextInt(restored.size()));
    if (h.flavour() == LockFlavour.WINDOWS) {
      return new LifecycleOp.Basic(new ModelOp.Release(h.owner(), file, h.flavour(), h.span()));
    }
    List<Held> own = new ArrayList<>(model.live.records(file, h.owner()));
    for (Held x : restored) {
      if (x.owner() == h.owner()) {
        own.add(x);
      }
    }
    Held other = own.get(rnd.nextInt(own.size()));
    int a = h.span().lo() + rnd.nextInt(h.span().hi() - h.span().lo() + 1);
    int b = other.span().lo() + rnd.nextInt(other.span().hi() - other.span().lo() + 1);
    Span s = Span.cells(Math.min(a, b), Math.max(a, b));
    return new LifecycleOp.Basic(new ModelOp.Release(h.owner(), file, LockFlavour.POSIX, s));
  }

  // ---------------------------------------------------------------- helpers

  private Span subSpan(Span s) {
    if (s.zero() || rnd.nextInt(4) == 0) {
      return s;
    }
    int lo = s.lo() + rnd.nextInt(s.hi() - s.lo() + 1);
    return Span.cells(lo, lo + rnd.nextInt(s.hi() - lo + 1));
  }

  private LockType type() {
    return rnd.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
  }
}
