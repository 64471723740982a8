package org.dittofs.metadata.store.memory;

import org.dittofs.metadata.store.testkit.AbstractMetadataServiceRestartTest;
import org.dittofs.metadata.store.testkit.StoreFixture;

/**
 * The kit's restart suite over memory data kept across store objects ({@link
 * RetainedMemoryFixture}): checks the suite itself and the service's restore path in this module.
 */
class MemoryRestartTest extends AbstractMetadataServiceRestartTest {
  @Override
  protected StoreFixture fixture() {
    return new RetainedMemoryFixture();
  }
}
