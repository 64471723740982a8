package org.dittofs.metadata.store.postgres;

import org.dittofs.metadata.store.testkit.AbstractMetadataStoreTest;
import org.dittofs.metadata.store.testkit.StoreFixture;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The store conformance suite on the real embedded PostgreSQL server, in a new database per test.
 */
@ExtendWith(PostgresServer.class)
class PostgresStoreConformanceTest extends AbstractMetadataStoreTest {
  @Override
  protected StoreFixture fixture() {
    return new PostgresFixture();
  }
}
