package org.dittofs.metadata.lock.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.lock.LockId;

/**
 * Cheap unique ids: the server epoch plus a sequence number. Epochs are incremented at every start,
 * so ids never repeat across restarts; within an epoch, ids are unique.
 *
 * <p>Sequence numbers are handed to each file table in blocks of {@value #BLOCK} taken from one
 * atomic counter, and the table hands them out one by one under its monitor: ids of one file are
 * ordered by creation (a table takes its next block only when its current one is used up, and every
 * block is above all earlier ones), which is the order conflicts and listings of a file need ("the
 * oldest first"); ids of different files are unique but their order says nothing. So threads
 * working on different files do not write one shared counter for every lock (at most one
 * compare-and-set per {@value #BLOCK} ids per file). A retired table's unused numbers are skipped.
 *
 * <p>Concurrency: {@code sequence} is atomic; each table's position in its block is the table's own
 * state, guarded by its monitor, held by every caller of {@link #next(FileLockTable)}.
 */
final class LockIdGenerator {
  static final int BLOCK = 64;

  private final long epoch;
  private final AtomicLong sequence = new AtomicLong();

  LockIdGenerator(long epoch) {
    this.epoch = epoch;
  }

  /** The next id of a record (lock, open or waiter) of the file of {@code t}. */
  LockId next(FileLockTable t) {
    return new LockId(epoch, t.nextSequence(this));
  }

  /** Takes the next block of {@value #BLOCK} sequence numbers; returns its last number. */
  long takeBlock() {
    return sequence.addAndGet(BLOCK);
  }

  long epoch() {
    return epoch;
  }
}
