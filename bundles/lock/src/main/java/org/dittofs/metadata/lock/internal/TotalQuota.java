package org.dittofs.metadata.lock.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The total limit's count on one node (SPEC 8), exact, without one counter that every grant and
 * release of every thread writes: two threads granting on two files shared that line, which cost a
 * pair 50 to 110 ns of CPU more than with the limit off (benchmarks/README.md, fifth round).
 *
 * <p>{@code committed} is the quota taken from the limit: the records counted plus the allowances
 * the {@link #CELLS} cells hold, quota taken and not used yet. A thread grants from its cell's
 * allowance (a compare-and-set on the cell, which other threads seldom touch: cells are chosen by
 * thread) and refills it a chunk of {@value #CHUNK} at a time while the limit is at least {@link
 * #far} away; a release gives its records back to its cell while the cell holds at most two chunks
 * and the limit is far, else straight back to {@code committed}, where the room it makes is seen at
 * once. So {@code committed} never passes the limit, and the records, {@code committed} less the
 * cells' allowances, never pass it either.
 *
 * <p><b>Exact refusals.</b> A grant that its cell and no chunk can serve takes its records from
 * {@code committed} itself; if that passes the limit, it decides drained ({@link #drained}): one
 * drain at a time; while {@code draining} is set no chunk is taken; the drain waits until no chunk
 * is on its way to a cell ({@code moving} counts a chunk from before it checks {@code draining}
 * until its cell has it), then closes every cell, its allowance back in {@code committed}. A closed
 * cell grants nothing and takes nothing (a release goes to {@code committed}), so while the cells
 * are closed {@code committed} is exactly the records counted (and reserved by grants under way):
 * the grant fits or is refused against that, then the cells open again, empty. {@link #records}
 * reads the count the same way.
 *
 * <p><b>Concurrency.</b> {@code committed}, {@code moving}, {@code draining} and each cell's
 * allowance are atomic (compare-and-set, get-and-set; all accessed as volatiles, so in one total
 * order: a chunk that counted itself in {@code moving} after a drain saw {@code moving} at 0 sees
 * {@code draining} set and takes nothing); {@code drainLock} serialises drains and is a leaf (taken
 * under a table's monitor or a lane's lock, nothing taken under it). The cells are padded against
 * false sharing ({@link Cell}).
 */
final class TotalQuota {
  /** Cells (a power of 2): enough that the threads of a busy node seldom share one. */
  static final int CELLS = 16;

  /** The quota a cell takes from {@code committed} at a time. */
  static final int CHUNK = 32;

  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong moving = new AtomicLong(); // chunks on their way: "Exact refusals"
  private final AtomicInteger draining = new AtomicInteger(); // drains wanted or under way
  private final Object drainLock = new Object(); // one drain at a time
  private final Cell[] cells = new Cell[CELLS];

  TotalQuota() {
    for (int i = 0; i < CELLS; i++) {
      cells[i] = new Cell();
    }
  }

  /**
   * The room from which on cells take chunks: two chunks a cell, so that near the limit the quota
   * is in {@code committed} rather than in the cells' allowances, and a grant there seldom drains.
   */
  static long far() {
    return 2L * CHUNK * CELLS;
  }

  /**
   * Counts {@code n} (> 0) more records unless the records would pass {@code max}; returns false
   * (nothing counted) if they would.
   */
  boolean take(int n, long max) {
    Cell c = cell();
    if (c.takeHeld(n)) {
      return true;
    }
    if (draining.get() == 0 && max - committed.get() - n >= far() && takeChunk(c, n, max)) {
      return true;
    }
    if (addExact(n, max)) {
      return true;
    }
    return drained(() -> addExact(n, max));
  }

  /**
   * Counts {@code n} and gives cell {@code c} a chunk, if the room is still far and no drain is
   * under way; else false.
   */
  private boolean takeChunk(Cell c, int n, long max) {
    moving.incrementAndGet();
    try {
      if (draining.get() != 0) {
        return false;
      }
      while (true) {
        long cur = committed.get();
        if (max - cur - n < far()) {
          return false;
        }
        if (committed.compareAndSet(cur, cur + n + CHUNK)) {
          if (!c.offer(CHUNK, Long.MAX_VALUE)) {
            committed.addAndGet(-CHUNK); // a closed cell (no drain closes one before this ends)
          }
          return true;
        }
      }
    } finally {
      moving.decrementAndGet();
    }
  }

  /** Counts {@code n} (> 0) more records without a check (a release that splits, a restore). */
  void add(int n) {
    committed.addAndGet(n);
  }

  /** Counts {@code n} (> 0) records fewer: a release, or a grant that was not applied after all. */
  void give(int n, long max) {
    if (max - committed.get() < far() || !cell().offer(n, 2L * CHUNK)) {
      committed.addAndGet(-n); // near the limit, or a full or closed cell: seen at once
    }
  }

  /** The records counted, exactly: a drain's {@code committed}, no allowance left anywhere. */
  long records() {
    return drained(committed::get);
  }

  /** Starts counting from {@code records}, no allowance held (lock traffic held meanwhile). */
  void start(long records) {
    for (Cell c : cells) {
      c.set(0);
    }
    committed.set(records);
  }

  /**
   * Runs {@code then} drained ("Exact refusals"): one drain at a time ({@code drainLock}, a leaf:
   * taken under a table's monitor or a lane's lock, nothing taken under it); no chunk is taken
   * while {@code draining} is set; once no chunk is on its way, every cell is closed, its allowance
   * back in {@code committed}, so that {@code committed} is the records counted; the cells open
   * again (empty) after {@code then}.
   */
  private <T> T drained(java.util.function.Supplier<T> then) {
    draining.incrementAndGet();
    try {
      synchronized (drainLock) {
        for (int spins = 0; moving.get() != 0; spins++) {
          if (spins < 100) {
            Thread.onSpinWait(); // a chunk on its way to its cell
          } else {
            Thread.yield(); // its thread lost its core
          }
        }
        for (Cell c : cells) {
          long a = c.close();
          if (a > 0) {
            committed.addAndGet(-a);
          }
        }
        try {
          return then.get();
        } finally {
          for (Cell c : cells) {
            c.set(0);
          }
        }
      }
    } finally {
      draining.decrementAndGet();
    }
  }

  private boolean addExact(int n, long max) {
    return addWithin(committed, n, max);
  }

  /** Adds {@code n} to {@code counter} unless it would pass {@code max} (then false, no change). */
  static boolean addWithin(AtomicLong counter, int n, long max) {
    while (true) {
      long cur = counter.get();
      if (cur + n > max) {
        return false;
      }
      if (counter.compareAndSet(cur, cur + n)) {
        return true;
      }
    }
  }

  /** The calling thread's cell (by its id: threads made one after another get different cells). */
  private Cell cell() {
    long id = Thread.currentThread().getId();
    return cells[
        (int) ((id * 0x9E3779B97F4A7C15L) >>> (64 - Integer.numberOfTrailingZeros(CELLS)))];
  }

  /** A cell's allowance, padded on both sides: threads on other cells write theirs all the time. */
  static final class Cell extends CellValue {
    long q0, q1, q2, q3, q4, q5, q6, q7;

    /** The value of a cell closed by a drain: below any request, so nothing is taken from it. */
    static final long CLOSED = Long.MIN_VALUE;

    private static final VarHandle VALUE;

    static {
      try {
        VALUE = MethodHandles.lookup().findVarHandle(CellValue.class, "allowance", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    void set(long v) {
      allowance = v;
    }

    /** Takes {@code n} from the allowance if it holds that much. */
    boolean takeHeld(int n) {
      while (true) {
        long a = allowance;
        if (a < n) {
          return false;
        }
        if (VALUE.compareAndSet(this, a, a - n)) {
          return true;
        }
      }
    }

    /**
     * Adds {@code n} to the allowance if it stays within {@code cap} and the cell is open; false
     * (nothing added) if not.
     */
    boolean offer(long n, long cap) {
      while (true) {
        long a = allowance;
        if (a == CLOSED || a + n > cap) {
          return false;
        }
        if (VALUE.compareAndSet(this, a, a + n)) {
          return true;
        }
      }
    }

    /** Closes the cell for a drain; returns the allowance it held. */
    long close() {
      return (long) VALUE.getAndSet(this, CLOSED);
    }
  }

  /** Padding before the allowance (see {@link Cell}). */
  abstract static class CellPadding {
    long p0, p1, p2, p3, p4, p5, p6, p7;
  }

  /** The allowance (see {@link Cell}). */
  abstract static class CellValue extends CellPadding {
    volatile long allowance;
  }
}
