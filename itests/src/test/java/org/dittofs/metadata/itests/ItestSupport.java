package org.dittofs.metadata.itests;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.when;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.spi.MetadataStore;
import org.junit.After;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * What every in-container test shares: the two containers (native Felix 7 and Karaf 4.4) with the
 * runtime the bundles need, the project bundles themselves (installed from the jars the reactor
 * just built, by file URL), and in-container helpers for configuration, services and locks.
 *
 * <p>The static {@code Option} builders run in the test-runner JVM (from {@code @Configuration}
 * methods); everything else runs inside the container.
 */
public abstract class ItestSupport {
  protected static final String METADATA_PID = "org.dittofs.metadata.service";
  protected static final String H2_PID = "org.dittofs.metadata.store.h2";
  protected static final String POSTGRES_PID = "org.dittofs.metadata.store.postgres";
  protected static final String CLUSTER_PID = "org.dittofs.metadata.store.postgres.cluster";
  protected static final String SHARE = "export";

  // symbolic names of the project bundles, from left to right in the layering
  protected static final String ERRORS = "org.dittofs.metadata.errors";
  protected static final String LOCK = "org.dittofs.metadata.lock";
  protected static final String METADATA = "org.dittofs.metadata";
  protected static final String STORE_MEMORY = "org.dittofs.metadata.store.memory";
  protected static final String STORE_H2 = "org.dittofs.metadata.store.h2";
  protected static final String STORE_POSTGRES = "org.dittofs.metadata.store.postgres";

  /** How long any awaited condition may take before the test fails. */
  protected static final Duration WAIT = Duration.ofSeconds(30);

  /** The project's store features, each pulling in the core feature. */
  protected static final List<String> STORE_FEATURES =
      List.of("dittofs-lock-store-memory", "dittofs-lock-store-h2", "dittofs-lock-store-postgres");

  /** Karaf's logging configuration file. */
  protected static final String PAX_LOGGING = "etc/org.ops4j.pax.logging.cfg";

  private static final String CENTRAL = "https://repo1.maven.org/maven2@id=central";

  @Inject protected BundleContext context;

  @Inject protected ConfigurationAdmin configAdmin;

  private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();

  // ---- containers (runner JVM) ----------------------------------------------------------------

  /** The native Felix container: SCR, Config Admin, Metatype, JUnit, plus {@code bundles}. */
  protected static Option[] felix(Option... bundles) {
    return options(
        systemProperty("pax.exam.osgi.unresolved.fail").value("true"),
        systemProperty("org.ops4j.pax.url.mvn.repositories").value(CENTRAL),
        junitBundles(),
        mavenBundle("org.osgi", "org.osgi.util.function").versionAsInProject(),
        mavenBundle("org.osgi", "org.osgi.util.promise").versionAsInProject(),
        mavenBundle("org.osgi", "org.osgi.service.component").versionAsInProject(),
        mavenBundle("org.apache.felix", "org.apache.felix.scr").versionAsInProject(),
        mavenBundle("org.apache.felix", "org.apache.felix.configadmin").versionAsInProject(),
        mavenBundle("org.osgi", "org.osgi.service.log").versionAsInProject(),
        mavenBundle("org.apache.felix", "org.apache.felix.metatype").versionAsInProject(),
        // the project's bundles and HikariCP log through SLF4J, here to java.util.logging (where
        // SwapLog listens); Karaf brings its own SLF4J through pax-logging
        mavenBundle("org.slf4j", "slf4j-api").versionAsInProject(),
        mavenBundle("org.slf4j", "slf4j-jdk14").versionAsInProject().noStart(),
        composite(bundles));
  }

