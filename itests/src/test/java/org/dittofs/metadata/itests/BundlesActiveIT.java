package org.dittofs.metadata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.inject.Inject;
import org.dittofs.metadata.host.MetadataManager;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Native Felix: every project bundle resolves and becomes ACTIVE, and once the JDBC stores are
 * configured every Declarative Services component of the project is ACTIVE (none unsatisfied or
 * failed); the configurations are described by metatype, passwords as PASSWORD attributes.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundlesActiveIT extends ItestSupport {
  private static final List<String> PROJECT =
      List.of(ERRORS, LOCK, METADATA, STORE_MEMORY, STORE_H2, STORE_POSTGRES);

  @Inject private MetadataManager service;
  @Inject private MetaTypeService metatype;

  @Configuration
  public Option[] config() {
    return felix(core(), memoryStore(), h2Store(), postgresStore("bundles_active"));
  }

  @Test
  public void everyBundleIsActiveAndEveryComponentRuns() {
    for (String bsn : PROJECT) {
      assertEquals(bsn + " state", Bundle.ACTIVE, installed(bsn).getState());
    }
    awaitStore("memory");
    configureH2(freshDirectory("bundles-active-h2"));
    configurePostgres();
    configurePostgresCluster();
    awaitBound(service, "memory");

    Map<String, String> states = awaitComponentsActive(PROJECT);
    System.out.println("[itests] Felix components: " + states);
    assertEquals("components", 6, states.size());
  }

  @Test
  public void everyConfigurationIsDescribedByMetatype() {
    Map<String, String> pids =
        Map.of(
            METADATA_PID,
            METADATA,
            "org.dittofs.metadata.store.memory",
            STORE_MEMORY,
            H2_PID,
            STORE_H2,
            POSTGRES_PID,
            STORE_POSTGRES,
            CLUSTER_PID,
            STORE_POSTGRES);
    for (Map.Entry<String, String> e : pids.entrySet()) {
      ObjectClassDefinition ocd =
          metatype
              .getMetaTypeInformation(installed(e.getValue()))
              .getObjectClassDefinition(e.getKey(), null);
      assertNotNull("metatype of " + e.getKey(), ocd);
      for (AttributeDefinition a : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
        assertNotNull(e.getKey() + "/" + a.getID() + " has a description", a.getDescription());
        if (a.getID().equals(".password")) {
          assertEquals(a.getID() + " type", AttributeDefinition.PASSWORD, a.getType());
        }
      }
    }
  }

  /**
   * The JDBC stores' configurations take some attributes from shared interfaces (password, ranking,
   * the PostgreSQL connection): each one still describes every attribute it reads, with its
   * default.
   */
  @Test
  public void jdbcStoreAttributesIncludeTheSharedOnes() {
    assertEquals(
        "{.password=, directory=./data, service.ranking=0, user=sa}", defaults(H2_PID, STORE_H2));
    assertEquals(
        "{.password=, dataSource.target=(dittofs.datasource=none), pool.size=8,"
            + " service.ranking=0, url=jdbc:postgresql://localhost:5432/dittofs, user=dittofs}",
        defaults(POSTGRES_PID, STORE_POSTGRES));
    assertEquals(
        "{.password=, cluster.heartbeat.millis=2000, cluster.node=null, pool.size=8,"
            + " url=jdbc:postgresql://localhost:5432/dittofs, user=dittofs}",
        defaults(CLUSTER_PID, STORE_POSTGRES));
  }

  /** Every attribute of the PID's metatype with its default, sorted by id. */
  private String defaults(String pid, String bsn) {
    Map<String, String> out = new TreeMap<>();
    for (AttributeDefinition a :
        metatype
            .getMetaTypeInformation(installed(bsn))
            .getObjectClassDefinition(pid, null)
            .getAttributeDefinitions(ObjectClassDefinition.ALL)) {
      String[] d = a.getDefaultValue();
      out.put(a.getID(), d == null ? null : String.join(",", d));
    }
    return out.toString();
  }
}
