package org.dittofs.metadata.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.metrics.testing.PrometheusText;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A known sequence of grants, refusals, waits and releases against a real metadata service on the
 * memory store, then the exposition as Prometheus reads it: strict text, the right families and
 * types, and the counted values.
 */
class LockPrometheusMetricsTest {
  private final MetadataManager service =
      MetadataServices.over(new MemoryMetadataStore())
          .config(LockConfig.builder().maxLocksPerFile(3).build())
          .start();
  private final LockManager locks = service.lockManager();
  private final LockPrometheusMetrics metrics = new LockPrometheusMetrics(() -> Optional.of(locks));

  {
    locks.addListener(metrics);
  }

  private static final FileHandle FILE = FileHandle.of("metrics-file");
  private static final LockClient HOST_A = new LockClient("host-a", "nlm");
  private static final LockClient HOST_B = new LockClient("host-b", "smb");

  @AfterEach
  void stop() {
    service.close();
  }

  private static LockRequest posix(String owner, boolean exclusive, long offset, long length) {
    LockRequest.Builder b =
        LockRequest.builder(FILE, LockOwner.of(owner)).share("s").client(HOST_A).posix();
    return (exclusive ? b.exclusive() : b.shared()).range(ByteRange.span(offset, length)).build();
  }

  private static LockRequest windows(String owner, long offset, long length) {
    return LockRequest.builder(FILE, LockOwner.of(owner))
        .share("s")
        .client(HOST_B)
        .windows()
        .shared()
        .range(ByteRange.span(offset, length))
        .build();
  }

