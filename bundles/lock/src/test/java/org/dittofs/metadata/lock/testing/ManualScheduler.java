package org.dittofs.metadata.lock.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import org.dittofs.metadata.lock.host.LockScheduler;

/**
 * A {@link LockScheduler} on virtual time, for tests: nothing happens until the test calls {@link
 * #advance}. Time starts at the given instant; {@link #nanoTime()} is the virtual time elapsed
 * since then, in nanoseconds.
 *
 * <p>{@link #advance} runs every task that falls due within the window, on the calling thread (the
 * test's "timer thread"), in due-time order, ties in scheduling order, with the clock set to each
 * task's due time while it runs. Tasks scheduled by those tasks run in the same call if they fall
 * due within the window. If tasks throw, the window still completes and the first failure is
 * rethrown at the end with the others suppressed.
 *
 * <p>Thread-safe: the clock and the queue are guarded by one monitor, which is never held while a
 * task runs, so tests may schedule and cancel from other threads while one thread advances. Calls
 * to {@link #advance} are serialised; calling it from inside a task is an error.
 */
public final class ManualScheduler implements LockScheduler {
  private static final Comparator<Task> DUE_ORDER =
      Comparator.comparingLong((Task t) -> t.due).thenComparingLong(t -> t.seq);

  private final Instant origin;
  private final ReentrantLock advancing = new ReentrantLock();
  private final Object monitor = new Object();
  private final TreeSet<Task> queue = new TreeSet<>(DUE_ORDER); // guarded by monitor
  private long elapsed; // virtual nanoseconds since origin; guarded by monitor
  private long nextSeq; // guarded by monitor

  /** A scheduler whose clock starts at {@code start}. */
  public ManualScheduler(Instant start) {
    this.origin = Objects.requireNonNull(start, "start");
  }

  /** A scheduler whose clock starts at 2024-01-01T00:00:00Z. */
  public ManualScheduler() {
    this(Instant.parse("2024-01-01T00:00:00Z"));
  }

  @Override
  public Instant now() {
    synchronized (monitor) {
      return origin.plusNanos(elapsed);
    }
  }

  @Override
  public long nanoTime() {
    synchronized (monitor) {
      return elapsed;
    }
  }

  /** A negative delay counts as zero: the task runs at the next {@link #advance}, even of zero. */
  @Override
  public Timer schedule(Runnable task, Duration delay) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(delay, "delay");
    synchronized (monitor) {
      Task t = new Task(task, saturatedAdd(elapsed, Math.max(0, nanos(delay))), nextSeq++);
      queue.add(t);
      return t;
    }
  }

  /**
   * Moves the clock forward by {@code d}, running every task due by the new time (see the class
   * comment). {@code advance(Duration.ZERO)} runs the tasks due now.
   *
   * @throws IllegalArgumentException if {@code d} is negative
   * @throws IllegalStateException if called from a task
   */
  public void advance(Duration d) {
    Objects.requireNonNull(d, "d");
    if (d.isNegative()) {
      throw new IllegalArgumentException("time only moves forward: " + d);
    }
    if (advancing.isHeldByCurrentThread()) {
      throw new IllegalStateException("advance() called from a timer task");
    }
    advancing.lock();
    try {
      runWindow(d);
    } finally {
      advancing.unlock();
    }
  }

  /** Number of tasks scheduled since this scheduler was made, whatever became of them. */
  public long scheduledTasks() {
    synchronized (monitor) {
      return nextSeq;
    }
  }

  /** Number of tasks scheduled that have neither run nor been cancelled. */
  public int pendingTasks() {
    synchronized (monitor) {
      return queue.size();
    }
  }

  private void runWindow(Duration d) {
    long target;
    synchronized (monitor) {
      target = saturatedAdd(elapsed, nanos(d));
    }
    List<Throwable> failures = new ArrayList<>();
    for (Task next = takeDue(target); next != null; next = takeDue(target)) {
      try {
        next.task.run();
      } catch (RuntimeException | Error e) {
        failures.add(e);
      }
    }
    synchronized (monitor) {
      elapsed = target;
    }
    if (!failures.isEmpty()) {
      Throwable first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      if (first instanceof Error e) {
        throw e;
      }
      throw (RuntimeException) first;
    }
  }

  /** Removes the first task due by {@code target}, marks it started and moves the clock to it. */
  private Task takeDue(long target) {
    synchronized (monitor) {
      Task first = queue.isEmpty() ? null : queue.first();
      if (first == null || first.due > target) {
        return null;
      }
      queue.pollFirst();
      first.started = true;
      elapsed = Math.max(elapsed, first.due);
      return first;
    }
  }

  private static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException overflow) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  private final class Task implements Timer {
    final Runnable task;
    final long due;
    final long seq;
    boolean started; // guarded by monitor
    boolean cancelled; // guarded by monitor

    Task(Runnable task, long due, long seq) {
      this.task = task;
      this.due = due;
      this.seq = seq;
    }

    @Override
    public boolean cancel() {
      synchronized (monitor) {
        if (started || cancelled) {
          return false;
        }
        cancelled = true;
        queue.remove(this);
        return true;
      }
    }

    @Override
    public String toString() {
      return "task#" + seq + " due at +" + due + "ns";
    }
  }
}
