package org.dittofs.metadata.store.postgres;

import org.dittofs.metadata.store.testkit.AbstractStoreFixtureTest;
import org.dittofs.metadata.store.testkit.LocatedStoreFixture;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the kit relies on from {@link PostgresFixture}: a schema per fixture, reopen, cleanup. */
@ExtendWith(PostgresServer.class)
class PostgresFixtureTest extends AbstractStoreFixtureTest<String> {
  @Override
  protected LocatedStoreFixture<String> newFixture() {
    return new PostgresFixture();
  }
}
