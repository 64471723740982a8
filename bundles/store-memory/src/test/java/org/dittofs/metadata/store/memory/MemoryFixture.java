package org.dittofs.metadata.store.memory;

import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.testkit.StoreFixture;

/** The memory store for the conformance suite: always available, not durable. */
final class MemoryFixture implements StoreFixture {
  private MemoryMetadataStore store;

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public MetadataStore create() {
    store = new MemoryMetadataStore();
    return store;
  }

  @Override
  public void dispose() {
    store = null;
  }
}
