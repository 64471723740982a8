package org.dittofs.metadata.store.h2;

import org.dittofs.metadata.store.testkit.AbstractMetadataServiceRestartTest;
import org.dittofs.metadata.store.testkit.StoreFixture;

/**
 * The kit's restart suite on H2: locks granted through the service, the store closed and the same
 * database directory opened again, a new service started over it.
 */
class H2RestartTest extends AbstractMetadataServiceRestartTest {
  @Override
  protected StoreFixture fixture() {
    return new H2Fixture();
  }
}
