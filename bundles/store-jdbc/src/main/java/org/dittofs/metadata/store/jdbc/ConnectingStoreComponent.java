package org.dittofs.metadata.store.jdbc;

import java.util.Map;
import java.util.function.Function;
import org.dittofs.metadata.config.ConfigurationValues;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.spi.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service object of a JDBC store component instance: a {@link MetadataStore} that hands every
 * call to the instance's {@link ConnectingStore}, and the instance's life: its database opened from
 * the first configuration ({@link #open}), a new configuration applied ({@link #reconfigure}), the
 * store closed ({@link #stop}). The H2 and PostgreSQL components extend it and add only their
 * configuration and which database a configuration names ({@link #database}); their DS lifecycle
 * methods call the ones here.
 */
public abstract class ConnectingStoreComponent implements MetadataStore {
  private final ConnectingStore store;
  private final StoreConfigurations configurations;

  /**
   * An instance of the factory configuration {@code pid} (or the plain one) of {@code type}; it
   * logs to the logger named {@code pid}.
   */
  protected ConnectingStoreComponent(String pid, String type, Map<String, Object> properties) {
    Logger log = LoggerFactory.getLogger(pid);
    this.store = new ConnectingStore(StoreConfigurations.pid(pid, properties), type, log);
    this.configurations = new StoreConfigurations(pid, log);
  }

  /**
   * The database a configuration's values name; problems of the values are logged here (through
   * {@link #configurations()}), of the database when it is opened. Never throws.
   */
  protected abstract ConnectingStore.Database database(ConfigurationValues values);

  /** The values in force and their logging. */
  protected final StoreConfigurations configurations() {
    return configurations;
  }

  /** Opens the database of the first configuration, or starts trying to; never throws. */
  protected final void open(Map<String, Object> properties) {
    store.start(database(configurations.values(properties)));
  }

  /** Applies a new configuration; never throws. */
  protected final void reconfigure(Map<String, Object> properties) {
    store.change(database(configurations.values(properties)));
  }

  /** Closes the store. */
  protected final void stop() {
    store.close();
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