  /**
   * A Karaf 4.4 container (full distribution) with the {@code scr} feature, plus {@code bundles}.
   * On Java 9+ it gets the module options Karaf's own start script passes.
   */
  protected static Option[] karaf(Option... bundles) {
    String karafVersion =
        org.ops4j.pax.exam.MavenUtils.getArtifactVersion("org.apache.karaf", "apache-karaf");
    MavenArtifactUrlReference distribution =
        maven("org.apache.karaf", "apache-karaf").type("tar.gz").version(karafVersion);
    MavenArtifactUrlReference standard =
        maven("org.apache.karaf.features", "standard")
            .classifier("features")
            .type("xml")
            .version(karafVersion);
    String mvnCfg = "etc/org.ops4j.pax.url.mvn.cfg";
    return options(
        karafDistributionConfiguration()
            .frameworkUrl(distribution)
            .name("Apache Karaf")
            .unpackDirectory(new File(System.getProperty("dittofs.itest.exam"), "karaf"))
            .useDeployFolder(false),
        configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
        logLevel(LogLevel.WARN),
        // the project's own lines at INFO: swaps, grace, stores opening (SwapLog reads them)
        editConfigurationFilePut(PAX_LOGGING, "log4j2.logger.dittofs.name", "org.dittofs"),
        editConfigurationFilePut(PAX_LOGGING, "log4j2.logger.dittofs.level", "INFO"),
        editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.repositories", CENTRAL),
        editConfigurationFilePut(
            mvnCfg,
            "org.ops4j.pax.url.mvn.localRepository",
            System.getProperty("maven.repo.local")),
        KarafJavaModules.options(karafVersion),
        features(standard, "scr"),
        systemProperty("dittofs.itest.data").value(System.getProperty("dittofs.itest.data")),
        // -Ddittofs.itest.keep=true keeps target/exam/karaf/<uuid> (etc/, data/log/karaf.log)
        when(Boolean.getBoolean("dittofs.itest.keep")).useOptions(keepRuntimeFolder()),
        composite(bundles));
  }

  // ---- project bundles (runner JVM) -----------------------------------------------------------

  /**
   * Karaf boot features: every store feature of the project's feature repository (which brings the
   * core feature, the drivers and the default configuration), and the URL of a database of its own
   * ({@code database}) on the run's PostgreSQL server.
   */
  protected static Option storeFeatures(String database) {
    return composite(
        features(featureRepository(), STORE_FEATURES.toArray(new String[0])),
        systemProperty(PostgresServer.URL_PROPERTY).value(PostgresServer.url(database)));
  }

  /**
   * The project's Karaf feature repository as the features module verified it: the published
   * descriptor with this reactor's jars as bundle locations (the published one names mvn: SNAPSHOT
   * coordinates that {@code mvn verify} never installs).
   */
  protected static String featureRepository() {
    File xml = new File(System.getProperty("dittofs.features", "(dittofs.features not set)"));
    if (!xml.isFile()) {
      throw new IllegalStateException(
          xml + " does not exist: build the features module first (mvn -B verify -pl itests -am)");
    }
    return xml.toURI().toString();
  }

  /** errors, lock and metadata: the bundles every store needs. */
  protected static Option core() {
    return composite(project("errors"), project("lock"), project("metadata"));
  }

  protected static Option memoryStore() {
    return project("store.memory");
  }

  /** The H2 store with the H2 driver and the JDBC service API its DataSourceFactory needs. */
  protected static Option h2Store() {
    return composite(
        mavenBundle("org.osgi", "org.osgi.service.jdbc").versionAsInProject(),
        mavenBundle("com.h2database", "h2").versionAsInProject(),
        project("store.h2"));
  }

  /**
   * The PostgreSQL store with pgjdbc, HikariCP and the JDBC service API, and the URL of a database
   * of its own ({@code database}) on the run's server, passed as a system property.
   */
  protected static Option postgresStore(String database) {
    return composite(
        mavenBundle("org.osgi", "org.osgi.service.jdbc").versionAsInProject(),
        mavenBundle("org.postgresql", "postgresql").versionAsInProject(),
        mavenBundle("com.zaxxer", "HikariCP").versionAsInProject(),
        project("store.postgres"),
        systemProperty(PostgresServer.URL_PROPERTY).value(PostgresServer.url(database)));
  }

  /** The example NLM adapter, built against the adapter face alone. */
  protected static Option exampleAdapter() {
    return project("example.nlm");
  }

  /** A bundle this reactor built, by file URL (pax-url cannot see reactor SNAPSHOTs). */
  private static Option project(String name) {
    String path = System.getProperty("dittofs.bundle." + name);
    if (path == null) {
      throw new IllegalStateException(
          "system property dittofs.bundle." + name + " is not set: run the itests through Maven");
    }
    File jar = new File(path);
    if (!jar.isFile()) {
      throw new IllegalStateException(
          jar + " does not exist: build the bundles first (mvn -B verify -pl itests -am)");
    }
    return bundle(jar.toURI().toString());
  }

  // ---- configuration (in container) -----------------------------------------------------------

