package org.dittofs.metadata.store.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.MetadataStore;
import org.dittofs.metadata.Transaction;
import org.dittofs.metadata.lock.LockQuery;
import org.dittofs.metadata.lock.PersistedLock;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.dittofs.metadata.store.testkit.Records;
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
            tx.putLock(Records.lock("1.1").build());
            return tx.incrementServerEpoch();
          });
      MetadataStore second = two.create();
      List<PersistedLock> inSecond = second.inTransaction(tx -> tx.listLocks(LockQuery.all()));
      assertThat(inSecond).isEmpty();
      assertThat(one.directory()).isNotEqualTo(two.directory()).exists();

      ((JdbcMetadataStore) first).close();
      MetadataStore again = one.reopen();
      Optional<PersistedLock> kept = again.inTransaction(tx -> tx.getLock("1.1"));
      assertThat(kept).isPresent();
      long epoch = again.inTransaction(Transaction::getServerEpoch);
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
