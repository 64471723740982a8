package org.dittofs.metadata.itests;

import static org.dittofs.metadata.itests.Locks.grant;
import static org.dittofs.metadata.itests.Locks.posix;
import static org.dittofs.metadata.itests.Locks.storedLocks;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.spi.MetadataStore;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Karaf 4.4: Karaf boots with the project's core feature ({@code dittofs-lock}: errors, lock,
 * metadata, SCR, the default configuration), and the service is up without a store. Then each store
 * feature is installed in turn through the FeaturesService (what {@code feature:install} does);
 * after each, every project bundle installed so far is ACTIVE. With the features' default
 * configuration the memory store serves and the H2 store runs; once PostgreSQL (a single store and
 * a cluster node's store, after the cluster feature) is configured every component of the project
 * is ACTIVE, and with {@code store.target = (store.cluster=true)} the service joins the cluster as
 * the node's {@code cluster.node} and grants into the shared database.
 *
 * <p>The core feature is installed at boot because this class (through its support class) needs the
 * project's API packages to load at all.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafBundlesActiveIT extends ItestSupport {
  /** The project bundles each store feature must leave ACTIVE, cumulatively. */
  private static final Map<String, List<String>> BUNDLES =
      Map.of(
          "dittofs-lock-store-memory", List.of(STORE_MEMORY),
          "dittofs-lock-store-h2", List.of(STORE_H2),
          "dittofs-lock-store-postgres", List.of(STORE_POSTGRES));

  @Inject private BootFinished bootFinished;
  @Inject private FeaturesService features;

  @Configuration
  public Option[] config() {
    return karaf(
        features(featureRepository(), "dittofs-lock"),
        systemProperty(PostgresServer.URL_PROPERTY).value(PostgresServer.url("karaf_active")));
  }

  @Test
  public void eachStoreFeatureInstallsAndEveryBundleIsActive() throws Exception {
    assertNotNull(bootFinished);
    List<String> expected = new ArrayList<>(List.of(ERRORS, LOCK, METADATA));
    for (String bsn : expected) {
      assertEquals(bsn + " state with the core feature", Bundle.ACTIVE, installed(bsn).getState());
    }
    MetadataManager service = awaitService(MetadataManager.class, null);
    assertNull("no store before a store feature", service.store());

    for (String feature : STORE_FEATURES) {
      long t0 = System.nanoTime();
      features.installFeature(feature);
      System.out.printf(
          "[itests] Karaf feature:install %s: %d ms%n",
          feature, (System.nanoTime() - t0) / 1_000_000);
      assertTrue(feature + " installed", features.isInstalled(features.getFeature(feature)));
      expected.addAll(BUNDLES.get(feature));
      for (String bsn : expected) {
        assertEquals(bsn + " state after " + feature, Bundle.ACTIVE, installed(bsn).getState());
      }
    }

    awaitBound(service, "memory"); // the core feature's store.target
    awaitService(MetadataStore.class, "(service.pid=" + H2_PID + "~main)"); // the feature's h2-main
    configurePostgres();
    // cluster mode: the feature installs (its template beside the store's) and a node's store runs
    features.installFeature("dittofs-lock-cluster");
    assertTrue(
        "dittofs-lock-cluster installed",
        features.isInstalled(features.getFeature("dittofs-lock-cluster")));
    MetadataStore node = configurePostgresCluster();

    Map<String, String> states = awaitComponentsActive(expected);
    System.out.println("[itests] Karaf components: " + states);
    assertEquals("components", 6, states.size());

    // and the node serves: store.target selects it, the service joins as its cluster.node, and a
    // grant lands in the cluster's database
    configure(METADATA_PID, Map.of("store.target", "(store.cluster=true)"));
    await("joined the cluster as itest-node", () -> clusterNode(service).equals("itest-node"));
    Lock l =
        grant(
            service,
            posix(
                FileHandle.of("karaf-cluster-file"),
                LockOwner.of("nlm:karaf-cluster:1:oh"),
                new LockClient("karaf-cluster", "nlm"),
                LockType.EXCLUSIVE,
                ByteRange.span(0, 10)));
    assertTrue(
        "granted into the cluster's database", storedLocks(node).containsKey(l.id().toString()));
  }

  /**
   * The node the service serves as, or "" while it serves none: moving onto a cluster store starts
   * a new lock manager (docs/cluster.md), and in between the service answers STORE_UNAVAILABLE.
   */
  private static String clusterNode(MetadataManager service) {
    try {
      return service.lockManager().clusterNode().orElse("");
    } catch (StoreError e) {
      return "";
    }
  }
}
