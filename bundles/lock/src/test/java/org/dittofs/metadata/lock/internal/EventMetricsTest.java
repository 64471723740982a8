package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.BOUNDS;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.CLIENT;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.FILE;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.L;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.MS;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.OWNER;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.WAIT;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.assertSnapshot;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.assertWaits;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.granted;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.lock;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.open;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.released;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.request;
import static org.dittofs.metadata.lock.internal.EventMetricsFixtures.waited;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockEvent.ReleaseReason;
import org.dittofs.metadata.lock.host.LockEvent.WaitOutcome;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.host.LockMetrics;
import org.junit.jupiter.api.Test;

/**
 * {@link EventMetrics} fed realistic events. Every test asserts the whole snapshot: every counter
 * and gauge (zero unless named) and every bucket of the wait histogram.
 */
class EventMetricsTest {
  private final EventMetrics m = new EventMetrics();

  private void feed(LockEvent... events) {
    for (LockEvent e : events) {
      m.onEvent(e);
    }
  }

  private void expect(String counters, String gauges) {
    assertSnapshot(m, counters, gauges);
  }

  private void expectWaits(long sum, long max, long... buckets) {
    assertWaits(m, sum, max, buckets);
  }

  @Test
  void freshMetricsReportEveryFixedSeriesAtZero() {
    expect("", "");
  }

  @Test
  void grantsCountAndAddTheirRecordDeltaToHeld() {
    feed(granted(1), granted(1), granted(1));
    expect("granted_total=3", "held=3");
  }

  @Test
  void reclaimGrantCountsAsGrantedAndAsReclaimed() {
    feed(granted(1), new LockEvent.Granted(lock(2), 1, true));
    expect("granted_total=2 reclaimed_total=1", "held=2");
  }

  @Test
  void coalescingGrantWithNegativeDeltaLowersHeld() {
    feed(granted(1), granted(1), granted(1), granted(-2), granted(0));
    expect("granted_total=5", "held=1");
  }

  @Test
  void deniedRequestCountsAsDenied() {
    feed(new LockEvent.Denied(request(), lock(9)), new LockEvent.Denied(request(), lock(9)));
    expect("denied_total=2", "");
  }

  @Test
  void releasesCountRemovedRecordsPerReason() {
    feed(granted(21));
    ReleaseReason[] reasons = ReleaseReason.values();
    for (int i = 0; i < reasons.length; i++) {
      feed(released(reasons[i], i + 1, -(i + 1)));
    }
    expect(
        "granted_total=1 released_total{reason=\"explicit\"}=1"
            + " released_total{reason=\"timeout\"}=2 released_total{reason=\"disconnect\"}=3"
            + " released_total{reason=\"grace_expired\"}=4 released_total{reason=\"revoked\"}=5"
            + " released_total{reason=\"file_removed\"}=6",
        "held=0");
  }

  @Test
  void splitReleaseCountsOneRemovedRecordAndRaisesHeldByOne() {
    feed(granted(1), released(ReleaseReason.EXPLICIT, 1, +1));
    expect("granted_total=1 released_total{reason=\"explicit\"}=1", "held=2");
  }

  @Test
  void releaseThatRemovedNothingCountsNothing() {
    feed(released(ReleaseReason.EXPLICIT, 0, 0));
    expect("", "");
  }

