package org.dittofs.metadata.lock.host;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Metrics derived from {@link LockEvent}s only: counters, gauges and duration histograms named
 * {@code dittofs_locks_*} and {@code dittofs_connections_*}. Register it as a listener of the
 * manager; read it with {@link #snapshot()}. Thread-safe.
 */
@ProviderType
public interface LockMetrics extends LockEventListener {

  /** A consistent-enough copy of every value (each value is read atomically). */
  Snapshot snapshot();

  /**
   * Metric values by name. Labelled series carry their labels in the name, Prometheus style: {@code
   * dittofs_locks_released_total{reason="explicit"}}.
   *
   * @param counters monotonic counts
   * @param gauges current values
   * @param histograms duration distributions
   */
  record Snapshot(
      Map<String, Long> counters, Map<String, Long> gauges, Map<String, Histogram> histograms) {
    public Snapshot {
      counters = Map.copyOf(counters);
      gauges = Map.copyOf(gauges);
      histograms = Map.copyOf(histograms);
    }
  }

  /**
   * A duration histogram.
   *
   * @param count observations
   * @param sumNanos sum of observations
   * @param maxNanos largest observation
   * @param bucketUpperBoundsNanos upper bounds of the buckets, ascending; the last is unbounded
   * @param bucketCounts observations per bucket (not cumulative)
   */
  record Histogram(
      long count,
      long sumNanos,
      long maxNanos,
      long[] bucketUpperBoundsNanos,
      long[] bucketCounts) {}
}
