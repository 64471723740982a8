package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockId;

/**
 * Keeps the restored marks of a file's records in step with its changes during grace (SPEC 11): a
 * restored record that is released or reclaimed stops counting as outstanding, and the pieces a
 * release splits off a restored record stay restored. When no restored record is outstanding any
 * more, grace ends early, after the table's monitor is released.
 *
 * <p>Concurrency: no state of its own; every method runs under the table's monitor and takes only
 * the grace period's leaf monitor.
 */
final class RestoredMarks {
  private final GracePeriod grace;

  RestoredMarks(GracePeriod grace) {
    this.grace = grace;
  }

  /**
   * Keeps the restored marks of a release: removed restored records are gone, their pieces stay
   * restored. Only the pieces of a restored record are marked (a piece lies inside its parent, and
   * an owner's POSIX records are disjoint): the pieces of a live (reclaimed) record that the same
   * release split stay live, so the end of grace does not drop them.
   */
  void released(FileLockTable t, List<Lock> removed, List<Lock> added, Deferred d) {
    if (!t.hasRestored()) {
      return;
    }
    int gone = 0;
    List<Lock> parents = new ArrayList<>(1);
    for (Lock l : removed) {
      if (t.unmarkRestored(l.id())) {
        gone++;
        parents.add(l);
      }
    }
    for (Lock piece : added) {
      for (Lock parent : parents) {
        if (parent.owner().equals(piece.owner()) && parent.range().encloses(piece.range())) {
          t.markRestored(piece.id());
          gone--;
          break;
        }
      }
    }
    settle(t, gone, d);
  }

  /** A record (an open) left the table; counts it if it was restored. */
  void closed(FileLockTable t, LockId id, Deferred d) {
    if (!t.hasRestored()) {
      return;
    }
    settle(t, t.unmarkRestored(id) ? 1 : 0, d);
  }

  /**
   * A restored record was reclaimed (replaced by the reclaimed one, already unmarked): counts the
   * reclaim, ending grace early if it was the last outstanding record.
   */
  void reclaimed(FileLockTable t, Deferred d) {
    if (grace.reclaimed()) {
      d.later(grace::endEarly);
    }
    settle(t, 0, d);
  }

  /** Counts restored records that left a table; ends grace early once none is outstanding. */
  private void settle(FileLockTable t, int gone, Deferred d) {
    t.dropRestoredIfNone();
    if (gone != 0 && grace.restoredGone(gone)) {
      d.later(grace::endEarly);
    }
  }
}
