package org.dittofs.metadata.store.postgres;

import org.dittofs.metadata.store.testkit.AbstractMetadataServiceRestartTest;
import org.dittofs.metadata.store.testkit.StoreFixture;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kit's restart suite on the real embedded PostgreSQL server: locks granted through the
 * service, the store (its connection pool) closed and the same database opened again, a new service
 * started over it.
 */
@ExtendWith(PostgresServer.class)
class PostgresRestartTest extends AbstractMetadataServiceRestartTest {
  @Override
  protected StoreFixture fixture() {
    return new PostgresFixture();
  }
}