  /** Sets properties of {@code pid}, keeping the others it has. */
  protected final void configure(String pid, Map<String, ?> properties) {
    try {
      update(configAdmin.getConfiguration(pid, "?"), properties);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void update(Configuration c, Map<String, ?> properties) throws IOException {
    Dictionary<String, Object> d = c.getProperties();
    if (d == null) {
      d = new Hashtable<>();
    }
    for (Map.Entry<String, ?> e : properties.entrySet()) {
      d.put(e.getKey(), e.getValue());
    }
    c.update(d);
  }

  protected final void deleteConfiguration(String pid) {
    try {
      configAdmin.getConfiguration(pid, "?").delete();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The name of the store instances the tests configure (their factory configuration name). */
  protected static final String STORE_NAME = "itest";

  /** Sets properties of the factory configuration {@code factoryPid~name}, keeping the others. */
  protected final void configureInstance(
      String factoryPid, String name, Map<String, ?> properties) {
    try {
      update(configAdmin.getFactoryConfiguration(factoryPid, name, "?"), properties);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the factory configuration {@code factoryPid~name}: its store instance goes away. */
  protected final void deleteInstance(String factoryPid, String name) {
    try {
      configAdmin.getFactoryConfiguration(factoryPid, name, "?").delete();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Configures the H2 store instance {@value #STORE_NAME} in {@code directory} and waits until its
   * service is registered.
   */
  protected final MetadataStore configureH2(Path directory) {
    return configureH2(STORE_NAME, directory);
  }

  /** Configures the H2 store instance {@code name} and waits until its service is registered. */
  protected final MetadataStore configureH2(String name, Path directory) {
    configureInstance(
        H2_PID, name, Map.of("directory", directory.toString(), "user", "sa", ".password", ""));
    return awaitService(MetadataStore.class, "(service.pid=" + H2_PID + "~" + name + ")");
  }

  /**
   * Configures the PostgreSQL store instance {@value #STORE_NAME} on the run's server and waits
   * until it is registered.
   */
  protected final MetadataStore configurePostgres() {
    String url = System.getProperty(PostgresServer.URL_PROPERTY);
    assertNotNull("the container has no PostgreSQL URL", url);
    configureInstance(
        POSTGRES_PID,
        STORE_NAME,
        Map.of("url", url, "user", PostgresServer.USER, ".password", "", "pool.size", 4));
    return awaitService(
        MetadataStore.class, "(service.pid=" + POSTGRES_PID + "~" + STORE_NAME + ")");
  }

  /**
   * Configures a cluster store instance (docs/cluster.md) {@value #STORE_NAME} on the run's server
   * and waits until it is registered. Its pool connects only when used: nothing joins the cluster
   * until the metadata service selects it.
   */
  protected final MetadataStore configurePostgresCluster() {
    String url = System.getProperty(PostgresServer.URL_PROPERTY);
    assertNotNull("the container has no PostgreSQL URL", url);
    configureInstance(
        CLUSTER_PID,
        STORE_NAME,
        Map.of(
            "url", url, "user", PostgresServer.USER, "pool.size", 4, "cluster.node", "itest-node"));
    return awaitService(
        MetadataStore.class, "(service.pid=" + CLUSTER_PID + "~" + STORE_NAME + ")");
  }

  /**
   * Points the metadata service at the stores of one type (a hot swap if it serves): for h2 and
   * postgres the instance {@value #STORE_NAME} (a Karaf feature's own instance "main" may run too).
   */
  protected final void target(String storeType) {
    configure(
        METADATA_PID,
        Map.of(
            "store.target",
            storeType.equals("memory")
                ? "(store.type=memory)"
                : "(&(store.type=" + storeType + ")(store.name=" + STORE_NAME + "))"));
  }

  /** A fresh, empty directory under the run's data directory. */
  protected static Path freshDirectory(String name) {
    Path dir = Path.of(System.getProperty("dittofs.itest.data"), name).toAbsolutePath();
    deleteTree(dir);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  protected static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- services (in container) ----------------------------------------------------------------

  /**
   * Waits for the store service of one type and keeps using it until the test ends: stores are
   * delayed components, which DS would deactivate (closing their database) once nobody uses them.
   */
  protected final MetadataStore awaitStore(String type) {
    return awaitService(MetadataStore.class, "(store.type=" + type + ")");
  }

  /** Waits for a service matching {@code filter} (null: any) and uses it until the test ends. */
  protected final <T> T awaitService(Class<T> type, String filter) {
    String f = "(" + Constants.OBJECTCLASS + "=" + type.getName() + ")";
    if (filter != null) {
      f = "(&" + f + filter + ")";
    }
    ServiceTracker<T, T> t;
    try {
      t = new ServiceTracker<>(context, FrameworkUtil.createFilter(f), null);
    } catch (org.osgi.framework.InvalidSyntaxException e) {
      throw new IllegalArgumentException(e);
    }
    t.open();
    trackers.add(t);
    try {
      T s = t.waitForService(WAIT.toMillis());
      assertNotNull("no service " + f + " after " + WAIT, s);
      return s;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @After
  public final void releaseStores() {
    trackers.forEach(ServiceTracker::close);
    trackers.clear();
  }

  /**
   * Waits until every Declarative Services component of the given bundles is ACTIVE; returns each
   * component's state by name. It polls because a configuration update (Karaf's file install writes
   * back what a feature created) briefly deactivates a component that has no modified method.
   */
  protected final Map<String, String> awaitComponentsActive(List<String> bundles) {
    ServiceComponentRuntime scr = awaitService(ServiceComponentRuntime.class, null);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Map<String, String> states = new TreeMap<>();
      for (String bsn : bundles) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(installed(bsn))) {
          List<String> configs = new ArrayList<>();
          for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
            configs.add(componentState(c.state));
          }
          states.put(d.name, String.join(",", configs));
        }
      }
      if (!states.isEmpty() && states.values().stream().allMatch("ACTIVE"::equals)) {
        return states;
      }
      if (System.nanoTime() > deadline) {
        fail("components not all ACTIVE after " + WAIT + ": " + states);
      }
      sleep(20);
    }
  }

  private static String componentState(int s) {
    return switch (s) {
      case ComponentConfigurationDTO.ACTIVE -> "ACTIVE";
      case ComponentConfigurationDTO.SATISFIED -> "SATISFIED";
      case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "UNSATISFIED_CONFIGURATION";
      case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "UNSATISFIED_REFERENCE";
      case ComponentConfigurationDTO.FAILED_ACTIVATION -> "FAILED_ACTIVATION";
      default -> "state " + s;
    };
  }

  /** Waits until the service is bound to a store of {@code type} (null: to no store). */
  protected static void awaitBound(MetadataManager service, String type) {
    await(
        "metadata service bound to " + (type == null ? "no store" : type),
        () -> {
          MetadataStore s = service.store();
          return type == null ? s == null : s != null && type.equals(s.type());
        });
  }

  /** A local TCP port nothing listens on (a PostgreSQL server that cannot be reached). */
  protected static int closedPort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Configures the PostgreSQL store instance {@value #STORE_NAME} on a server that cannot be
   * reached ({@code closedPort}) and waits until it is registered (it is, unopened).
   */
  protected final MetadataStore configureUnreachablePostgres(int closedPort) {
    configureUnreachablePostgres(closedPort, "");
    return awaitService(
        MetadataStore.class, "(service.pid=" + POSTGRES_PID + "~" + STORE_NAME + ")");
  }

  /**
   * Configures the PostgreSQL store instance {@value #STORE_NAME} on a server that cannot be
   * reached ({@code closedPort}), logging in with {@code password}.
   */
  protected final void configureUnreachablePostgres(int closedPort, String password) {
    configureInstance(
        POSTGRES_PID,
        STORE_NAME,
        Map.of(
            "url",
            "jdbc:postgresql://127.0.0.1:" + closedPort + "/x?connectTimeout=2",
            "user",
            PostgresServer.USER,
            ".password",
            password));
  }

  /** Whether {@code store} answers (its database is open). */
  protected static boolean opens(MetadataStore store) {
    try {
      store.inTransaction(tx -> tx.listShares());
      return true;
    } catch (org.dittofs.metadata.errors.StoreError e) {
      return false;
    }
  }

  /** Waits until the lock manager has written everything to its store. */
  protected static void awaitWritesLanded(MetadataManager service) {
    await("lock store writes landed", () -> service.lockManager().pendingStoreWrites() == 0);
  }

  /** Polls {@code condition} until it holds, failing after {@link #WAIT}. */
  protected static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + WAIT + " waiting for: " + what);
      }
      sleep(20);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  protected final Bundle installed(String symbolicName) {
    for (Bundle b : context.getBundles()) {
      if (symbolicName.equals(b.getSymbolicName())) {
        return b;
      }
    }
    throw new AssertionError("bundle " + symbolicName + " is not installed");
  }
}
