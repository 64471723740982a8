package org.dittofs.metadata.spi;

import java.util.function.Function;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A metadata store: shares, files and lock records, changed in {@link Transaction}s. Stores are
 * registered as OSGi services with a {@code store.type} property ({@code memory}, {@code h2},
 * {@code postgres}) and bound by the metadata service; outside OSGi they are created directly.
 *
 * <p>Thread-safe: any number of transactions may run at once, from different threads; each
 * transaction is isolated (at least read committed, with a transaction's own writes atomic).
 */
@ConsumerType
public interface MetadataStore {

  /** The value of the {@code store.type} service property. */
  String type();

  /**
   * Starts a transaction.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the backend is unreachable
   */
  Transaction begin();

  /**
   * Runs {@code work} in a transaction and commits it; rolls back and rethrows if {@code work} or
   * the commit fails. Stores that can fail a transaction for concurrency reasons (serialization
   * failures, deadlocks) retry it here, so {@code work} must be safe to run more than once.
   */
  default <T> T inTransaction(Function<Transaction, T> work) {
    try (Transaction tx = begin()) {
      T result = work.apply(tx);
      tx.commit();
      return result;
    }
  }
}
