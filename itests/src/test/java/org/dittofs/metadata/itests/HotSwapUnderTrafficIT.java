package org.dittofs.metadata.itests;

import javax.inject.Inject;
import org.dittofs.metadata.host.MetadataManager;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Native Felix: hot swap memory -> h2 -> postgres while several threads lock, unlock and test (see
 * {@link HotSwapScenario} for what it proves). PostgreSQL is a real server started by the test run.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapUnderTrafficIT extends ItestSupport {
  @Inject private MetadataManager service;

  @Configuration
  public Option[] config() {
    return felix(core(), memoryStore(), h2Store(), postgresStore("felix_hot_swap"));
  }

  @Test
  public void memoryToH2ToPostgresUnderTrafficLosesNothing() throws Exception {
    HotSwapScenario.run(this, service, "felix");
  }
}