  private PrometheusText scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, metrics.scrape());
    return PrometheusText.parse(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aKnownSequenceIsCountedAndExposedInStrictTextFormat() throws Exception {
    service.putShare(new Share("s", LockingMode.ADVISORY));
    assertThat(locks.lock(posix("a", true, 0, 10)).granted()).isTrue();
    assertThat(locks.lock(posix("a", true, 10, 10)).granted()).isTrue(); // coalesces
    assertThat(locks.lock(posix("b", false, 5, 1)).granted()).isFalse(); // conflict
    assertThat(locks.lock(posix("b", true, 50, 1)).granted()).isTrue();
    assertThat(locks.lock(windows("w", 100, 1)).granted()).isTrue();
    assertThatThrownBy(() -> locks.lock(windows("w", 200, 1))) // 4th record on the file
        .isInstanceOf(StoreError.class);
    PendingLock waiting = locks.lockBlocking(posix("c", true, 0, 1), Duration.ofSeconds(60));
    PendingLock cancelled = locks.lockBlocking(posix("d", true, 0, 1), Duration.ofSeconds(60));
    cancelled.cancel();

    PrometheusText t = scrape();

    assertThat(t.types())
        .containsEntry("dittofs_lock_grants_total", "counter")
        .containsEntry("dittofs_lock_denials_total", "counter")
        .containsEntry("dittofs_lock_limit_refusals_total", "counter")
        .containsEntry("dittofs_lock_locks", "gauge")
        .containsEntry("dittofs_lock_store_commit_seconds", "histogram")
        .containsEntry("dittofs_lock_store_swap_seconds", "histogram");
    assertThat(grants(t, "posix", "exclusive", false)).isEqualTo(3);
    assertThat(grants(t, "windows", "shared", false)).isEqualTo(1);
    assertThat(denials(t, "posix", "shared", "conflict")).isEqualTo(1);
    assertThat(t.require("dittofs_lock_limit_refusals_total", "limit", "per-file")).isEqualTo(1);
    assertThat(denials(t, "windows", "shared", "lock_limit_exceeded")).isEqualTo(1);
    assertThat(t.require("dittofs_lock_waits_total", "outcome", "cancelled")).isEqualTo(1);
    assertThat(t.require("dittofs_lock_locks")).isEqualTo(3);
    assertThat(t.require("dittofs_lock_waiters")).isEqualTo(1);
    assertThat(t.require("dittofs_lock_grace_active")).isZero();
    assertThat(t.require("dittofs_lock_store_pending_writes")).isZero();
    // every grant above is one group commit of the store
    assertThat(t.require("dittofs_lock_store_commit_seconds_count")).isGreaterThanOrEqualTo(4);
    assertThat(t.require("dittofs_lock_store_commit_seconds_bucket", "le", "+Inf"))
        .isEqualTo(t.require("dittofs_lock_store_commit_seconds_count"));
    assertThat(t.series().keySet()).noneMatch(k -> k.contains("metrics-file") || k.contains("a\""));

    locks.unlock(
        new UnlockRequest(
            FILE, LockOwner.of("a"), posix("a", true, 0, 1).flavour(), ByteRange.span(0, 20)));
    assertThat(waiting.await(Duration.ofSeconds(10))).isNotNull();

    PrometheusText after = scrape();
    assertThat(after.require("dittofs_lock_releases_total", "reason", "explicit")).isEqualTo(1);
    assertThat(after.require("dittofs_lock_waits_total", "outcome", "granted")).isEqualTo(1);
    assertThat(after.require("dittofs_lock_waiters")).isZero();
    assertThat(after.require("dittofs_lock_wait_seconds_count")).isEqualTo(2);
  }

  private static double grants(PrometheusText t, String flavour, String type, boolean reclaim) {
    return t.require(
        "dittofs_lock_grants_total", "flavour", flavour, "type", type, "reclaim", "" + reclaim);
  }

  private static double denials(PrometheusText t, String flavour, String type, String reason) {
    return t.require(
        "dittofs_lock_denials_total", "flavour", flavour, "type", type, "reason", reason);
  }

  @Test
  void refusalsAreCountedByReason() throws Exception {
    service.putShare(new Share("s", LockingMode.ADVISORY));
    assertThat(locks.lock(posix("a", true, 0, 10)).granted()).isTrue();
    assertThat(locks.lock(posix("b", true, 20, 1)).granted()).isTrue();
    PendingLock bWaitsForA = locks.lockBlocking(posix("b", true, 0, 1), Duration.ofSeconds(60));
    assertThatThrownBy(() -> locks.lockBlocking(posix("a", true, 20, 1), Duration.ofSeconds(60)))
        .isInstanceOf(StoreError.class)
        .hasMessageContaining("deadlock");
    bWaitsForA.cancel();
    locks.swapStore(null, null); // the manager is left without a store
    assertThatThrownBy(() -> locks.lock(posix("c", false, 40, 1)))
        .isInstanceOf(StoreError.class)
        .hasMessageContaining("store");
    assertThatThrownBy(() -> locks.reclaim(posix("c", false, 40, 1)))
        .isInstanceOf(StoreError.class)
        .hasMessageContaining("grace");

    PrometheusText t = scrape();

    assertThat(denials(t, "posix", "exclusive", "deadlock")).isEqualTo(1);
    assertThat(t.require("dittofs_lock_deadlocks_total")).isEqualTo(1);
    assertThat(denials(t, "posix", "shared", "store_unavailable")).isEqualTo(1);
    assertThat(denials(t, "posix", "shared", "not_in_grace")).isEqualTo(1);
    assertThat(denials(t, "posix", "shared", "conflict")).isZero();
    assertThat(denials(t, "windows", "exclusive", "grace_period")).isZero(); // created at zero
  }

  @Test
  void requestsRefusedInTheGracePeriodAreCountedAsSuch() throws Exception {
    MemoryMetadataStore store = new MemoryMetadataStore();
    MetadataManager first = MetadataServices.over(store).start();
    first.putShare(new Share("s", LockingMode.ADVISORY));
    assertThat(first.lockManager().lock(posix("a", true, 0, 10)).granted()).isTrue();
    first.close();
    MetadataManager restarted = MetadataServices.over(store).start(); // restores a's lock
    try {
      LockManager m = restarted.lockManager();
      LockPrometheusMetrics counted = new LockPrometheusMetrics(() -> Optional.of(m));
      m.addListener(counted);
      assertThat(m.graceStatus().active()).isTrue();
      assertThatThrownBy(() -> m.lock(windows("w", 100, 1))).isInstanceOf(StoreError.class);
      assertThatThrownBy(() -> m.lock(windows("w", 200, 1))).isInstanceOf(StoreError.class);

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(out, counted.scrape());
      PrometheusText t = PrometheusText.parse(out.toString(StandardCharsets.UTF_8));
      assertThat(denials(t, "windows", "shared", "grace_period")).isEqualTo(2);
      assertThat(t.require("dittofs_lock_grace_active")).isEqualTo(1);
    } finally {
      restarted.close();
    }
  }

  @Test
  void aSwapIsObservedInTheSwapHistogram() throws Exception {
    service.putShare(new Share("s", LockingMode.ADVISORY));
    locks.lock(posix("a", true, 0, 10));
    service.swapStore(new MemoryMetadataStore());

    PrometheusText t = scrape();

    assertThat(t.require("dittofs_lock_store_swap_seconds_count")).isEqualTo(1);
    assertThat(t.require("dittofs_lock_store_swap_seconds_bucket", "le", "60.0")).isEqualTo(1);
  }

  @Test
  void aSingleNodeHasNoClusterNodeAndNoLiveNodes() throws Exception {
    PrometheusText t = scrape();
    assertThat(t.series().keySet()).noneMatch(k -> k.startsWith("dittofs_lock_cluster_node{"));
    assertThat(t.require("dittofs_lock_cluster_nodes_live")).isZero();
  }

  @Test
  void aNodeOfAClusterNamesItselfAndCountsTheLiveNodes() throws Exception {
    org.dittofs.metadata.lock.testing.InMemoryLockCluster cluster =
        new org.dittofs.metadata.lock.testing.InMemoryLockCluster();
    LockManager n0 =
        org.dittofs.metadata.lock.host.LockManagers.builder().cluster(cluster.node("n0")).build();
    LockManager n1 =
        org.dittofs.metadata.lock.host.LockManagers.builder().cluster(cluster.node("n1")).build();
    try {
      LockPrometheusMetrics m = new LockPrometheusMetrics(() -> Optional.of(n0));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(out, m.scrape());
      PrometheusText t = PrometheusText.parse(out.toString(StandardCharsets.UTF_8));
      assertThat(t.types()).containsEntry("dittofs_lock_cluster_node", "gauge");
      assertThat(t.require("dittofs_lock_cluster_node", "node", "n0")).isEqualTo(1);
      assertThat(t.require("dittofs_lock_cluster_nodes_live")).isEqualTo(2);
    } finally {
      n0.close();
      n1.close();
    }
  }

  /**
   * In cluster mode the gauges of the lock space are the cluster's, and a scrape costs a few counts
   * in the database whatever the number of files: it never reads a file's state (each such read is
   * a round trip to the database) nor lists the files.
   */
  @Test
  void aClusterScrapeCountsTheClustersStateWithoutReadingAnyFile() throws Exception {
    org.dittofs.metadata.lock.testing.InMemoryLockCluster cluster =
        new org.dittofs.metadata.lock.testing.InMemoryLockCluster();
    Map<String, Integer> calls = new ConcurrentHashMap<>();
    LockCluster counted = counting(cluster.node("n0"), calls);
    LockManager n0 = org.dittofs.metadata.lock.host.LockManagers.builder().cluster(counted).build();
    LockManager n1 =
        org.dittofs.metadata.lock.host.LockManagers.builder().cluster(cluster.node("n1")).build();
    try {
      for (int i = 0; i < 20; i++) {
        FileHandle f = FileHandle.of("cluster-file-" + i);
        assertThat(n1.lock(on(f, "a")).granted()).isTrue();
        n1.open(
            new OpenRequest(f, "s", LockOwner.of("a"), HOST_A, Set.of(ShareAccess.READ), Set.of()));
      }
      PendingLock waiting =
          n1.lockBlocking(on(FileHandle.of("cluster-file-0"), "b"), Duration.ofSeconds(60));
      n0.registerClient(HOST_B, "10.0.0.2", Duration.ofMinutes(1));
      LockPrometheusMetrics m = new LockPrometheusMetrics(() -> Optional.of(n0));
      calls.clear();

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(out, m.scrape());
      PrometheusText t = PrometheusText.parse(out.toString(StandardCharsets.UTF_8));

      assertThat(t.require("dittofs_lock_locks")).isEqualTo(20);
      assertThat(t.require("dittofs_lock_opens_held")).isEqualTo(20);
      assertThat(t.require("dittofs_lock_waiters")).isEqualTo(1);
      assertThat(t.require("dittofs_lock_clients")).isEqualTo(1); // this node's
      assertThat(calls).doesNotContainKeys("read", "onFile", "files", "filesOf");
      assertThat(calls.values().stream().mapToInt(Integer::intValue).sum()).isLessThan(10);
      waiting.cancel();
    } finally {
      n0.close();
      n1.close();
    }
  }

  private static LockRequest on(FileHandle f, String owner) {
    return LockRequest.builder(f, LockOwner.of(owner))
        .share("s")
        .client(HOST_A)
        .posix()
        .exclusive()
        .range(ByteRange.span(0, 10))
        .build();
  }

  /** {@code node} with every call counted by method name in {@code calls}. */
  private static LockCluster counting(LockCluster node, Map<String, Integer> calls) {
    return (LockCluster)
        Proxy.newProxyInstance(
            LockCluster.class.getClassLoader(),
            new Class<?>[] {LockCluster.class},
            (proxy, method, args) -> {
              calls.merge(method.getName(), 1, Integer::sum);
              try {
                return method.invoke(node, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void withoutALockManagerTheGaugesAreLeftOutAndTheScrapeStaysValid() throws Exception {
    LockPrometheusMetrics detached = new LockPrometheusMetrics(Optional::empty);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, detached.scrape());

    PrometheusText t = PrometheusText.parse(out.toString(StandardCharsets.UTF_8));

    assertThat(t.value("dittofs_lock_locks")).isEmpty();
    // every known label combination is there from the start, at zero (rate() needs a first 0)
    assertThat(grants(t, "windows", "exclusive", true)).isZero();
    assertThat(t.require("dittofs_lock_releases_total", "reason", "grace_expired")).isZero();
    assertThat(t.require("dittofs_lock_limit_refusals_total", "limit", "per-client")).isZero();
  }

  @Test
  void theStrictReaderRefusesWhatPrometheusWouldNot() {
    assertThatThrownBy(() -> PrometheusText.parse("x 1\n"))
        .hasMessageContaining("no family declared");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx{a=\"1\",} 1\n"))
        .hasMessageContaining("trailing comma");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x histogram\nx 1\n"))
        .hasMessageContaining("wrong suffix");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx one\n"))
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx 1\nx 2\n"))
        .hasMessageContaining("twice");
  }
}
