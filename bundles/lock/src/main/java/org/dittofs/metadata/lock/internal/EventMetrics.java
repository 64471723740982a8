package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockEvent.ReleaseReason;
import org.dittofs.metadata.lock.host.LockEvent.WaitOutcome;
import org.dittofs.metadata.lock.host.LockMetrics;

/**
 * {@link LockMetrics} derived only from {@link LockEvent}s (SPEC 12).
 *
 * <p>Concurrency design: {@link #onEvent} runs on the deciding thread, possibly under a file's
 * lock, so it never blocks and takes no monitor. Every field is final and guarded as follows:
 *
 * <ul>
 *   <li>counters, the {@code held} and {@code opens} gauges and the wait-time sum: {@link
 *       LongAdder}, no ordering between them;
 *   <li>{@code released} and {@code waits}: arrays indexed by enum ordinal, filled once in the
 *       constructor and never written again; each element is a {@link LongAdder};
 *   <li>{@code limitHits} and {@code refused}: each an {@link AtomicReference} to an immutable map
 *       from limit name (refusal reason) to its {@link LongAdder}; a name seen for the first time
 *       is added by a copy-and-CAS loop (lock-free), a known name costs one volatile read;
 *   <li>{@code connectionsActive}: {@link AtomicLong} decremented by a CAS loop that stops at 0;
 *   <li>{@code graceActive}, {@code pendingWrites}: {@link AtomicLong} written with {@code set},
 *       the last event wins. No event signals that the store's pending writes drained, so the gauge
 *       keeps the value of the last StoreFailed until the next one;
 *   <li>the wait histogram: bucket counts in an {@link AtomicLongArray}, the maximum in an {@link
 *       AtomicLong} raised by {@code accumulateAndGet(max)}; its count is the sum of the bucket
 *       counts read, so count and buckets always agree within a snapshot.
 * </ul>
 *
 * <p>{@link #snapshot()} reads each value atomically but not all values at one instant: under
 * concurrent events a snapshot may, for example, show a grant counted but not yet in {@code held}.
 */
public final class EventMetrics implements LockMetrics {
  private static final String L = "dittofs_locks_";
  private static final String C = "dittofs_connections_";
  private static final String WAIT_SECONDS = L + "wait_seconds";
  private static final long MS = 1_000_000L;
  private static final long[] BOUNDS = {
    MS, 10 * MS, 100 * MS, 1_000 * MS, 10_000 * MS, 60_000 * MS, Long.MAX_VALUE
  };

  private final LongAdder granted = new LongAdder();
  private final LongAdder reclaimed = new LongAdder();
  private final LongAdder denied = new LongAdder();
  private final AtomicReference<Map<String, LongAdder>> refused = new AtomicReference<>(Map.of());
  private final LongAdder[] released = adders(ReleaseReason.values().length);
  private final LongAdder[] waits = adders(WaitOutcome.values().length);
  private final LongAdder deadlocks = new LongAdder();
  private final AtomicReference<Map<String, LongAdder>> limitHits = new AtomicReference<>(Map.of());
  private final LongAdder opensGranted = new LongAdder();
  private final LongAdder opensDenied = new LongAdder();
  private final LongAdder closes = new LongAdder();
  private final LongAdder gracePeriods = new LongAdder();
  private final LongAdder graceExpiredRecords = new LongAdder();
  private final LongAdder connectionsRegistered = new LongAdder();
  private final LongAdder connectionsUnregistered = new LongAdder();
  private final LongAdder storeFailures = new LongAdder();

  private final LongAdder held = new LongAdder();
  private final LongAdder opens = new LongAdder();
  private final AtomicLong graceActive = new AtomicLong();
  private final AtomicLong connectionsActive = new AtomicLong();
  private final AtomicLong pendingWrites = new AtomicLong();

  private final AtomicLongArray waitBuckets = new AtomicLongArray(BOUNDS.length);
  private final LongAdder waitSumNanos = new LongAdder();
  private final AtomicLong waitMaxNanos = new AtomicLong();

  /** Metrics with every value at zero. */
  public EventMetrics() {}