  @Test
  void waitsCountPerOutcomeAndAllFeedTheHistogram() {
    for (WaitOutcome o : WaitOutcome.values()) {
      feed(waited(Duration.ofNanos(10), o));
    }
    feed(waited(Duration.ofNanos(10), WaitOutcome.GRANTED));
    expect(
        "waits_total{outcome=\"granted\"}=2 waits_total{outcome=\"timed_out\"}=1"
            + " waits_total{outcome=\"cancelled\"}=1 waits_total{outcome=\"deadlock\"}=1"
            + " waits_total{outcome=\"failed\"}=1",
        "");
    expectWaits(60, 10, 6, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void waitLandsInTheFirstBucketWhoseUpperBoundIncludesIt() {
    for (int i = 0; i < BOUNDS.length - 1; i++) {
      feed(waited(Duration.ofNanos(BOUNDS[i]), WaitOutcome.GRANTED)); // on the bound
      feed(waited(Duration.ofNanos(BOUNDS[i] + 1), WaitOutcome.GRANTED)); // just above it
    }
    expect("waits_total{outcome=\"granted\"}=12", "");
    long sum = 2 * LongStream.of(BOUNDS).limit(6).sum() + 6;
    expectWaits(sum, 60_000 * MS + 1, 1, 2, 2, 2, 2, 2, 1);
  }

  @Test
  void waitHistogramKeepsSumAndMax() {
    feed(waited(Duration.ofMillis(5), WaitOutcome.TIMED_OUT));
    feed(waited(Duration.ofSeconds(2), WaitOutcome.GRANTED));
    feed(waited(Duration.ofMillis(50), WaitOutcome.CANCELLED));
    expect(
        "waits_total{outcome=\"granted\"}=1 waits_total{outcome=\"timed_out\"}=1"
            + " waits_total{outcome=\"cancelled\"}=1",
        "");
    expectWaits(2_055 * MS, 2_000 * MS, 0, 1, 1, 0, 1, 0, 0);
  }

  @Test
  void negativeMissingAndHugeWaitsAreClampedInsteadOfThrowing() {
    feed(waited(Duration.ofMillis(-3), WaitOutcome.FAILED), waited(null, WaitOutcome.FAILED));
    feed(waited(Duration.ofSeconds(Long.MAX_VALUE), WaitOutcome.FAILED));
    expect("waits_total{outcome=\"failed\"}=3", "");
    expectWaits(Long.MAX_VALUE, Long.MAX_VALUE, 2, 0, 0, 0, 0, 0, 1);
  }

  @Test
  void deadlockCountsDeadlocks() {
    feed(new LockEvent.Deadlock(OWNER, List.of(OWNER, LockOwner.of("p"))));
    expect("deadlocks_total=1", "");
  }

  @Test
  void limitHitsGetOneSeriesPerDistinctLimitName() {
    feed(new LockEvent.LimitHit("per-file", 10, 10), new LockEvent.LimitHit("total", 5, 5));
    feed(new LockEvent.LimitHit("per-file", 10, 10));
    expect("limit_hits_total{limit=\"per-file\"}=2 limit_hits_total{limit=\"total\"}=1", "");
  }

  @Test
  void limitNamesAreEscapedAsPrometheusLabelValues() {
    feed(new LockEvent.LimitHit("a\"b\\c\nd", 1, 1), new LockEvent.LimitHit(null, 1, 1));
    expect(
        "limit_hits_total{limit=\"a\\\"b\\\\c\\nd\"}=1 limit_hits_total{limit=\"unknown\"}=1", "");
  }

  @Test
  void opensGaugeCountsGrantedOpensMinusClosesAndReclaimsReplaceRestoredOnes() {
    feed(new LockEvent.GraceEntered(0, 1, Set.of(CLIENT), Duration.ofSeconds(90)));
    feed(new LockEvent.OpenGranted(open(1), false), new LockEvent.OpenGranted(open(2), true));
    feed(new LockEvent.OpenGranted(open(3), false));
    feed(new LockEvent.Closed(open(1), ReleaseReason.EXPLICIT));
    Set<ShareAccess> write = Set.of(ShareAccess.WRITE);
    feed(new LockEvent.OpenDenied(new OpenRequest(FILE, "export", OWNER, CLIENT, write, write)));
    expect(
        "opens_granted_total=3 closes_total=1 opens_denied_total=1 grace_periods_total=1",
        "opens=2 grace_active=1");
  }

  @Test
  void graceIsActiveOnlyBetweenEnteredAndEnded() {
    feed(new LockEvent.GraceEntered(4, 1, Set.of(CLIENT), Duration.ofSeconds(90)));
    expect("grace_periods_total=1", "grace_active=1 held=4 opens=1");
    feed(new LockEvent.GraceEnded(false, 1, 3));
    expect("grace_periods_total=1 grace_expired_records_total=3", "grace_active=0 held=4 opens=1");
  }

  @Test
  void activeConnectionsFollowRegistrationsButNeverGoBelowZero() {
    feed(new LockEvent.ClientRegistered(CLIENT, "10.0.0.1"));
    feed(new LockEvent.ClientRegistered(new LockClient("d", "test"), "10.0.0.2"));
    feed(new LockEvent.ClientRegistered(CLIENT, "10.0.0.1", true)); // a renewal: no new connection
    feed(new LockEvent.ConnectionEnded(CLIENT), new LockEvent.ClientUnregistered(CLIENT, 3));
    String registered = "dittofs_connections_registered_total=3 ";
    expect(registered + "dittofs_connections_unregistered_total=1", "dittofs_connections_active=1");
    feed(new LockEvent.ConnectionEnded(CLIENT), new LockEvent.ConnectionEnded(CLIENT));
    feed(new LockEvent.ConnectionEnded(CLIENT));
    expect(registered + "dittofs_connections_unregistered_total=1", "");
  }

  @Test
  void storeFailuresCountAndPendingWritesKeepTheLastReportedValue() {
    feed(new LockEvent.StoreFailed("disk full", 7), new LockEvent.StoreFailed("disk full", 3));
    expect("store_failures_total=2", "store_pending_writes=3");
  }

  @Test
  void snapshotIsImmutableAndDetachedFromLaterEvents() {
    feed(granted(1), waited(Duration.ofMillis(1), WaitOutcome.GRANTED));
    LockMetrics.Snapshot s = m.snapshot();
    assertThatThrownBy(() -> s.counters().put("x", 1L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.gauges().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.histograms().remove(WAIT))
        .isInstanceOf(UnsupportedOperationException.class);
    s.histograms().get(WAIT).bucketCounts()[0] = 99; // arrays are copies: harms only this one
    s.histograms().get(WAIT).bucketUpperBoundsNanos()[0] = 99;
    feed(granted(1), new LockEvent.Denied(request(), lock(9)));
    assertThat(s.counters()).containsEntry(L + "granted_total", 1L);
    assertThat(s.counters()).containsEntry(L + "denied_total", 0L);
    assertThat(s.gauges()).containsEntry(L + "held", 1L);
    expect("granted_total=2 denied_total=1 waits_total{outcome=\"granted\"}=1", "held=2");
    expectWaits(MS, MS, 1, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void concurrentFeedersLeaveExactTotals() throws Exception {
    int threads = 8;
    int rounds = 5_000;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> feeder(start, rounds)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    long n = (long) threads * rounds;
    expect(
        ("granted_total=%d released_total{reason=\"timeout\"}=%d"
                + " waits_total{outcome=\"granted\"}=%d limit_hits_total{limit=\"limit-0\"}=%d"
                + " limit_hits_total{limit=\"limit-1\"}=%d limit_hits_total{limit=\"limit-2\"}=%d"
                + " limit_hits_total{limit=\"limit-3\"}=%d dittofs_connections_registered_total=%d"
                + " opens_granted_total=%d")
            .formatted(2 * n, n, n, n / 4, n / 4, n / 4, n / 4, n, n),
        "held=%d opens=%d dittofs_connections_active=%d".formatted(n, n, n));
    long each = n / 20; // each wait of 0..19 ms occurs this often
    expectWaits(each * 190 * MS, 19 * MS, 2 * each, 9 * each, 9 * each, 0, 0, 0, 0);
  }

  /** One feeder thread: per round 8 events, with four limit names racing to be added first. */
  private Void feeder(CyclicBarrier start, int rounds) throws Exception {
    start.await();
    for (int i = 0; i < rounds; i++) {
      feed(granted(1), granted(1), released(ReleaseReason.TIMEOUT, 1, -1));
      feed(waited(Duration.ofMillis(i % 20), WaitOutcome.GRANTED));
      feed(new LockEvent.LimitHit("limit-" + (i % 4), 1, 1));
      feed(new LockEvent.ClientRegistered(CLIENT, "h"), new LockEvent.OpenGranted(open(i), false));
    }
    return null;
  }

  @Test
  void lockManagersMetricsCreatesIndependentZeroedInstances() {
    LockMetrics a = LockManagers.metrics();
    LockMetrics b = LockManagers.metrics();
    assertThat(a).isInstanceOf(EventMetrics.class).isNotSameAs(b);
    a.onEvent(granted(1));
    assertSnapshot(a, "granted_total=1", "held=1");
    assertSnapshot(b, "", "");
  }

  @Test
  void nullEventIsIgnored() {
    m.onEvent(null);
    expect("", "");
  }
}
