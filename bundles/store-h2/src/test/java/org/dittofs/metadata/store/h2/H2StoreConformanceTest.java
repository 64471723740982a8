package org.dittofs.metadata.store.h2;

import org.dittofs.metadata.store.testkit.AbstractMetadataStoreTest;
import org.dittofs.metadata.store.testkit.StoreFixture;

/** The store conformance suite on an H2 file database in a fresh directory per test. */
class H2StoreConformanceTest extends AbstractMetadataStoreTest {
  @Override
  protected StoreFixture fixture() {
    return new H2Fixture();
  }
}
