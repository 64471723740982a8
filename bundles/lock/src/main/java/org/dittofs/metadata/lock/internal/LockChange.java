package org.dittofs.metadata.lock.internal;

import java.util.List;
import org.dittofs.metadata.lock.Lock;

/**
 * The records one request removes from and adds to a file's table, computed before anything is
 * applied so that the whole change can be checked, persisted and applied (or undone) as one unit.
 * Immutable.
 *
 * @param removed records that disappear
 * @param added records that appear, with fresh ids
 * @param result the record the caller is answered with (a POSIX grant's covering record, a WINDOWS
 *     grant's new record), or null for releases
 */
record LockChange(List<Lock> removed, List<Lock> added, Lock result) {
  static final LockChange NONE = new LockChange(List.of(), List.of(), null);

  LockChange {
    removed = List.copyOf(removed);
    added = List.copyOf(added);
  }

  /** A grant that needs no change: {@code covering} already holds the bytes. */
  static LockChange unchanged(Lock covering) {
    return new LockChange(List.of(), List.of(), covering);
  }

  boolean isEmpty() {
    return removed.isEmpty() && added.isEmpty();
  }

  /** Net change of the number of records. */
  int delta() {
    return added.size() - removed.size();
  }
}
