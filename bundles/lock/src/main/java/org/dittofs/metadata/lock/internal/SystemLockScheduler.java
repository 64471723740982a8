package org.dittofs.metadata.lock.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.dittofs.metadata.lock.LockScheduler;

/**
 * The production {@link LockScheduler}: wall time from a {@link Clock}, monotonic time from {@link
 * System#nanoTime()}, timers on one daemon thread named {@code dittofs-lock-timer}, started on the
 * first timer. A task that throws is logged and does not kill the thread. Thread-safe: the executor
 * is.
 */
public final class SystemLockScheduler implements LockScheduler, AutoCloseable {
  private static final System.Logger LOG = System.getLogger("org.dittofs.metadata.lock");

  private final Clock clock;
  private final ScheduledThreadPoolExecutor timers;

  /** A scheduler over the system UTC clock. */
  public SystemLockScheduler() {
    this(Clock.systemUTC());
  }

  /** A scheduler whose wall time comes from {@code clock}. */
  public SystemLockScheduler(Clock clock) {
    this.clock = clock;
    this.timers =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "dittofs-lock-timer");
              t.setDaemon(true);
              return t;
            });
    timers.setRemoveOnCancelPolicy(true);
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Timer schedule(Runnable task, Duration delay) {
    ScheduledFuture<?> f =
        timers.schedule(
            () -> {
              try {
                task.run();
              } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "lock timer task failed", e);
              }
            },
            Math.max(0, delay.toNanos()),
            TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void close() {
    timers.shutdownNow();
  }
}
