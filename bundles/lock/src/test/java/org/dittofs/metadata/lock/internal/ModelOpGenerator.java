package org.dittofs.metadata.lock.internal;

import static org.dittofs.metadata.lock.internal.ReferenceLockModel.CELLS;
import static org.dittofs.metadata.lock.internal.ReferenceLockModel.FILES;
import static org.dittofs.metadata.lock.internal.ReferenceLockModel.GAP;
import static org.dittofs.metadata.lock.internal.ReferenceLockModel.HIGH;
import static org.dittofs.metadata.lock.internal.ReferenceLockModel.LAST;
import static org.dittofs.metadata.lock.internal.ReferenceLockModel.OWNERS;
import static org.dittofs.metadata.lock.internal.ReferenceLockModel.POSIX_OWNERS;
import static org.dittofs.metadata.lock.internal.ReferenceLockModel.WINDOW;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.OpenRec;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * Random operations for the model-based test, from one {@link Random}. It looks at the model's
 * state to aim at interesting cases (re-typing a sub-range of an owned lock, releasing exactly an
 * owned Windows range, closing a live open) and keeps tables small by releasing more when a file
 * holds many records. Every range is cell-aligned ({@link Span}), so the model is exact on it.
 */
final class ModelOpGenerator {
  private final Random rnd;
  private final ReferenceLockModel model;
  private final List<Integer> handles = new ArrayList<>();
  private int nextHandle = 1;

  ModelOpGenerator(Random rnd, ReferenceLockModel model) {
    this.rnd = rnd;
    this.model = model;
  }

  static LockFlavour natural(int owner) {
    return owner < POSIX_OWNERS ? LockFlavour.POSIX : LockFlavour.WINDOWS;
  }

  /** The flavour of the owner's locks, or its natural one while it holds none. */
  private LockFlavour flavour(int owner) {
    LockFlavour held = model.flavourOf(owner);
    return held != null ? held : natural(owner);
  }

  ModelOp next() {
    int file = rnd.nextInt(FILES);
    int owner = rnd.nextInt(OWNERS);
    LockFlavour fl = flavour(owner);
    List<Held> onFile = model.records(file);
    if (onFile.size() > 24 && rnd.nextBoolean()) {
      Held h = onFile.get(rnd.nextInt(onFile.size()));
      return new ModelOp.Release(h.owner(), file, h.flavour(), h.span());
    }
    if (fl != natural(owner) && rnd.nextBoolean()) { // release a switched owner's locks again
      for (int f = 0; f < FILES; f++) {
        List<Held> own = model.records((file + f) % FILES, owner);
        if (!own.isEmpty()) {
          return new ModelOp.Release(owner, (file + f) % FILES, fl, pick(own).span());
        }
      }
    }
    if (model.opens(file).size() > 6 && rnd.nextBoolean()) {
      return close(file);
    }
    int r = rnd.nextInt(100);
    if (r < 28) {
      return new ModelOp.Acquire(owner, file, fl, type(), span(fl == LockFlavour.WINDOWS));
    }
    if (r < 38) {
      return retype(owner, file);
    }
    if (r < 56) {
      return release(owner, file);
    }
    if (r < 66) {
      return new ModelOp.Test(owner, file, fl, type(), span(fl == LockFlavour.WINDOWS));
    }
    if (r < 71) {
      return acquireAll(file);
    }
    if (r < 75) {
      return releaseAll(file);
    }
    if (r < 81) {
      int handle = nextHandle++;
      handles.add(handle);
      int deny = rnd.nextInt(5) < 2 ? rnd.nextInt(8) : 0;
      return new ModelOp.Open(handle, owner, file, rnd.nextInt(8), deny);
    }
    if (r < 84) {
      return downgradeOpen(file);
    }
    if (r < 88) {
      return close(file);
    }
    if (r < 97) {
      LockingMode mode = rnd.nextBoolean() ? LockingMode.ADVISORY : LockingMode.MANDATORY;
      return new ModelOp.IoCheck(owner, file, rnd.nextBoolean(), mode, span(false));
    }
    return wrongFlavour(owner, file);
  }

