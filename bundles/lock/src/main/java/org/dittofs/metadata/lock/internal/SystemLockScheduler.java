package org.dittofs.metadata.lock.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link LockScheduler}: the system clocks and one daemon timer thread named {@value
 * #THREAD_NAME}; on the system UTC clock also the request clock ({@link #requestNanoTime}, a {@link
 * CoarseClock} whose ticker thread runs only while requests read it).
 *
 * <p>Thread-safety: every method may be called from any thread. The executor and the clock offset
 * ({@code offset}: volatile, an immutable record replaced whole) are the only shared state; the
 * executor is thread-safe; each {@link Timer} owns one atomic state (PENDING, then STARTED or
 * CANCELLED), so exactly one of "the task starts" and "cancel returns true" happens. Tasks run one
 * at a time on the timer thread, never on the caller of {@link #schedule}; a task that throws is
 * reported through SLF4J and the thread carries on. Tasks must be short: a slow task delays every
 * later timer. {@link #close} drops the timers not yet started, lets a running task finish and does
 * not wait for it, so it may be called from a task.
 */
public final class SystemLockScheduler implements LockScheduler, AutoCloseable {
  /** The name of the timer thread. */
  public static final String THREAD_NAME = "dittofs-lock-timer";

  private static final Logger LOG = LoggerFactory.getLogger(SystemLockScheduler.class.getName());

  private final ScheduledThreadPoolExecutor executor;
  private final Clock clock;
  private final boolean systemClock;

  /** The last measured offset of wall to monotonic time; replaced whole (volatile, immutable). */
  private volatile Offset offset;

  /** The request path's clock ({@link #requestNanoTime}) on the system clock; else null. */
  private final CoarseClock requestClock;

  /** A scheduler over the system UTC clock; the timer thread starts with the first timer. */
  public SystemLockScheduler() {
    this(Clock.systemUTC());
  }

  /** A scheduler whose wall time comes from {@code clock}. */
  public SystemLockScheduler(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.systemClock = clock.equals(Clock.systemUTC());
    if (systemClock) {
      measureOffset();
    }
    requestClock = systemClock ? new CoarseClock(this::mapped) : null;
    executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, THREAD_NAME);
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  /**
   * {@inheritDoc}
   *
   * <p>On the system UTC clock this reads no clock: wall time is the monotonic reading plus an
   * offset measured from both clocks, measured again when the last measurement is more than a
   * second older than the reading (so a wall-clock step shows within a second). On any other clock
   * it reads that clock, as {@link #now()} does.
   */
  @Override
  public Instant instantAt(long nanoTime) {
    if (!systemClock) {
      return LockScheduler.super.instantAt(nanoTime);
    }
    Instant ticked = requestClock.instantOf(nanoTime);
    return ticked != null ? ticked : mapped(nanoTime);
  }

  /**
   * The monotonic time that stamps a request (a lock's {@code acquiredAt}, its client's last
   * request): on the system clock a {@link CoarseClock} reading, up to a tick (10 ms) old, whose
   * {@link #instantAt} is made once per tick; on any other clock {@link #nanoTime()}.
   */
  long requestNanoTime() {
    return requestClock != null ? requestClock.now().nanos() : System.nanoTime();
  }

  /** Wall time of a monotonic reading from the measured offset (measured again when old). */
  private Instant mapped(long nanoTime) {
    Offset o = offset;
    if (nanoTime - o.measuredAt > 1_000_000_000L) {
      o = measureOffset();
    }
    long epochNanos = nanoTime + o.wallMinusMonotonic;
    return Instant.ofEpochSecond(
        Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }

  private Offset measureOffset() {
    long before = System.nanoTime();
    Instant wall = clock.instant();
    long mono = System.nanoTime();
    long wallNanos = wall.getEpochSecond() * 1_000_000_000L + wall.getNano();
    Offset o = new Offset(wallNanos - (before + (mono - before) / 2), mono);
    offset = o;
    return o;
  }

  /** Wall time minus monotonic time, in nanoseconds, and when it was measured (monotonic). */
  private record Offset(long wallMinusMonotonic, long measuredAt) {}

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  /**
   * {@inheritDoc}
   *
   * <p>A negative delay runs the task as soon as possible; a delay too long for a {@code long} of
   * nanoseconds (about 292 years) never comes due.
   *
   * @throws IllegalStateException if the scheduler is closed
   */
  @Override
  public Timer schedule(Runnable task, Duration delay) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(delay, "delay");
    GuardedTask guarded = new GuardedTask(task);
    try {
      guarded.future = executor.schedule(guarded, nanos(delay), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the lock scheduler is closed", e);
    }
    return guarded;
  }

  /** Number of timers queued and not yet started (for tests and diagnostics). */
  int queuedTasks() {
    return executor.getQueue().size();
  }

  /** Whether {@link #close} was called. */
  public boolean isClosed() {
    return executor.isShutdown();
  }

  /** Stops the timer thread; timers not yet started never run. Idempotent. */
  @Override
  public void close() {
    executor.shutdown();
    if (requestClock != null) {
      requestClock.close();
    }
  }

  private static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException overflow) {
      return d.isNegative() ? 0 : Long.MAX_VALUE;
    }
  }

  private static final class GuardedTask implements Runnable, Timer {
    private static final int PENDING = 0;
    private static final int STARTED = 1;
    private static final int CANCELLED = 2;

    private final Runnable task;
    private final AtomicInteger state = new AtomicInteger(PENDING);
    private volatile Future<?> future;

    GuardedTask(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      if (!state.compareAndSet(PENDING, STARTED)) {
        return;
      }
      try {
        task.run();
      } catch (Throwable t) {
        // The executor's future would swallow it silently; logging is the only trace it leaves.
        LOG.error("lock timer task " + task + " failed", t);
      }
    }

    @Override
    public boolean cancel() {
      if (!state.compareAndSet(PENDING, CANCELLED)) {
        return false;
      }
      Future<?> f = future;
      if (f != null) {
        f.cancel(false); // removes it from the queue
      }
      return true;
    }
  }
}
