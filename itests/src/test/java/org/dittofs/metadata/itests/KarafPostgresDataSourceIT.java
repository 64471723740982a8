package org.dittofs.metadata.itests;

import static org.dittofs.metadata.itests.Locks.grant;
import static org.dittofs.metadata.itests.Locks.posix;
import static org.dittofs.metadata.itests.Locks.storedLocks;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;

import java.util.Map;
import javax.inject.Inject;
import javax.sql.DataSource;
import org.apache.karaf.features.BootFinished;
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

/**
 * Karaf 4.4, PostgreSQL the Karaf way: pax-jdbc (Karaf's enterprise features {@code
 * pax-jdbc-config} and {@code pax-jdbc-postgresql}) makes a {@code javax.sql.DataSource} service
 * from the factory configuration {@code org.ops4j.datasource~dittofs} (Karaf {@code
 * etc/org.ops4j.datasource-dittofs.cfg}), and a PostgreSQL store instance uses it through {@code
 * dataSource.target = (dataSourceName=dittofs)} instead of its own pool. The service moves onto it
 * and its grants land in that database.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafPostgresDataSourceIT extends ItestSupport {
  private static final FileHandle FILE = FileHandle.of("karaf-datasource-file");

  @Inject private BootFinished bootFinished;
  @Inject private MetadataManager service;

  @Configuration
  public Option[] config() {
    String karafVersion =
        org.ops4j.pax.exam.MavenUtils.getArtifactVersion("org.apache.karaf", "apache-karaf");
    return karaf(
        storeFeatures("karaf_datasource"),
        features(
            maven("org.apache.karaf.features", "enterprise")
                .classifier("features")
                .type("xml")
                .version(karafVersion),
            "pax-jdbc-config",
            "pax-jdbc-postgresql"));
  }

  @Test
  public void aPostgresStoreOnAPaxJdbcDataSourceServes() {
    assertNotNull(bootFinished);
    awaitBound(service, "memory");
    configureInstance(
        "org.ops4j.datasource",
        "dittofs",
        Map.of(
            "osgi.jdbc.driver.name",
            "PostgreSQL JDBC Driver",
            "url",
            System.getProperty(PostgresServer.URL_PROPERTY),
            "user",
            PostgresServer.USER,
            "dataSourceName",
            "dittofs"));
    assertNotNull(awaitService(DataSource.class, "(dataSourceName=dittofs)"));

    try (SwapLog log = SwapLog.attach()) {
      configureInstance(
          POSTGRES_PID, STORE_NAME, Map.of("dataSource.target", "(dataSourceName=dittofs)"));
      await(
          "the store open on the DataSource",
          () ->
              log.lines().stream()
                  .anyMatch(
                      l -> l.contains("open in the DataSource service (dataSourceName=dittofs)")));
      MetadataStore postgres =
          awaitService(
              MetadataStore.class, "(service.pid=" + POSTGRES_PID + "~" + STORE_NAME + ")");
      await("the store answers", () -> opens(postgres));
      target("postgres");
      awaitBound(service, "postgres");
      Lock l =
          grant(
              service,
              posix(
                  FILE,
                  LockOwner.of("nlm:karaf-ds:1:oh"),
                  new LockClient("karaf-ds", "nlm"),
                  LockType.EXCLUSIVE,
                  ByteRange.span(0, 10)));
      awaitWritesLanded(service);
      assertTrue(
          "granted into PostgreSQL", storedLocks(service.store()).containsKey(l.id().toString()));
      System.out.println("[itests] Karaf PostgreSQL on a pax-jdbc DataSource: " + log.lines());
    }
  }
}