  /** Upgrade or downgrade: the other type over a sub-range of one of the owner's locks. */
  private ModelOp retype(int owner, int file) {
    List<Held> own = model.records(file, owner);
    if (own.isEmpty()) {
      LockFlavour fl = flavour(owner);
      return new ModelOp.Acquire(owner, file, fl, type(), span(fl == LockFlavour.WINDOWS));
    }
    Held h = own.get(rnd.nextInt(own.size()));
    LockType other = h.exclusive() ? LockType.SHARED : LockType.EXCLUSIVE;
    return new ModelOp.Acquire(owner, file, h.flavour(), other, subSpan(h.span()));
  }

  private ModelOp release(int owner, int file) {
    List<Held> own = model.records(file, owner);
    int r = rnd.nextInt(100);
    if (flavour(owner) == LockFlavour.POSIX) {
      if (r < 2) { // a zero-length range holds no byte: releasing it must release nothing
        return new ModelOp.Release(owner, file, LockFlavour.POSIX, Span.zeroAt(zeroCell()));
      }
      Span s = r < 50 && !own.isEmpty() ? subSpan(pick(own).span()) : span(false);
      return new ModelOp.Release(owner, file, LockFlavour.POSIX, s);
    }
    Span s = r < 70 && !own.isEmpty() ? pick(own).span() : span(true);
    return new ModelOp.Release(owner, file, LockFlavour.WINDOWS, s);
  }

