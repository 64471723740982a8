package org.dittofs.metadata.lock.internal;

import static java.time.Instant.EPOCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.dittofs.metadata.lock.LockFlavour.POSIX;
import static org.dittofs.metadata.lock.LockType.EXCLUSIVE;
import static org.dittofs.metadata.lock.LockType.SHARED;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockEvent.ReleaseReason;
import org.dittofs.metadata.lock.host.LockEvent.WaitOutcome;
import org.dittofs.metadata.lock.host.LockMetrics;

/**
 * Realistic events and whole-snapshot assertions for {@link EventMetricsTest}. The metric names are
 * spelled out here literally, independently of {@link EventMetrics}.
 */
final class EventMetricsFixtures {
  static final String L = "dittofs_locks_";
  static final String WAIT = L + "wait_seconds";
  static final long MS = 1_000_000L;
  static final long[] BOUNDS = {
    MS, 10 * MS, 100 * MS, 1_000 * MS, 10_000 * MS, 60_000 * MS, Long.MAX_VALUE
  };
  static final LockOwner OWNER = LockOwner.of("o");
  static final LockClient CLIENT = new LockClient("c", "test");
  static final FileHandle FILE = FileHandle.of("f");
  static final ByteRange RANGE = ByteRange.span(0, 10);

  private static final List<String> FIXED_COUNTERS = fixedCounters();
  private static final List<String> GAUGES =
      List.of(
          L + "held",
          L + "opens",
          L + "grace_active",
          "dittofs_connections_active",
          L + "store_pending_writes");

  private EventMetricsFixtures() {}

  private static List<String> fixedCounters() {
    List<String> names = new ArrayList<>();
    String plain = "granted reclaimed denied deadlocks opens_granted opens_denied closes";
    for (String n : (plain + " grace_periods grace_expired_records store_failures").split(" ")) {
      names.add(L + n + "_total");
    }
    for (String r : "explicit timeout disconnect grace_expired revoked file_removed".split(" ")) {
      names.add(L + "released_total{reason=\"" + r + "\"}");
    }
    for (String o : "granted timed_out cancelled deadlock failed".split(" ")) {
      names.add(L + "waits_total{outcome=\"" + o + "\"}");
    }
    names.add("dittofs_connections_registered_total");
    names.add("dittofs_connections_unregistered_total");
    return names;
  }

  // ---- events ----

  static Lock lock(long n) {
    return new Lock(
        new LockId(1, n), OWNER, CLIENT, "export", FILE, RANGE, SHARED, POSIX, EPOCH, 1);
  }

  static LockRequest request() {
    return new LockRequest(FILE, "export", OWNER, CLIENT, POSIX, EXCLUSIVE, RANGE);
  }

  static ShareReservation open(long n) {
    Set<ShareAccess> read = Set.of(ShareAccess.READ);
    return new ShareReservation(
        new LockId(1, n), OWNER, CLIENT, "export", FILE, read, read, EPOCH, 1);
  }

  static LockEvent granted(int delta) {
    return new LockEvent.Granted(lock(1), delta, false);
  }

  /** A release of {@code records} records that changed the record count by {@code delta}. */
  static LockEvent released(ReleaseReason reason, int records, int delta) {
    List<Lock> removed = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      removed.add(lock(100 + i));
    }
    return new LockEvent.Released(OWNER, FILE, removed, delta, reason);
  }

  static LockEvent waited(Duration d, WaitOutcome outcome) {
    return new LockEvent.Waited(request(), d, outcome);
  }

  // ---- assertions over the whole snapshot ----

  /**
   * Asserts every counter and gauge. Both specs are space-separated {@code name=value} pairs (names
   * without {@code dittofs_} get {@code dittofs_locks_} in front): the named series have those
   * values, every other fixed series is 0 and no other series exists. Unless the counters name a
   * {@code waits_total} series, the wait histogram must be empty too.
   */
  static void assertSnapshot(LockMetrics m, String counters, String gauges) {
    LockMetrics.Snapshot s = m.snapshot();
    assertThat(s.counters()).isEqualTo(expected(FIXED_COUNTERS, counters));
    assertThat(s.gauges()).isEqualTo(expected(GAUGES, gauges));
    if (!counters.contains("waits_total")) {
      assertWaits(m, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
  }

  private static Map<String, Long> expected(List<String> zeros, String spec) {
    Map<String, Long> expected = new HashMap<>();
    zeros.forEach(n -> expected.put(n, 0L));
    for (String pair : spec.isEmpty() ? new String[0] : spec.split(" ")) {
      String n = pair.substring(0, pair.lastIndexOf('='));
      long value = Long.parseLong(pair.substring(pair.lastIndexOf('=') + 1));
      expected.put(n.startsWith("dittofs_") ? n : L + n, value);
    }
    return expected;
  }

  /** Asserts the only histogram: its sum, max and every bucket; its count is their total. */
  static void assertWaits(LockMetrics m, long sum, long max, long... buckets) {
    assertThat(m.snapshot().histograms()).containsOnlyKeys(WAIT);
    LockMetrics.Histogram h = m.snapshot().histograms().get(WAIT);
    assertThat(h.bucketUpperBoundsNanos()).containsExactly(BOUNDS);
    assertThat(h.bucketCounts()).containsExactly(buckets);
    assertThat(h.count()).isEqualTo(LongStream.of(buckets).sum());
    assertThat(h.sumNanos()).isEqualTo(sum);
    assertThat(h.maxNanos()).isEqualTo(max);
  }
}
