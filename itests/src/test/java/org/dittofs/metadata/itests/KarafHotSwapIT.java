package org.dittofs.metadata.itests;

import static org.junit.Assert.assertNotNull;

import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.dittofs.metadata.host.MetadataManager;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Karaf 4.4 with the three store features installed at boot: the hot swap memory -> h2 -> postgres
 * under live traffic, as in native Felix (see {@link HotSwapScenario}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafHotSwapIT extends ItestSupport {
  @Inject private BootFinished bootFinished;
  @Inject private MetadataManager service;

  @Configuration
  public Option[] config() {
    return karaf(storeFeatures("karaf_hot_swap"));
  }

  @Test
  public void memoryToH2ToPostgresUnderTrafficLosesNothing() throws Exception {
    assertNotNull(bootFinished);
    HotSwapScenario.run(this, service, "karaf");
  }
}
