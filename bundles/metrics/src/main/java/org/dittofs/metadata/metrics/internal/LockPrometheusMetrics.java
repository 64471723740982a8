package org.dittofs.metadata.metrics.internal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockEventListener;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.spi.ClusterNode;

/**
 * The lock manager's metrics in Prometheus form, named {@code dittofs_lock_*} in base units.
 *
 * <ul>
 *   <li>Counters and histograms are derived from {@link LockEvent}s, counted from the moment this
 *       listener was added to the manager: grants by flavour and type, denials by flavour, type and
 *       reason ({@code conflict} for a {@link LockEvent.Denied}; for a {@link LockEvent.Refused}
 *       its error code in lower case: {@code grace_period}, {@code store_unavailable}, {@code
 *       lock_limit_exceeded}, {@code deadlock}, {@code not_in_grace}, {@code lock_not_found}),
 *       releases by reason, ended waits by outcome (timeouts and cancels are the outcomes {@code
 *       timed_out} and {@code cancelled}), deadlocks, limit refusals by limit, opens by outcome,
 *       store failures, store commit latency, swap duration and wait time.
 *   <li>Gauges are read from the manager at scrape time, so they are right whenever the listener
 *       was added: locks, opens, waiters, clients, pending store writes, grace state. Locks, opens
 *       and waiters are counts the manager keeps or sums over its tables, never a walk of every
 *       file's snapshot. In cluster mode (docs/cluster.md) locks, opens, waiters and grace are the
 *       cluster's, each one count in its database per scrape (the same value at every node: take
 *       one node's, or {@code max}, never the sum), while the counters, histograms, clients and
 *       pending writes are this node's (sum them over the nodes); {@code cluster_node} names the
 *       node and {@code cluster_nodes_live} counts the live nodes.
 * </ul>
 *
 * <p>No label carries a file handle, owner or client id: their number is unbounded.
 *
 * <p>Thread-safety: {@link #onEvent} runs on the lock manager's deciding threads and only updates
 * the Prometheus client's lock-free counters and histograms; {@link #scrape} may run concurrently
 * on HTTP threads. The manager is read through {@code manager}, which is thread-safe.
 */
final class LockPrometheusMetrics implements LockEventListener {
  static final String PREFIX = "dittofs_lock_";

