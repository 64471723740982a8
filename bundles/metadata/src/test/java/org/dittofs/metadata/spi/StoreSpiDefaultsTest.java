package org.dittofs.metadata.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.testing.MapStore;
import org.junit.jupiter.api.Test;

/**
 * What the store SPI gives implementations: {@link ForwardingMetadataStore} and {@link
 * Transaction#close()}.
 */
class StoreSpiDefaultsTest {
  private final MapStore map = new MapStore();

  /** A delegate that notes which of its methods ran. */
  private final class Noting implements MetadataStore {
    final List<String> calls = new ArrayList<>();

    @Override
    public String type() {
      calls.add("type");
      return "noting";
    }

    @Override
    public Transaction begin() {
      calls.add("begin");
      return map.begin();
    }

    @Override
    public <T> T inTransaction(Function<Transaction, T> work) {
      calls.add("inTransaction");
      return map.inTransaction(work);
    }
  }

  @Test
  void aForwardingStoreServesEveryCallFromItsDelegateIncludingItsOwnInTransaction() {
    Noting delegate = new Noting();
    MetadataStore store = new ForwardingMetadataStore(delegate) {};

    assertThat(store.type()).isEqualTo("noting");
    store.inTransaction(
        tx -> {
          tx.putShare(new Share("s", LockingMode.ADVISORY));
          return null;
        });
    store.begin().close();

    // the delegate's inTransaction (a JDBC store's retries), not the default over begin()
    assertThat(delegate.calls).containsExactly("type", "inTransaction", "begin");
    assertThat(share("s")).isPresent();
  }

  @Test
  void closingATransactionWithoutACommitRollsItBackAndEndsIt() {
    try (Transaction tx = map.begin()) {
      tx.putShare(new Share("gone", LockingMode.ADVISORY));
    }
    // ended: the same thread can begin again (MapStore refuses a second open transaction)
    assertThat(share("gone")).isEmpty();
  }

  @Test
  void closingACommittedTransactionKeepsItsChanges() {
    try (Transaction tx = map.begin()) {
      tx.putShare(new Share("kept", LockingMode.ADVISORY));
      tx.commit();
    }
    assertThat(share("kept")).isPresent();
  }

  private Optional<Share> share(String name) {
    return map.inTransaction(tx -> tx.getShare(name));
  }
}
