package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.internal.ModelHarness.Mismatch;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.OpenRec;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * Compares the full state of the manager with the model, file by file: every record is
 * cell-aligned, of a known owner, this file and the current epoch, ordered by first byte then id,
 * and never reuses an id for a different record; per POSIX owner the bytes and types equal the
 * model's byte map, records do not overlap and are maximal (as many records as the model has
 * same-type runs, so no two same-type records overlap or touch); per WINDOWS owner the multiset of
 * (range, type) equals the model's; the opens (ordered by id) equal the model's.
 */
final class ModelStateComparison {
  /** The order of snapshots and reports: first byte (unsigned), then id (oldest first). */
  static final Comparator<Lock> ORDER =
      (a, b) -> {
        int c = Long.compareUnsigned(a.range().first(), b.range().first());
        return c != 0 ? c : a.id().compareTo(b.id());
      };

  private final LockManager manager;
  private final ReferenceLockModel model;
  private final Map<Integer, LockId> handles;
  private final Map<LockId, Object> seen;
  private final BiFunction<String, String, Mismatch> mismatch;

  /**
   * @param handles open handles of the ops to the real open ids
   * @param seen every id seen so far with the record (or open) it named
   * @param mismatch makes the error for a difference of a kind
   */
  ModelStateComparison(
      LockManager manager,
      ReferenceLockModel model,
      Map<Integer, LockId> handles,
      Map<LockId, Object> seen,
      BiFunction<String, String, Mismatch> mismatch) {
    this.manager = manager;
    this.model = model;
    this.handles = handles;
    this.seen = seen;
    this.mismatch = mismatch;
  }

  /** Compares every file; returns the real locks per file (the verified snapshot). */
  List<List<Lock>> compare() {
    List<List<Lock>> fresh = new ArrayList<>();
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      List<Lock> real = manager.locks(ModelHarness.FILES[f]);
      fresh.add(real);
      checkLocks(f, real);
      checkOpens(f);
    }
    return fresh;
  }

  private void checkLocks(int f, List<Lock> real) {
    List<List<Lock>> byOwner = new ArrayList<>();
    for (int o = 0; o < ReferenceLockModel.OWNERS; o++) {
      byOwner.add(new ArrayList<>());
    }
    Lock prev = null;
    for (Lock l : real) {
      if (prev != null && ORDER.compare(prev, l) >= 0) {
        throw mismatch.apply(
            "state", "locks(f" + f + ") not ordered by first byte, then id: " + real);
      }
      prev = l;
      Integer o = ModelHarness.ownerIndex(l.owner());
      Span s = Span.of(l.range());
      if (o == null
          || !l.file().equals(ModelHarness.FILES[f])
          || s == null
          || l.epoch() != manager.epoch()) {
        throw mismatch.apply(
            "state",
            "record " + l + " on f" + f + " has a foreign owner/file/epoch or unmodelled bounds");
      }
      Held h = new Held(o, l.flavour(), s, l.type());
      Object before = seen.putIfAbsent(l.id(), h);
      if (before != null && !before.equals(h)) {
        throw mismatch.apply("ids", "id " + l.id() + " reused: was " + before + ", now " + l);
      }
      byOwner.get(o).add(l);
    }
    for (int o = 0; o < ReferenceLockModel.OWNERS; o++) {
      checkOwner(f, o, byOwner.get(o));
    }
  }

  private void checkOwner(int f, int o, List<Lock> mine) {
    checkOwner(model, f, o, mine, mismatch);
  }

  /**
   * One owner's records on file {@code f} that the model keeps as live locks: each of the model's
   * flavour for the owner; POSIX records do not overlap, hold the bytes and types of the model's
   * byte map and are maximal (as many records as same-type runs); WINDOWS records are the model's
   * multiset of (range, type).
   */
  static void checkOwner(
      ReferenceLockModel model,
      int f,
      int o,
      List<Lock> mine,
      BiFunction<String, String, Mismatch> mismatch) {
    String who = ModelOp.ownerName(o) + " on f" + f;
    LockFlavour flavour = model.flavourOf(o);
    LockType[] realBytes = new LockType[ReferenceLockModel.CELLS];
    int posixRecords = 0;
    List<String> realWindows = new ArrayList<>();
    for (Lock l : mine) {
      if (l.flavour() != flavour) {
        throw mismatch.apply(
            "state", who + ": record " + l + " but the model's flavour is " + flavour);
      }
      Span s = Span.of(l.range());
      if (l.flavour() == LockFlavour.POSIX) {
        posixRecords++;
        for (int c = s.lo(); c <= s.hi(); c++) {
          if (realBytes[c] != null) {
            throw mismatch.apply(
                "state", who + ": POSIX records overlap at " + cell(c) + ": " + mine);
          }
          realBytes[c] = l.type();
        }
      } else {
        realWindows.add(l.type() + " " + s);
      }
    }
    for (int c = 0; c < ReferenceLockModel.CELLS; c++) {
      LockType expected = model.posixType(f, o, c);
      if (expected != realBytes[c]) {
        throw mismatch.apply(
            "state",
            who
                + ": byte "
                + cell(c)
                + " is "
                + realBytes[c]
                + " in the table, "
                + expected
                + " in the model; table: "
                + mine);
      }
    }
    int runs = model.posixRuns(f, o).size();
    if (posixRecords != runs) {
      throw mismatch.apply(
          "coalescing",
          who
              + ": "
              + posixRecords
              + " POSIX records for "
              + runs
              + " maximal runs (same-type records must be coalesced): "
              + mine);
    }
    List<String> modelWindows = new ArrayList<>();
    for (Held h : model.windowsRecords(f, o)) {
      modelWindows.add(h.type() + " " + h.span());
    }
    realWindows.sort(null);
    modelWindows.sort(null);
    if (!realWindows.equals(modelWindows)) {
      throw mismatch.apply(
          "state", who + ": WINDOWS records " + realWindows + ", model " + modelWindows);
    }
  }

  private void checkOpens(int f) {
    List<ShareReservation> real = manager.opens(ModelHarness.FILES[f]);
    List<OpenRec> expected = model.opens(f);
    boolean ok = real.size() == expected.size();
    for (int i = 1; ok && i < real.size(); i++) {
      ok = real.get(i - 1).id().compareTo(real.get(i).id()) < 0; // ordered by id
    }
    for (int i = 0; ok && i < expected.size(); i++) {
      OpenRec e = expected.get(i);
      LockId id = handles.get(e.handle());
      ok =
          real.stream()
              .anyMatch(
                  s ->
                      s.id().equals(id)
                          && s.owner().equals(ModelHarness.OWNERS[e.owner()])
                          && s.accessMask() == e.access()
                          && s.denyMask() == e.deny());
    }
    if (!ok) {
      throw mismatch.apply(
          "opens", "f" + f + ": table " + real + ", model " + expected + " " + handles);
    }
  }

  private static String cell(int c) {
    return c == ReferenceLockModel.GAP
        ? "[64, EOF-8] (gap)"
        : ReferenceLockModel.offset(ReferenceLockModel.firstByte(c));
  }
}
