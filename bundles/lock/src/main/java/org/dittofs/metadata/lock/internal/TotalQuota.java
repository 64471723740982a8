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
 * thread) and refills it a chunk of {@value #CHUNK} at a time, and a release gives its records back
 * to its cell (a cell holding more than two chunks gives the rest back to {@code committed}). So
 * {@code committed} never passes the limit, and the records, {@code committed} less the cells'
 * allowances, never pass it either.
 *
 * <p><b>Exact refusals.</b> Chunks are taken only while the limit leaves at least {@link #far}
 * room. A grant that its cell cannot serve and that no chunk can serve takes its records from
 * {@code committed} itself; if that passes the limit, it drains: while {@code draining} is above 0
 * no chunk is taken; it waits until no chunk is on its way to a cell ({@code moving}: a chunk is
 * counted there from before its compare-and-set on {@code committed} until its cell has it, and a
 * chunk that finds {@code draining} set there is not taken), takes back every cell's allowance
 * ({@link #reclaim}) and tries {@code committed} again; only then does it refuse. By then every
 * allowance made before the drain is back in {@code committed}, no chunk was taken since, and an
 * allowance a release made since belongs to a release concurrent with the refused grant. A cell
 * holds at most about two chunks: a release gives its records to its cell below that, else (and
 * near the limit) straight back to {@code committed}, where the room it makes is seen at once.
 *
 * <p><b>Concurrency.</b> {@code committed}, {@code moving}, {@code draining} and each cell's
 * allowance are atomic (compare-and-set, get-and-set; all accessed as volatiles, so in one total
 * order: a chunk that counted itself in {@code moving} after a drain saw {@code moving} at 0 sees
 * {@code draining} set); nothing else is shared. The cells are padded against false sharing ({@link
 * Cell}).
 */
final class TotalQuota {
  /** Cells (a power of 2): enough that the threads of a busy node seldom share one. */
  static final int CELLS = 16;

  /** The quota a cell takes from {@code committed} at a time. */
  static final int CHUNK = 32;

  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong moving = new AtomicLong(); // chunks on their way: "Exact refusals"
  private final AtomicInteger draining = new AtomicInteger(); // refusals being decided
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
    draining.incrementAndGet();
    try {
      while (moving.get() != 0) {
        Thread.onSpinWait(); // a chunk on its way to its cell
      }
      reclaim();
      return addExact(n, max);
    } finally {
      draining.decrementAndGet();
    }
  }

  /**
   * Counts {@code n} and gives cell {@code c} a chunk, if the room is still far and no refusal is
   * being decided; else false.
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
          c.give(CHUNK);
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
    Cell c = cell();
    if (max - committed.get() < far() || c.get() >= 2L * CHUNK) {
      committed.addAndGet(-n); // near the limit the room is seen at once
    } else {
      c.give(n);
    }
  }

  /** The records counted: {@code committed} less the cells' allowances (a snapshot). */
  long records() {
    long allowances = 0;
    for (Cell c : cells) {
      allowances += c.get();
    }
    return committed.get() - allowances;
  }

  /** Starts counting from {@code records}, no allowance held (lock traffic held meanwhile). */
  void start(long records) {
    for (Cell c : cells) {
      c.set(0);
    }
    committed.set(records);
  }

  /** Takes every cell's allowance back into {@code committed}. */
  private void reclaim() {
    for (Cell c : cells) {
      long a = c.takeAll();
      if (a > 0) {
        committed.addAndGet(-a);
      }
    }
  }

  private boolean addExact(int n, long max) {
    while (true) {
      long cur = committed.get();
      if (cur + n > max) {
        return false;
      }
      if (committed.compareAndSet(cur, cur + n)) {
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

    private static final VarHandle VALUE;

    static {
      try {
        VALUE = MethodHandles.lookup().findVarHandle(CellValue.class, "allowance", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    long get() {
      return allowance;
    }

    void set(long v) {
      allowance = v;
    }

    boolean compareAndSet(long expect, long update) {
      return VALUE.compareAndSet(this, expect, update);
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

    /** Adds {@code n} to the allowance; returns the new allowance. */
    long give(long n) {
      return (long) VALUE.getAndAdd(this, n) + n;
    }

    /** Empties the allowance; returns what it held. */
    long takeAll() {
      return (long) VALUE.getAndSet(this, 0L);
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
