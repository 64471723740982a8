package org.dittofs.metadata.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.logging.Level;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.LogCapture;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.testing.MapStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The metadata service component driven the way Declarative Services drives it: activate with a
 * configuration, bind and unbind stores (replacement bound before the old one is unbound), modify
 * the configuration. Outside a framework: the OSGi wiring itself is proven by the itests. Each
 * store is bound with the service properties DS passes (service.id, store.type, service.ranking).
 */
class MetadataServiceComponentTest {
  private static final FileHandle F = FileHandle.of("f");
  private static final LockOwner A = LockOwner.of("nlm:a:1:oh");

  private final ManualScheduler time = new ManualScheduler();
  private final MetadataServiceComponent component = new MetadataServiceComponent(time);
  private final Map<MetadataStore, Map<String, Object>> registered = new IdentityHashMap<>();
  private long nextServiceId = 1;
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = new LogCapture("org.dittofs.metadata");
  }

  @AfterEach
  void deactivate() {
    component.deactivate();
    log.close();
  }

  @Test
  void withoutAStoreEveryCallSaysStoreUnavailable() {
    component.activate(null, config(Map.of()));
    assertThatThrownBy(component::locks)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
  }

  @Test
  void aStoreBoundBeforeActivationIsUsedAtActivation() {
    MapStore memory = new MapStore();
    bind(memory);
    component.activate(null, config(Map.of()));
    assertThat(component.store()).isSameAs(memory);
    assertThat(grant(0, 10).granted()).isTrue();
  }

  @Test
  void bindingAReplacementBeforeUnbindingTheOldOneSwapsWithoutLosingALock() {
    MapStore first = new MapStore();
    MapStore second = new MapStore();
    component.activate(null, config(Map.of()));
    bind(first);
    Lock held = ((LockResult.Granted) grant(0, 10)).lock();

    bind(second); // DS binds the replacement first
    unbind(first); // then unbinds the old one: ignored, already replaced

    assertThat(component.store()).isSameAs(second);
    assertThat(ids(second)).containsExactly(held.id().toString());
    assertThat(component.lockManager().locks(F)).containsExactly(held);
  }

  @Test
  void losingTheOnlyStoreDetachesAndTheNextStoreReceivesTheState() {
    MapStore first = new MapStore();
    component.activate(null, config(Map.of()));
    bind(first);
    grant(0, 100);

    unbind(first);
    assertThatThrownBy(() -> grant(200, 10))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    component.locks().unlock(new UnlockRequest(F, A, LockFlavour.POSIX, ByteRange.span(40, 20)));

    MapStore next = new MapStore();
    bind(next);
    assertThat(ids(next))
        .containsExactlyInAnyOrderElementsOf(
            component.lockManager().locks(F).stream().map(l -> l.id().toString()).toList());
    assertThat(grant(200, 10).granted()).isTrue();
  }

  @Test
  void aLimitChangeAppliesToTheRunningManager() {
    bind(new MapStore());
    component.activate(null, config(Map.of()));
    component.modified(config(Map.of("max_locks_per_file", 1)));

    assertThat(component.lockManager().config().maxLocksPerFile()).isEqualTo(1);
    assertThat(grant(0, 10).granted()).isTrue();
    assertThatThrownBy(() -> grant(100, 10))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED));
  }

  @Test
  void aBadConfigurationIsRefusedAndThePreviousOneStays() {
    bind(new MapStore());
    component.activate(null, config(Map.of("max_locks_per_file", 7)));
    grant(0, 10);

    // Config Admin passes the whole configuration on every change
    component.modified(config(Map.of("max_locks_per_file", 7, "lock_timeout_seconds", -5L)));
    component.modified(
        config(
            Map.of("max_locks_per_file", 7, "lock_timeout_seconds", -5L, "fairness", "SOMETIMES")));

    assertThat(component.lockManager().config().maxLocksPerFile()).isEqualTo(7);
    assertThat(component.lockManager().config().lockTimeout()).hasSeconds(60);
    assertThat(component.lockManager().locks(F)).hasSize(1); // nothing held was dropped
    assertThat(log.lines(Level.SEVERE))
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .contains(
                        MetadataServiceComponent.PID,
                        "'lock.timeout.seconds'",
                        "'-5' is outside 1 to 86400",
                        "keeping 60"),
            l -> assertThat(l).contains(MetadataServiceComponent.PID, "'fairness'", "SOMETIMES"));
  }

  @Test
  void sharesSurviveASwapBecauseTheyAreCopiedFromTheOldStore() {
    MapStore first = new MapStore();
    component.activate(null, config(Map.of()));
    bind(first);
    component.putShare(new Share("docs", LockingMode.MANDATORY));
    MapStore second = new MapStore();

    bind(second, "memory", 1); // better ranked: greedy selection swaps to it

    java.util.Optional<Share> copied = second.inTransaction(tx -> tx.getShare("docs"));
    assertThat(copied).contains(new Share("docs", LockingMode.MANDATORY));
  }

  @Test
  void metricsAreReadableOverJmxUnderTheComponentsObjectName() throws Exception {
    bind(new MapStore());
    component.activate(null, config(Map.of()));
    grant(0, 10);
    grant(0, 10); // the same owner re-locking its own range: granted again, no new record

    javax.management.MBeanServer jmx =
        java.lang.management.ManagementFactory.getPlatformMBeanServer();
    javax.management.ObjectName name = new javax.management.ObjectName(MetricsMBean.NAME);
    assertThat(jmx.getAttribute(name, "dittofs_locks_granted_total")).isEqualTo(2L);
    assertThat(jmx.getAttribute(name, "dittofs_locks_released_total_reason_explicit"))
        .isEqualTo(0L);
    assertThat(jmx.getMBeanInfo(name).getAttributes())
        .extracting(javax.management.MBeanAttributeInfo::getName)
        .contains("dittofs_locks_held", "dittofs_locks_wait_seconds_count");

    component.deactivate();
    assertThat(jmx.isRegistered(name)).isFalse();
  }

  /**
   * After store.target becomes {@code target} the service stays on {@code store}, its locks ({@code
   * held}) kept and grants going on, with one warning naming the filter and saying {@code why}.
   */
  private void retargetedButServing(MapStore store, Lock held, String target, String... why) {
    component.modified(config(Map.of("store_target", target)));

    assertThat(component.store()).isSameAs(store);
    assertThat(component.lockManager().locks(F)).containsExactly(held);
    assertThat(grant(100, 10).granted()).isTrue();
    assertThat(log.lines(Level.WARNING))
        .singleElement()
        .asString()
        .contains(MetadataServiceComponent.PID, "'store.target'", target)
        .contains(why);
  }

  @Test
  void aMalformedTargetIsRefusedWithOneLineAndTheServiceKeepsServing() {
    MapStore memory = new MapStore();
    bind(memory);
    component.activate(null, config(Map.of()));
    Lock held = ((LockResult.Granted) grant(0, 10)).lock();

    retargetedButServing(
        memory, held, "(store.type=h2", "not a valid LDAP filter", "keeping (store.type=memory)");

    // the previous filter is still in force: a better ranked memory store is swapped to
    MapStore better = new MapStore();
    bind(better, "memory", 5);
    assertThat(component.store()).isSameAs(better);
  }

  @Test
  void aTargetMatchingNothingKeepsTheStoreUntilAMatchingOneAppearsThenSwapsWithTheState() {
    MapStore memory = new MapStore();
    bind(memory);
    component.activate(null, config(Map.of()));
    component.putShare(new Share("docs", LockingMode.ADVISORY));
    Lock held = ((LockResult.Granted) grant(0, 10)).lock();

    retargetedButServing(
        memory,
        held,
        "(store.type=nosuch)",
        "matches no registered MetadataStore",
        "staying on memory until one appears");

    bind(new MapStore(), "other", 0); // does not match: nothing changes, no new line
    assertThat(component.store()).isSameAs(memory);
    assertThat(log.lines(Level.WARNING)).hasSize(1);

    MapStore nosuch = new MapStore();
    bind(nosuch, "nosuch", 0);
    assertThat(component.store()).isSameAs(nosuch);
    assertThat(ids(nosuch))
        .containsExactlyInAnyOrderElementsOf(
            component.lockManager().locks(F).stream().map(l -> l.id().toString()).toList());
    assertThat(ids(nosuch)).contains(held.id().toString());
    assertThat(nosuch.inTransaction(tx -> tx.getShare("docs").isPresent()).booleanValue()).isTrue();
  }

  @Test
  void theStoreKeptWhileNothingMatchesGoingAwayDetaches() {
    MapStore memory = new MapStore();
    bind(memory);
    component.activate(null, config(Map.of()));
    grant(0, 10);
    component.modified(config(Map.of("store_target", "(store.type=nosuch)")));

    unbind(memory);

    assertThat(component.store()).isNull();
    assertThatThrownBy(() -> grant(200, 10))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    assertThat(component.lockManager().locks(F)).hasSize(1); // held in memory, not dropped

    MapStore nosuch = new MapStore();
    bind(nosuch, "nosuch", 0);
    assertThat(component.store()).isSameAs(nosuch);
    assertThat(ids(nosuch)).hasSize(1);
  }

  @Test
  void theStoreInUseGoingAwayMovesToTheNextMatchingStoreReadingTheDepartingOne() {
    MapStore first = new MapStore();
    MapStore second = new MapStore();
    bind(first, "memory", 10);
    bind(second, "memory", 0);
    component.activate(null, config(Map.of()));
    assertThat(component.store()).isSameAs(first);
    component.putShare(new Share("docs", LockingMode.MANDATORY));
    Lock held = ((LockResult.Granted) grant(0, 10)).lock();

    unbind(first);

    assertThat(component.store()).isSameAs(second);
    assertThat(ids(second)).containsExactly(held.id().toString());
    assertThat(second.inTransaction(tx -> tx.getShare("docs").isPresent()).booleanValue()).isTrue();
  }

  @Test
  void selectionIsHighestRankingThenLowestServiceIdAndFollowsRankingUpdates() {
    MapStore a = new MapStore();
    MapStore b = new MapStore();
    MapStore c = new MapStore();
    bind(a, "memory", 0);
    bind(b, "memory", 3);
    bind(c, "memory", 3);
    component.activate(null, config(Map.of()));
    assertThat(component.store()).isSameAs(b); // ranking 3, lower service.id than c
    grant(0, 10);

    Map<String, Object> props = new java.util.HashMap<>(registered.get(a));
    props.put("service.ranking", 7);
    registered.put(a, Map.copyOf(props));
    component.updatedStore(a, registered.get(a));
    assertThat(component.store()).isSameAs(a);
    assertThat(ids(a)).hasSize(1);
  }

  @Test
  void aNewTargetMatchingAnotherStoreSwapsToIt() {
    MapStore memory = new MapStore();
    MapStore other = new MapStore();
    bind(memory);
    bind(other, "h2", 0);
    component.activate(null, config(Map.of()));
    Lock held = ((LockResult.Granted) grant(0, 10)).lock();

    component.modified(config(Map.of("store_target", "(Store.Type=h2)"))); // names ignore case

    assertThat(component.store()).isSameAs(other);
    assertThat(ids(other)).containsExactly(held.id().toString());
    assertThat(log.lines(Level.WARNING)).isEmpty();
  }

  @Test
  void aConfigurationWithoutTheTargetKeepsTheTargetInForceAndMovesNoLock() {
    MapStore memory = new MapStore();
    MapStore h2 = new MapStore();
    bind(memory);
    bind(h2, "h2", 0);
    component.activate(null, config(Map.of("store_target", "(store.type=h2)")));
    Lock held = ((LockResult.Granted) grant(0, 10)).lock();

    // what Karaf's file install hands over when it reads a half-written .cfg: the line is missing
    component.modified(config(Map.of("max_locks_per_file", 5)));
    assertThat(component.store()).isSameAs(h2);
    assertThat(ids(memory)).isEmpty();
    assertThat(component.lockManager().config().maxLocksPerFile()).isEqualTo(5);
    assertThat(log.lines(Level.WARNING))
        .singleElement()
        .asString()
        .contains(
            MetadataServiceComponent.PID,
            "'store.target'",
            "not set; keeping (store.type=h2)",
            "store.target=(store.type=memory)");

    component.modified(config(Map.of("max_locks_per_file", 6))); // still unset: said once
    component.modified(config(Map.of("store_target", "(store.type=h2)"))); // the whole file
    assertThat(component.store()).isSameAs(h2);
    assertThat(log.lines(Level.WARNING)).hasSize(1);

    component.modified(config(Map.of("store_target", "(store.type=memory)"))); // said: moves
    assertThat(component.store()).isSameAs(memory);
    assertThat(ids(memory)).containsExactly(held.id().toString());
  }

  @Test
  void theStoreLeavingWhileTheFrameworkStopsIsACleanShutdownWithoutAWarning() {
    MapStore memory = new MapStore();
    MapStore other = new MapStore();
    bind(memory);
    bind(other); // also matches: a store leaving otherwise means a swap to it
    component.activate(framework(org.osgi.framework.Bundle.STOPPING), config(Map.of()));
    grant(0, 10);
    assertThat(memory.inTransaction(tx -> tx.locks().isCleanShutdown()).booleanValue()).isFalse();

    unbind(memory); // Karaf stops the store bundles first

    assertThat(memory.inTransaction(tx -> tx.locks().isCleanShutdown()).booleanValue())
        .as("the clean-shutdown marker was set while the departing store was usable")
        .isTrue();
    assertThat(ids(memory)).hasSize(1);
    assertThat(ids(other)).as("no swap into the other store while stopping").isEmpty();
    assertThat(log.lines(Level.WARNING)).isEmpty();
    assertThat(log.lines(Level.INFO)).anyMatch(l -> l.contains("closed cleanly over memory"));
    bind(new MapStore()); // nothing starts again while the framework stops
    assertThat(component.store()).isNull();
  }

  @Test
  void theStoreLeavingWhileTheFrameworkRunsDetachesWithAWarning() {
    MapStore memory = new MapStore();
    bind(memory);
    component.activate(framework(org.osgi.framework.Bundle.ACTIVE), config(Map.of()));
    grant(0, 10);

    unbind(memory);

    assertThat(memory.inTransaction(tx -> tx.locks().isCleanShutdown()).booleanValue()).isFalse();
    assertThat(log.lines(Level.WARNING)).singleElement().asString().contains("went away");
  }

  @Test
  void aSelectedStoreThatIsNotOpenYetIsRetriedInTheBackgroundWithOneLineEach() {
    MapStore memory = new MapStore();
    boolean[] open = {false};
    MetadataStore later =
        new MetadataStore() {
          @Override
          public String type() {
            return "h2";
          }

          @Override
          public org.dittofs.metadata.spi.Transaction begin() {
            if (!open[0]) {
              throw new StoreError(ErrorCode.STORE_UNAVAILABLE, "not open yet (test)");
            }
            return memory.begin();
          }
        };
    bind(later, "h2", 0);
    component.activate(null, config(Map.of("store_target", "(store.type=h2)")));
    assertThat(component.store()).isNull();
    time.advance(java.time.Duration.ofSeconds(7)); // retries at 1, 2 and 4 s: still closed
    assertThat(log.lines(Level.SEVERE))
        .singleElement()
        .asString()
        .contains("cannot use store h2", "not open yet", "retrying in the background");

    open[0] = true;
    time.advance(java.time.Duration.ofSeconds(8)); // the next retry, 8 s after the last

    assertThat(component.store()).isSameAs(later);
    assertThat(grant(0, 10).granted()).isTrue();
    assertThat(log.lines(Level.SEVERE)).hasSize(1);
    assertThat(log.lines(Level.INFO)).anyMatch(l -> l.contains("store h2 works again"));
  }

  @Test
  void noStoreAtActivationIsAnInfoLineAndAWarningOnlyIfNoneComes() {
    component.activate(null, config(Map.of()));
    assertThat(log.lines(Level.WARNING)).isEmpty();
    assertThat(log.lines(Level.INFO))
        .singleElement()
        .asString()
        .contains("waiting for a MetadataStore");

    time.advance(
        java.time.Duration.ofSeconds(MetadataServiceComponent.STORE_EXPECTED_WITHIN_SECONDS));

    assertThat(log.lines(Level.WARNING))
        .singleElement()
        .asString()
        .contains("no MetadataStore matches store.target (store.type=memory) after 30 s");
  }

  @Test
  void aStoreThatComesInTimeLeavesNoWarning() {
    component.activate(null, config(Map.of()));
    bind(new MapStore());
    time.advance(java.time.Duration.ofSeconds(60));
    assertThat(log.lines(Level.WARNING)).isEmpty();
  }

  /** A bundle context whose system bundle is in {@code state}. */
  private static org.osgi.framework.BundleContext framework(int state) {
    org.osgi.framework.Bundle system =
        (org.osgi.framework.Bundle)
            java.lang.reflect.Proxy.newProxyInstance(
                MetadataServiceComponentTest.class.getClassLoader(),
                new Class<?>[] {org.osgi.framework.Bundle.class},
                (p, m, a) -> m.getName().equals("getState") ? state : null);
    return (org.osgi.framework.BundleContext)
        java.lang.reflect.Proxy.newProxyInstance(
            MetadataServiceComponentTest.class.getClassLoader(),
            new Class<?>[] {org.osgi.framework.BundleContext.class},
            (p, m, a) -> m.getName().equals("getBundle") ? system : null);
  }

  /** A store whose lock records are shared through a cluster: this server as node {@code n0}. */
  private record ClusterStore(MapStore store, org.dittofs.metadata.lock.spi.LockCluster lockCluster)
      implements org.dittofs.metadata.spi.ClusteredMetadataStore {
    @Override
    public String type() {
      return store.type();
    }

    @Override
    public org.dittofs.metadata.spi.Transaction begin() {
      return store.begin();
    }
  }

  @Test
  void aSingleNodeHoldingLocksDoesNotMoveIntoAClusterUntilItHoldsNothing() {
    org.dittofs.metadata.lock.testing.InMemoryLockCluster cluster =
        new org.dittofs.metadata.lock.testing.InMemoryLockCluster();
    component.activate(null, config(Map.of()));
    bind(new MapStore());
    grant(0, 10);
    bind(new ClusterStore(new MapStore(), cluster.node("n0")), "memory", 5); // ranks higher
    assertThat(component.lockManager().clusterNode()).isEmpty(); // refused: it holds a lock
    assertThat(log.lines(Level.SEVERE))
        .singleElement()
        .asString()
        .contains("copies nothing", "release them first");
    component.locks().unlock(new UnlockRequest(F, A, LockFlavour.POSIX, ByteRange.span(0, 10)));
    time.advance(java.time.Duration.ofSeconds(2)); // the retry
    assertThat(component.lockManager().clusterNode()).contains("n0");
    assertThat(log.lines(Level.INFO))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains(
                        "restarting the lock manager: memory -> memory cluster (cluster mode)"));
    assertThat(grant(0, 10).granted()).isTrue();
    assertThat(cluster.records(F)).hasSize(1); // the lock is the cluster's
  }

  @Test
  void aClusterStoreGoingAwayMakesTheNodeLeaveTheCluster() {
    org.dittofs.metadata.lock.testing.InMemoryLockCluster cluster =
        new org.dittofs.metadata.lock.testing.InMemoryLockCluster();
    component.activate(null, config(Map.of()));
    ClusterStore node = new ClusterStore(new MapStore(), cluster.node("n0"));
    bind(node);
    assertThat(grant(0, 10).granted()).isTrue();
    assertThat(cluster.node("other").nodes()).extracting(n -> n.node()).containsExactly("n0");
    unbind(node);
    assertThat(cluster.node("other").nodes()).isEmpty();
    assertThatThrownBy(() -> grant(20, 10))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    assertThat(cluster.records(F)).hasSize(1); // what it granted stays the cluster's
  }

  private void bind(MetadataStore s) {
    bind(s, "memory", 0);
  }

  /** DS binding a store registered with these service properties. */
  private void bind(MetadataStore s, String type, int ranking) {
    Map<String, Object> props =
        Map.of("service.id", nextServiceId++, "store.type", type, "service.ranking", ranking);
    registered.put(s, props);
    component.bindStore(s, props);
  }

  private void unbind(MetadataStore s) {
    component.unbindStore(s, registered.remove(s));
  }

  private LockResult grant(long offset, long length) {
    return component
        .locks()
        .lock(
            new LockRequest(
                F,
                "demo",
                A,
                new LockClient("host-a", "nlm"),
                LockFlavour.POSIX,
                LockType.EXCLUSIVE,
                ByteRange.span(offset, length)));
  }

  private static java.util.List<String> ids(MetadataStore s) {
    return s.inTransaction(
        tx -> tx.locks().listLocks(LockQuery.all()).stream().map(PersistedLock::id).toList());
  }

  /**
   * A configuration as Config Admin passes it: the overrides only, their names as DS maps method
   * names to properties ({@code max_locks_per_file} is {@code max.locks.per.file}).
   */
  static Map<String, Object> config(Map<String, Object> overrides) {
    Map<String, Object> out = new java.util.HashMap<>();
    overrides.forEach((k, v) -> out.put(k.replace('_', '.'), v));
    out.put("service.pid", MetadataServiceComponent.PID);
    return out;
  }
}
