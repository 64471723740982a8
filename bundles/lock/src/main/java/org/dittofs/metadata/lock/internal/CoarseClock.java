package org.dittofs.metadata.lock.internal;

import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * The clock of the request path: a reading of {@link System#nanoTime} and the wall-clock {@link
 * Instant} it maps to, refreshed every 10 ms ({@link #PERIOD_NANOS}) by a daemon thread named
 * {@value #THREAD_NAME} while requests read it. A request then pays a volatile read instead of a
 * clock reading (about 22 ns on the benchmark machine, a quarter of an uncontended lock+unlock
 * pair) and shares the tick's {@code Instant} instead of making one.
 *
 * <p><b>What it gives up.</b> A reading lags the precise clock by up to a period, more while the
 * machine is so loaded that the ticker thread waits for a core. It stamps a lock's {@code
 * acquiredAt} and a client's last request (SPEC 9: the lease); both are kept to a hundredth of a
 * second (Linux nfsd counts leases in whole seconds), so a client looks silent at most that much
 * longer than it is. Timeouts, grace and every other duration use the precise clock.
 *
 * <p><b>Idle.</b> The ticker runs only while requests read the clock: after {@value #IDLE_TICKS}
 * periods without a reading (one second) it ends, and the next reading (precise, read on the
 * caller's thread) starts a new one. An idle manager has no such thread.
 *
 * <p><b>Concurrency.</b> {@code tick} (null while no ticker runs) and {@code read} are volatile;
 * readers write {@code read} only when it is false, so the many readers of one tick share its line
 * without writing it. {@code ticker} and {@code closed}, and every write of {@code tick}, are
 * guarded by this object's monitor: a ticker never publishes a tick after {@link #close}, and a
 * reader that finds no tick starts at most one ticker. After {@link #close} every reading is
 * precise.
 */
final class CoarseClock {
  /** The name of the ticker thread. */
  static final String THREAD_NAME = "dittofs-lock-clock";

  /**
   * The period of the ticks (10 ms). On the benchmark machine the ticker then takes 2.8 to 3.6 ms
   * of CPU a second while requests flow (0.3% of a core; at 1 ms it took 1.5%), and a reading
   * spares a request 22 ns: it pays for itself above about 150,000 requests a second.
   */
  static final long PERIOD_NANOS = 10_000_000L;

  /** Periods without a reading after which the ticker ends (one second). */
  static final int IDLE_TICKS = 100;

  /** A reading: monotonic nanoseconds and the wall-clock time they map to. */
  record Tick(long nanos, Instant instant) {}

  private final LongFunction<Instant> wall;
  private final int idleTicks;

  private volatile Tick tick;
  private volatile boolean read;
  private Thread ticker; // guarded by this
  private boolean closed; // guarded by this

  /** A clock whose ticks map monotonic to wall time with {@code wall}. */
  CoarseClock(LongFunction<Instant> wall) {
    this(wall, IDLE_TICKS);
  }

  /** As {@link #CoarseClock(LongFunction)}, its ticker ending after {@code idleTicks} (tests). */
  CoarseClock(LongFunction<Instant> wall, int idleTicks) {
    this.wall = wall;
    this.idleTicks = idleTicks;
  }

  /** The current tick: at most about a period old while the ticker runs, else read now. */
  Tick now() {
    Tick t = tick;
    if (t == null) {
      return start();
    }
    if (!read) {
      read = true;
    }
    return t;
  }

  /** The wall-clock time of {@code nanos} if it is the current tick's reading, else null. */
  Instant instantOf(long nanos) {
    Tick t = tick;
    return t != null && t.nanos == nanos ? t.instant : null;
  }

  /** Ends the ticker; from now on every reading is precise. Idempotent. */
  synchronized void close() {
    closed = true;
    tick = null;
    if (ticker != null) {
      LockSupport.unpark(ticker);
    }
  }

  /** Whether a ticker thread runs now (for tests). */
  synchronized boolean ticking() {
    return ticker != null;
  }

  /** A precise reading, published as the current tick with a ticker started (unless closed). */
  private synchronized Tick start() {
    Tick t = fresh();
    if (closed) {
      return t;
    }
    tick = t;
    read = true;
    if (ticker == null) {
      ticker = new Thread(this::run, THREAD_NAME);
      ticker.setDaemon(true);
      ticker.start();
    }
    return t;
  }

  private Tick fresh() {
    long n = System.nanoTime();
    return new Tick(n, wall.apply(n));
  }

  private void run() {
    int idle = 0;
    while (true) {
      LockSupport.parkNanos(this, PERIOD_NANOS);
      if (read) {
        read = false;
        idle = 0;
      } else {
        idle++;
      }
      synchronized (this) {
        if (closed || idle >= idleTicks) {
          tick = null; // the next reading is precise and starts another ticker
          ticker = null;
          return;
        }
        tick = fresh();
      }
    }
  }
}
