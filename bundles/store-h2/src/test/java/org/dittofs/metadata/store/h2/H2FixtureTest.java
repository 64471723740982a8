package org.dittofs.metadata.store.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.Records;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.junit.jupiter.api.Test;

/** What the kit relies on from {@link H2Fixture}: isolation, reopen, and cleanup. */
class H2FixtureTest {

  @Test
  void eachFixtureHasADirectoryOfItsOwnThatReopenKeepsAndDisposeDeletes() {
    H2Fixture one = new H2Fixture();
    H2Fixture two = new H2Fixture();
    try {
      MetadataStore first = one.create();
      first.inTransaction(
          tx -> {
            tx.locks().putLock(Records.lock("1.1").build());
            return tx.locks().incrementServerEpoch();
          });
      MetadataStore second = two.create();
      List<PersistedLock> inSecond =
          second.inTransaction(tx -> tx.locks().listLocks(LockQuery.all()));
      assertThat(inSecond).isEmpty();
      assertThat(one.directory()).isNotEqualTo(two.directory()).exists();

      ((JdbcMetadataStore) first).close();
      MetadataStore again = one.reopen();
      Optional<PersistedLock> kept = again.inTransaction(tx -> tx.locks().getLock("1.1"));
      assertThat(kept).isPresent();
      long epoch = again.inTransaction(tx -> tx.locks().getServerEpoch());
      assertThat(epoch).isEqualTo(1);
    } finally {
      Path dir = one.directory();
      one.dispose();
      two.dispose();
      assertThat(dir).doesNotExist();
    }
    one.dispose(); // idempotent
  }
}