  @Override
  public void onEvent(LockEvent event) {
    if (event instanceof LockEvent.Granted e) {
      granted.increment();
      if (e.reclaim()) {
        reclaimed.increment();
      }
      held.add(e.recordDelta());
    } else if (event instanceof LockEvent.Denied) {
      denied.increment();
    } else if (event instanceof LockEvent.Refused e) {
      counter(refused, label(e.reason())).increment();
    } else if (event instanceof LockEvent.Released e) {
      released[e.reason().ordinal()].add(e.removed().size());
      held.add(e.recordDelta());
    } else if (event instanceof LockEvent.Waited e) {
      if (e.outcome() != null) {
        waits[e.outcome().ordinal()].increment();
      }
      observeWait(nanos(e.waited()));
    } else if (event instanceof LockEvent.Deadlock) {
      deadlocks.increment();
    } else if (event instanceof LockEvent.LimitHit e) {
      counter(limitHits, e.limit() == null ? "unknown" : e.limit()).increment();
    } else if (event instanceof LockEvent.OpenGranted e) {
      opensGranted.increment();
      if (!e.reclaim()) {
        opens.increment(); // a reclaim replaces a restored open, already counted at GraceEntered
      }
    } else if (event instanceof LockEvent.OpenDenied) {
      opensDenied.increment();
    } else if (event instanceof LockEvent.Closed) {
      closes.increment();
      opens.decrement();
    } else if (event instanceof LockEvent.GraceEntered e) {
      gracePeriods.increment();
      graceActive.set(1);
      held.add(e.restoredLocks()); // restored records are held until reclaimed or expired
      opens.add(e.restoredOpens());
    } else if (event instanceof LockEvent.GraceEnded e) {
      graceExpiredRecords.add(e.expired());
      graceActive.set(0);
    } else if (event instanceof LockEvent.ClientRegistered e) {
      connectionsRegistered.increment();
      if (!e.renewal()) {
        connectionsActive.incrementAndGet();
      }
    } else if (event instanceof LockEvent.ConnectionEnded) {
      connectionsActive.getAndUpdate(v -> v > 0 ? v - 1 : 0);
    } else if (event instanceof LockEvent.ClientUnregistered) {
      connectionsUnregistered.increment();
    } else if (event instanceof LockEvent.StoreFailed e) {
      storeFailures.increment();
      pendingWrites.set(e.pendingWrites());
    }
    // null: nothing to count (the interface is sealed, so no other type exists)
  }

  @Override
  public Snapshot snapshot() {
    Map<String, Long> c = new HashMap<>();
    c.put(L + "granted_total", granted.sum());
    c.put(L + "reclaimed_total", reclaimed.sum());
    c.put(L + "denied_total", denied.sum());
    refused.get().forEach((k, v) -> c.put(labelled(L + "refused_total", "reason", k), v.sum()));
    for (ReleaseReason r : ReleaseReason.values()) {
      c.put(labelled(L + "released_total", "reason", label(r)), released[r.ordinal()].sum());
    }
    for (WaitOutcome o : WaitOutcome.values()) {
      c.put(labelled(L + "waits_total", "outcome", label(o)), waits[o.ordinal()].sum());
    }
    c.put(L + "deadlocks_total", deadlocks.sum());
    limitHits.get().forEach((k, v) -> c.put(labelled(L + "limit_hits_total", "limit", k), v.sum()));
    c.put(L + "opens_granted_total", opensGranted.sum());
    c.put(L + "opens_denied_total", opensDenied.sum());
    c.put(L + "closes_total", closes.sum());
    c.put(L + "grace_periods_total", gracePeriods.sum());
    c.put(L + "grace_expired_records_total", graceExpiredRecords.sum());
    c.put(C + "registered_total", connectionsRegistered.sum());
    c.put(C + "unregistered_total", connectionsUnregistered.sum());
    c.put(L + "store_failures_total", storeFailures.sum());

    Map<String, Long> g = new HashMap<>();
    g.put(L + "held", held.sum());
    g.put(L + "opens", opens.sum());
    g.put(L + "grace_active", graceActive.get());
    g.put(C + "active", connectionsActive.get());
    g.put(L + "store_pending_writes", pendingWrites.get());

    return new Snapshot(c, g, Map.of(WAIT_SECONDS, waitHistogram()));
  }

  private Histogram waitHistogram() {
    long[] counts = new long[BOUNDS.length];
    long count = 0;
    for (int i = 0; i < counts.length; i++) {
      counts[i] = waitBuckets.get(i);
      count += counts[i];
    }
    return new Histogram(count, waitSumNanos.sum(), waitMaxNanos.get(), BOUNDS.clone(), counts);
  }

  private void observeWait(long nanos) {
    int i = 0;
    while (nanos > BOUNDS[i]) { // the last bound is Long.MAX_VALUE: always stops
      i++;
    }
    waitSumNanos.add(nanos);
    waitMaxNanos.accumulateAndGet(nanos, Math::max);
    waitBuckets.incrementAndGet(i);
  }

  /**
   * The counter of {@code key} in {@code counters}; adds it lock-free the first time it is seen.
   */
  private static LongAdder counter(AtomicReference<Map<String, LongAdder>> counters, String key) {
    while (true) {
      Map<String, LongAdder> current = counters.get();
      LongAdder adder = current.get(key);
      if (adder != null) {
        return adder;
      }
      Map<String, LongAdder> next = new HashMap<>(current);
      next.put(key, new LongAdder());
      counters.compareAndSet(current, Map.copyOf(next)); // on a lost race, read the winner's map
    }
  }

  /** Whole nanoseconds, 0 for a missing or negative duration, saturated at Long.MAX_VALUE. */
  static long nanos(Duration d) {
    if (d == null || d.isNegative()) {
      return 0;
    }
    return d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : d.toNanos();
  }

  private static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /** {@code name{key="value"}} with the value escaped as in the Prometheus text format. */
  static String labelled(String name, String key, String value) {
    String escaped = value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    return name + "{" + key + "=\"" + escaped + "\"}";
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }
}
