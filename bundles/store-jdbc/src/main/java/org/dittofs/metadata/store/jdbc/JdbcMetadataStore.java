package org.dittofs.metadata.store.jdbc;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.spi.Transaction;

/**
 * A {@link MetadataStore} in a relational database reached through a {@link DataSource} (normally a
 * pool): each {@link Transaction} is one database transaction on one connection. The schema is
 * brought up to date by {@link Migrations} when the store opens.
 *
 * <p>{@link #inTransaction} runs its work again when the database fails the transaction for
 * concurrency's sake (a serialization failure, a deadlock, a lock timeout: {@link
 * Dialect#isRetryable}), at most {@value #MAX_ATTEMPTS} times in all, after a short randomized
 * backoff; other failures are thrown at once.
 *
 * <p>Thread-safe as its data source is; {@link #close} releases the resources given at open and
 * makes later {@link #begin} calls fail with STORE_UNAVAILABLE.
 */
public final class JdbcMetadataStore implements MetadataStore, AutoCloseable {
  /** Attempts {@link #inTransaction} makes before it gives up on a retryable failure. */
  public static final int MAX_ATTEMPTS = 5;

  private static final long FIRST_BACKOFF_MICROS = 2_000;
  private static final long MAX_BACKOFF_MICROS = 100_000;

  private final DataSource dataSource;
  private final Dialect dialect;
  private final AutoCloseable resources;
  private final BulkInsert bulk;
  private volatile boolean closed;

  private JdbcMetadataStore(
      DataSource dataSource, Dialect dialect, AutoCloseable resources, BulkInsert bulk) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.resources = resources;
    this.bulk = bulk;
  }

  /**
   * Opens a store: migrates the schema, then serves transactions from {@code dataSource}.
   *
   * @param dataSource where connections come from, normally a pool
   * @param dialect the database behind it
   * @param resources closed by {@link #close} (the pool), or closed here if opening fails
   * @throws StoreError STORE_UNAVAILABLE if the database cannot be reached, IO_ERROR if its schema
   *     cannot be migrated
   */
  public static JdbcMetadataStore open(
      DataSource dataSource, Dialect dialect, AutoCloseable resources) {
    return open(dataSource, dialect, resources, null);
  }

  /**
   * Opens a store as {@link #open(DataSource, Dialect, AutoCloseable)} does, whose transactions
   * write large lists of new lock records with {@code bulk} (see {@link BulkInsert}).
   *
   * @param bulk the database's bulk insert, or null for batched upserts only
   */
  public static JdbcMetadataStore open(
      DataSource dataSource, Dialect dialect, AutoCloseable resources, BulkInsert bulk) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(dialect, "dialect");
    Objects.requireNonNull(resources, "resources");
    try {
      new Migrations(dialect).apply(dataSource);
    } catch (RuntimeException e) {
      closeQuietly(resources, e);
      throw e;
    }
    return new JdbcMetadataStore(dataSource, dialect, resources, bulk);
  }

  /** The connections the store uses (its pool, or a source it was given). */
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public String type() {
    return dialect.storeType();
  }

  /**
   * @throws StoreError STORE_UNAVAILABLE if the store is closed or no connection can be had
   */
  @Override
  public Transaction begin() {
    if (closed) {
      throw new StoreError(ErrorCode.STORE_UNAVAILABLE, type() + " store is closed");
    }
    return new JdbcTransaction(dialect, dataSource, bulk);
  }

  @Override
  public <T> T inTransaction(Function<Transaction, T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Transaction tx = begin()) {
        T result = work.apply(tx);
        tx.commit();
        return result;
      } catch (RuntimeException e) {
        if (attempt >= MAX_ATTEMPTS || !dialect.isRetryable(e)) {
          throw e;
        }
        backOff(attempt, e);
      }
    }
  }

  /** Closes the resources given at open; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      resources.close();
    } catch (Exception e) {
      throw new StoreError(
          ErrorCode.IO_ERROR, type() + " store: closing failed: " + e.getMessage(), e);
    }
  }

  private static void backOff(int attempt, RuntimeException failure) {
    long ceiling = Math.min(MAX_BACKOFF_MICROS, FIRST_BACKOFF_MICROS << (attempt - 1));
    try {
      TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      failure.addSuppressed(ie);
      throw failure;
    }
  }

  private static void closeQuietly(AutoCloseable c, RuntimeException failure) {
    try {
      c.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }
}
