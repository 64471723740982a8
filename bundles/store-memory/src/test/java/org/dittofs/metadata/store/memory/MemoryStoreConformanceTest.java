package org.dittofs.metadata.store.memory;

import org.dittofs.metadata.store.testkit.AbstractMetadataStoreTest;
import org.dittofs.metadata.store.testkit.StoreFixture;

/** The store conformance suite on the memory store. */
class MemoryStoreConformanceTest extends AbstractMetadataStoreTest {
  @Override
  protected StoreFixture fixture() {
    return new MemoryFixture();
  }
}
