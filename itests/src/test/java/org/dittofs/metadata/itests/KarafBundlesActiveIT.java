package org.dittofs.metadata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.dittofs.metadata.MetadataService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Karaf 4.4: the project bundles, installed from the reactor's jars beside Karaf's {@code scr}
 * feature and the drivers, all resolve and become ACTIVE, and with the JDBC stores configured every
 * component of the project is ACTIVE and the service runs on the memory store.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafBundlesActiveIT extends ItestSupport {
  private static final List<String> PROJECT =
      List.of(ERRORS, LOCK, METADATA, STORE_MEMORY, STORE_H2, STORE_POSTGRES);

  @Inject private BootFinished bootFinished;
  @Inject private MetadataService service;
  @Inject private ServiceComponentRuntime scr;

  @Configuration
  public Option[] config() {
    return karaf(core(), memoryStore(), h2Store(), postgresStore("karaf_active"));
  }

  @Test
  public void everyBundleIsActiveAndEveryComponentRuns() {
    assertNotNull(bootFinished);
    for (String bsn : PROJECT) {
      assertEquals(bsn + " state", Bundle.ACTIVE, installed(bsn).getState());
    }
    awaitStore("memory");
    configureH2(freshDirectory("karaf-active-h2"));
    configurePostgres();
    awaitBound(service, "memory");

    List<String> active = new ArrayList<>();
    List<String> notActive = new ArrayList<>();
    for (String bsn : PROJECT) {
      for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(installed(bsn))) {
        for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
          (c.state == ComponentConfigurationDTO.ACTIVE ? active : notActive)
              .add(d.name + " (" + c.state + ")");
        }
      }
    }
    System.out.println("[itests] Karaf components active: " + active);
    assertEquals("components not active", List.of(), notActive);
    assertEquals("active components", 4, active.size());
  }
}