  private ModelOp acquireAll(int file) {
    if (rnd.nextInt(20) == 0) { // multi-range POSIX requests are refused
      int owner = ownerOf(LockFlavour.POSIX);
      return new ModelOp.AcquireAll(
          owner,
          file,
          LockFlavour.POSIX,
          List.of(
              new ModelOp.Element(type(), span(false)), new ModelOp.Element(type(), span(false))));
    }
    int owner = ownerOf(LockFlavour.WINDOWS);
    List<Held> own = model.records(file, owner);
    int n = 1 + rnd.nextInt(4);
    List<ModelOp.Element> elements = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int r = rnd.nextInt(100);
      Span s;
      if (r < 50) {
        s = span(true);
      } else if (r < 75 && !own.isEmpty()) {
        s = subSpan(pick(own).span());
      } else if (i > 0) {
        s = subSpan(elements.get(rnd.nextInt(i)).span()); // overlaps an earlier element
      } else {
        s = span(true);
      }
      elements.add(new ModelOp.Element(type(), s));
    }
    return new ModelOp.AcquireAll(owner, file, LockFlavour.WINDOWS, elements);
  }

  private ModelOp releaseAll(int file) {
    int n = 1 + rnd.nextInt(4);
    List<Span> spans = new ArrayList<>();
    if (rnd.nextInt(7) == 0) {
      int owner = ownerOf(LockFlavour.POSIX);
      for (int i = 0; i < n; i++) {
        spans.add(span(false));
      }
      return new ModelOp.ReleaseAll(owner, file, LockFlavour.POSIX, spans);
    }
    int owner = ownerOf(LockFlavour.WINDOWS);
    List<Held> own = model.records(file, owner);
    for (int i = 0; i < n; i++) {
      spans.add(rnd.nextInt(5) > 0 && !own.isEmpty() ? pick(own).span() : span(true));
    }
    return new ModelOp.ReleaseAll(owner, file, LockFlavour.WINDOWS, spans);
  }

  private ModelOp downgradeOpen(int file) {
    List<OpenRec> live = model.opens(file);
    int r = rnd.nextInt(100);
    if (r < 80 && !live.isEmpty()) {
      OpenRec o = live.get(rnd.nextInt(live.size()));
      return new ModelOp.OpenDowngrade(
          o.handle(), file, o.access() & rnd.nextInt(8), o.deny() & rnd.nextInt(8));
    }
    if (r < 95 && !live.isEmpty()) { // usually not a subset
      OpenRec o = live.get(rnd.nextInt(live.size()));
      int bit = 1 << rnd.nextInt(3);
      return rnd.nextBoolean()
          ? new ModelOp.OpenDowngrade(o.handle(), file, o.access() | bit, o.deny())
          : new ModelOp.OpenDowngrade(o.handle(), file, o.access(), o.deny() | bit);
    }
    return new ModelOp.OpenDowngrade(anyHandle(), file, rnd.nextInt(8), rnd.nextInt(8));
  }

  private ModelOp close(int file) {
    List<OpenRec> live = model.opens(file);
    if (rnd.nextInt(100) < 80 && !live.isEmpty()) {
      return new ModelOp.Close(live.get(rnd.nextInt(live.size())).handle(), file);
    }
    return new ModelOp.Close(anyHandle(), file);
  }

  /**
   * A request with the other flavour: refused while the owner holds locks; once it holds none, a
   * lock of the other flavour is granted and becomes the owner's flavour.
   */
  private ModelOp wrongFlavour(int owner, int file) {
    LockFlavour wrong =
        flavour(owner) == LockFlavour.POSIX ? LockFlavour.WINDOWS : LockFlavour.POSIX;
    int r = rnd.nextInt(3);
    if (r == 0) {
      return new ModelOp.Acquire(owner, file, wrong, type(), span(false));
    }
    if (r == 1) {
      return new ModelOp.Test(owner, file, wrong, type(), span(false));
    }
    return new ModelOp.Release(owner, file, wrong, span(false));
  }

  /** A random owner whose current flavour is {@code f} (a natural one if there is none). */
  private int ownerOf(LockFlavour f) {
    List<Integer> candidates = new ArrayList<>();
    for (int o = 0; o < OWNERS; o++) {
      if (flavour(o) == f) {
        candidates.add(o);
      }
    }
    if (candidates.isEmpty()) {
      return f == LockFlavour.POSIX
          ? rnd.nextInt(POSIX_OWNERS)
          : POSIX_OWNERS + rnd.nextInt(OWNERS - POSIX_OWNERS);
    }
    return candidates.get(rnd.nextInt(candidates.size()));
  }

  /** A handle that may be live, closed, never granted, or never issued. */
  private int anyHandle() {
    return handles.isEmpty() || rnd.nextInt(10) == 0
        ? nextHandle + 1000
        : handles.get(rnd.nextInt(handles.size()));
  }

  /**
   * A cell-aligned range: mostly small ranges in the window, some to end of file, some inside the
   * last eight bytes, some from the window into the gap or the last bytes, the whole file, and
   * (Windows only) zero-length ranges.
   */
  Span span(boolean allowZero) {
    int r = rnd.nextInt(100);
    if (allowZero && r < 8) {
      return Span.zeroAt(zeroCell());
    }
    if (r < 70) {
      int lo = rnd.nextInt(WINDOW);
      int len = 1 + rnd.nextInt(1 + rnd.nextInt(16));
      return Span.cells(lo, Math.min(WINDOW - 1, lo + len - 1));
    }
    if (r < 80) {
      return Span.cells(rnd.nextInt(WINDOW + 1), LAST);
    }
    if (r < 88) {
      int lo = GAP + 1 + rnd.nextInt(HIGH);
      return Span.cells(lo, lo + rnd.nextInt(CELLS - lo));
    }
    if (r < 96) {
      return Span.cells(rnd.nextInt(WINDOW + 1), GAP + rnd.nextInt(HIGH + 1));
    }
    return Span.cells(0, LAST);
  }

  private int zeroCell() {
    return rnd.nextInt(10) < 8 ? rnd.nextInt(WINDOW + 1) : GAP + 1 + rnd.nextInt(HIGH);
  }

  private Span subSpan(Span s) {
    if (s.zero() || rnd.nextInt(5) == 0) {
      return s;
    }
    int lo = s.lo() + rnd.nextInt(s.hi() - s.lo() + 1);
    return Span.cells(lo, lo + rnd.nextInt(s.hi() - lo + 1));
  }

  private LockType type() {
    return rnd.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
  }

  private Held pick(List<Held> list) {
    return list.get(rnd.nextInt(list.size()));
  }
}
