package org.dittofs.metadata.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreNamesTest {
  private static final String FACTORY = "org.dittofs.metadata.store.h2";

  @Test
  void theStoreNamePropertyWinsOverTheConfigurationName() {
    assertThat(StoreNames.of(Map.of("store.name", "explicit", "service.pid", FACTORY + "~main")))
        .isEqualTo("explicit");
  }

  @Test
  void aNamedFactoryConfigurationNamesItsStore() {
    assertThat(StoreNames.of(Map.of("service.pid", FACTORY + "~main"))).isEqualTo("main");
  }

  @Test
  void aKarafConfigurationFileOrFeatureKeyNamesItsStore() {
    String generatedPid = FACTORY + ".5d1f2e7a-3c4b-4f6a-9e8d-7c6b5a4f3e2d";
    assertThat(
            StoreNames.of(
                Map.of(
                    "service.pid", generatedPid,
                    "service.factoryPid", FACTORY,
                    "felix.fileinstall.filename", "file:/opt/karaf/etc/" + FACTORY + "-other.cfg")))
        .isEqualTo("other");
    assertThat(
            StoreNames.of(
                Map.of(
                    "service.pid", generatedPid,
                    "service.factoryPid", FACTORY,
                    "org.apache.karaf.features.configKey", FACTORY + "-main")))
        .isEqualTo("main");
  }

  @Test
  void aStoreOfAPlainOrForeignConfigurationHasNoName() {
    assertThat(StoreNames.of(Map.of())).isNull();
    assertThat(StoreNames.of(Map.of("service.pid", "org.dittofs.metadata.store.memory"))).isNull();
    assertThat(StoreNames.of(Map.of("service.pid", FACTORY + "~"))).isNull(); // nothing after ~
    // a file of another factory, or the factory's own name with nothing after the dash
    assertThat(ofFile("file:/etc/org.dittofs.other-main.cfg")).isNull();
    assertThat(ofFile("file:/etc/" + FACTORY + "-.cfg")).isNull();
  }

  /** The name of a store of the factory whose configuration Felix FileInstall read from file. */
  private static String ofFile(String file) {
    return StoreNames.of(Map.of("service.factoryPid", FACTORY, "felix.fileinstall.filename", file));
  }
}
