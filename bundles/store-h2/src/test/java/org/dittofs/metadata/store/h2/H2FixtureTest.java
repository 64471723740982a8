package org.dittofs.metadata.store.h2;

import java.nio.file.Path;
import org.dittofs.metadata.store.testkit.AbstractStoreFixtureTest;
import org.dittofs.metadata.store.testkit.LocatedStoreFixture;

/** What the kit relies on from {@link H2Fixture}: a directory per fixture, reopen, cleanup. */
class H2FixtureTest extends AbstractStoreFixtureTest<Path> {
  @Override
  protected LocatedStoreFixture<Path> newFixture() {
    return new H2Fixture();
  }
}
