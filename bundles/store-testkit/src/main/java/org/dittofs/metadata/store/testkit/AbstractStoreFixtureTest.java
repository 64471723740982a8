package org.dittofs.metadata.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.Records;
import org.dittofs.metadata.spi.MetadataStore;
import org.junit.jupiter.api.Test;

/**
 * What the suites rely on from a {@link LocatedStoreFixture}: each fixture's stores live in a
 * location of their own, {@code reopen()} keeps what was committed, {@code dispose()} deletes the
 * location and may be called again.
 *
 * @param <L> what names a location
 */
public abstract class AbstractStoreFixtureTest<L> {

  /** A new fixture of the store under test. */
  protected abstract LocatedStoreFixture<L> newFixture();

  @Test
  void eachFixtureHasALocationOfItsOwnThatReopenKeepsAndDisposeDeletes() throws Exception {
    LocatedStoreFixture<L> one = newFixture();
    LocatedStoreFixture<L> two = newFixture();
    L first;
    L other;
    try {
      MetadataStore store = one.create();
      store.inTransaction(
          tx -> {
            tx.locks().putLock(Records.lock("1.1").build());
            return tx.locks().incrementServerEpoch();
          });
      MetadataStore second = two.create();
      List<PersistedLock> inSecond =
          second.inTransaction(tx -> tx.locks().listLocks(LockQuery.all()));
      assertThat(inSecond).isEmpty();
      long secondEpoch = second.inTransaction(tx -> tx.locks().getServerEpoch());
      assertThat(secondEpoch).isZero();
      first = one.location();
      other = two.location();
      assertThat(first).isNotEqualTo(other);
      assertThat(one.exists(first)).as("%s exists", first).isTrue();
      assertThat(one.exists(other)).as("%s exists", other).isTrue();

      ((AutoCloseable) store).close();
      MetadataStore again = one.reopen();
      Optional<PersistedLock> kept = again.inTransaction(tx -> tx.locks().getLock("1.1"));
      assertThat(kept).isPresent();
      long epoch = again.inTransaction(tx -> tx.locks().getServerEpoch());
      assertThat(epoch).isEqualTo(1);
    } finally {
      one.dispose();
      two.dispose();
    }
    assertThat(one.exists(first)).as("%s exists after dispose()", first).isFalse();
    assertThat(one.exists(other)).as("%s exists after dispose()", other).isFalse();
    one.dispose(); // idempotent
  }
}
