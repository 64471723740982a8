package org.dittofs.metadata.lock.host;

import java.time.Duration;
import java.time.Instant;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Time for the lock manager: the wall clock that stamps records, a monotonic clock for timeouts,
 * and one-shot timers. Injected so that tests drive timeouts, ttl, lease time and grace without
 * sleeping. Implementations must be thread-safe; timer tasks must run on a thread of the scheduler,
 * never on the caller of {@link #schedule}.
 */
@ConsumerType
public interface LockScheduler {

  /** The current wall-clock time. */
  Instant now();

  /** A monotonic time in nanoseconds, for durations only. */
  long nanoTime();

  /**
   * The wall-clock time at which {@link #nanoTime()} read {@code nanoTime}: lets a request read the
   * clock once and use the reading both for its timeouts and to stamp its records. The default
   * reads both clocks; an implementation may map monotonic time to wall time without reading the
   * wall clock, as long as the result stays within a second of {@link #now()}.
   */
  default Instant instantAt(long nanoTime) {
    return now().minusNanos(nanoTime() - nanoTime);
  }

  /**
   * Runs {@code task} once after {@code delay}.
   *
   * @return a handle that cancels the task if it has not started
   */
  Timer schedule(Runnable task, Duration delay);

  /** A scheduled task. */
  interface Timer {
    /** Cancels the task. Returns whether it was cancelled before it ran. */
    boolean cancel();
  }
}