  private static final double[] COMMIT_BOUNDS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5
  };
  private static final double[] SWAP_BOUNDS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  private static final double[] WAIT_BOUNDS = {0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300};

  /** The reasons of {@link LockEvent.Refused} that the lock manager publishes, created at zero. */
  private static final List<ErrorCode> REFUSALS =
      List.of(
          ErrorCode.GRACE_PERIOD,
          ErrorCode.STORE_UNAVAILABLE,
          ErrorCode.LOCK_LIMIT_EXCEEDED,
          ErrorCode.DEADLOCK,
          ErrorCode.NOT_IN_GRACE,
          ErrorCode.LOCK_NOT_FOUND);

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Supplier<Optional<LockManager>> manager;

  private final Counter grants;
  private final Counter denials;
  private final Counter releases;
  private final Counter waits;
  private final Counter deadlocks;
  private final Counter limitRefusals;
  private final Counter opens;
  private final Counter storeFailures;
  private final Histogram commitSeconds;
  private final Histogram swapSeconds;
  private final Histogram waitSeconds;

  /**
   * @param manager the lock manager to read gauges from, empty while there is none (no store bound
   *     yet): the gauges are then left out of the scrape
   */
  LockPrometheusMetrics(Supplier<Optional<LockManager>> manager) {
    this.manager = manager;
    grants = counter("grants", "Locks granted, reclaims included", "flavour", "type", "reclaim");
    denials =
        counter(
            "denials",
            "Lock requests refused, by reason: conflict (another owner's lock), grace_period,"
                + " store_unavailable, lock_limit_exceeded, deadlock, not_in_grace, lock_not_found"
                + " (reclaims)",
            "flavour",
            "type",
            "reason");
    releases = counter("releases", "Lock records released, by reason", "reason");
    waits =
        counter(
            "waits",
            "Blocking requests that stopped waiting, by outcome (granted, timed_out, cancelled,"
                + " deadlock, failed)",
            "outcome");
    deadlocks = counter("deadlocks", "Requests refused because waiting would close a cycle");
    limitRefusals = counter("limit_refusals", "Requests refused by a limit", "limit");
    opens = counter("opens", "Opens (share reservations) by outcome", "outcome");
    storeFailures = counter("store_failures", "Lock store writes that failed");
    commitSeconds =
        histogram("store_commit_seconds", "Latency of lock store group commits", COMMIT_BOUNDS);
    swapSeconds =
        histogram(
            "store_swap_seconds", "How long lock traffic was held by a store swap", SWAP_BOUNDS);
    waitSeconds = histogram("wait_seconds", "How long blocking requests waited", WAIT_BOUNDS);

    initialiseLabels();

    gauge("locks", "Lock records held", LockManager::lockCount);
    gauge("opens_held", "Opens (share reservations) held", LockManager::openCount);
    gauge("waiters", "Blocking requests waiting", LockManager::waiterCount);
    gauge("clients", "Clients the lock manager knows", LockManager::clientCount);
    gauge(
        "clients_courtesy",
        "Clients silent past their lease (courtesy clients)",
        LockManager::courtesyClientCount);
    gauge(
        "store_pending_writes",
        "Lock store writes not landed yet",
        LockManager::pendingStoreWrites);
    gauge("grace_active", "1 while the grace period runs", m -> m.graceStatus().active() ? 1 : 0);
    gauge(
        "grace_remaining_seconds",
        "Time left in the grace period",
        m -> m.graceStatus().remaining().toNanos() / 1e9);
    // cluster mode (docs/cluster.md): which node this is, and how many nodes are live
    GaugeWithCallback.builder()
        .name(PREFIX + "cluster_node")
        .help("1, labelled with this node's id, on a node of a cluster; absent on a single node")
        .labelNames("node")
        .callback(
            cb -> manager.get().flatMap(LockManager::clusterNode).ifPresent(n -> cb.call(1, n)))
        .register(registry);
    gauge(
        "cluster_nodes_live",
        "Live nodes of the cluster this node belongs to (0 on a single node)",
        m -> m.clusterNodes().stream().filter(ClusterNode::live).count());
  }

  /** The current values of every metric. */
  MetricSnapshots scrape() {
    return registry.scrape();
  }

  @Override
  public void onEvent(LockEvent event) {
    if (event instanceof LockEvent.Granted e) {
      grants
          .labelValues(
              label(e.lock().flavour()), label(e.lock().type()), String.valueOf(e.reclaim()))
          .inc();
    } else if (event instanceof LockEvent.Denied e) {
      denials
          .labelValues(label(e.request().flavour()), label(e.request().type()), "conflict")
          .inc();
    } else if (event instanceof LockEvent.Refused e) {
      denials
          .labelValues(label(e.request().flavour()), label(e.request().type()), label(e.reason()))
          .inc();
    } else if (event instanceof LockEvent.Released e) {
      releases.labelValues(label(e.reason())).inc(e.removed().size());
    } else if (event instanceof LockEvent.Waited e) {
      waits.labelValues(e.outcome() == null ? "unknown" : label(e.outcome())).inc();
      waitSeconds.observe(seconds(e.waited()));
    } else if (event instanceof LockEvent.Deadlock) {
      deadlocks.inc();
    } else if (event instanceof LockEvent.LimitHit e) {
      limitRefusals.labelValues(e.limit() == null ? "unknown" : e.limit()).inc();
    } else if (event instanceof LockEvent.OpenGranted) {
      opens.labelValues("granted").inc();
    } else if (event instanceof LockEvent.OpenDenied) {
      opens.labelValues("denied").inc();
    } else if (event instanceof LockEvent.StoreFailed) {
      storeFailures.inc();
    } else if (event instanceof LockEvent.StoreCommitted e) {
      commitSeconds.observe(seconds(e.latency()));
    } else if (event instanceof LockEvent.StoreSwapped e) {
      swapSeconds.observe(seconds(e.held()));
    }
  }

  /**
   * Creates every known label combination at zero, so that a series exists before its first event
   * (Prometheus' rate() needs a first sample). Limit names are those the lock manager reports.
   */
  private void initialiseLabels() {
    for (LockFlavour f : LockFlavour.values()) {
      for (LockType t : LockType.values()) {
        grants.labelValues(label(f), label(t), "false");
        grants.labelValues(label(f), label(t), "true");
        denials.labelValues(label(f), label(t), "conflict");
        for (ErrorCode reason : REFUSALS) {
          denials.labelValues(label(f), label(t), label(reason));
        }
      }
    }
    for (LockEvent.ReleaseReason r : LockEvent.ReleaseReason.values()) {
      releases.labelValues(label(r));
    }
    for (LockEvent.WaitOutcome o : LockEvent.WaitOutcome.values()) {
      waits.labelValues(label(o));
    }
    for (String limit :
        List.of("per-file", "per-client", "total", "waiters-per-file", "connections-per-adapter")) {
      limitRefusals.labelValues(limit);
    }
    opens.labelValues("granted");
    opens.labelValues("denied");
  }

  private Counter counter(String name, String help, String... labels) {
    Counter.Builder b = Counter.builder().name(PREFIX + name + "_total").help(help);
    if (labels.length > 0) {
      b.labelNames(labels);
    }
    return (Counter) b.withoutExemplars().register(registry);
  }

  private Histogram histogram(String name, String help, double[] bounds) {
    return (Histogram)
        Histogram.builder()
            .name(PREFIX + name)
            .help(help)
            .unit(Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(bounds)
            .withoutExemplars()
            .register(registry);
  }

  private void gauge(String name, String help, ToDoubleFunction<LockManager> value) {
    GaugeWithCallback.builder()
        .name(PREFIX + name)
        .help(help)
        .callback(cb -> manager.get().ifPresent(m -> cb.call(value.applyAsDouble(m))))
        .register(registry);
  }

  private static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private static double seconds(Duration d) {
    return d == null || d.isNegative() ? 0 : d.toNanos() / 1e9;
  }
}
