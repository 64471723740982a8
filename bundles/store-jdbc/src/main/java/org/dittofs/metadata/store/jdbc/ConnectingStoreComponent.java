package org.dittofs.metadata.store.jdbc;

import java.util.function.Function;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.spi.Transaction;

/**
 * The service object of a JDBC store component instance: a {@link MetadataStore} that hands every
 * call to the instance's {@link ConnectingStore}. The H2 and PostgreSQL components extend it and
 * add only their configuration and how they open a database.
 */
public abstract class ConnectingStoreComponent implements MetadataStore {
  private final ConnectingStore store;

  protected ConnectingStoreComponent(ConnectingStore store) {
    this.store = store;
  }

  /** The instance's store (its database, once open). */
  protected final ConnectingStore connecting() {
    return store;
  }

  /** The open database, or null while none is (tests). */
  public final JdbcMetadataStore current() {
    return store.current();
  }

  @Override
  public final String type() {
    return store.type();
  }

  @Override
  public final Transaction begin() {
    return store.begin();
  }

  @Override
  public final <T> T inTransaction(Function<Transaction, T> work) {
    return store.inTransaction(work);
  }
}
