package org.dittofs.metadata.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.store.jdbc.Dialect;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Opens PostgreSQL metadata stores outside OSGi (tests, benchmarks, embedding); the OSGi component
 * uses the same pieces with pgjdbc's DataSourceFactory. Connections are pooled by HikariCP; the
 * schema is migrated on open, so several servers may open the same database (migrations serialize
 * on an advisory lock).
 */
public final class PostgresStores {
  /** Default size of a store's connection pool. */
  public static final int DEFAULT_POOL_SIZE = 8;

  /**
   * pgjdbc's {@code reWriteBatchedInserts}, which the store turns on unless the JDBC URL sets it: a
   * batch of inserts travels as multi-row inserts, which makes the copy of a hot swap into
   * PostgreSQL (100,000 records in one transaction) about 1.7 times faster (benchmarks/README.md,
   * (e)). The store's batches only ever insert into one table with one statement, the case it is
   * made for.
   */
  static final String REWRITE_BATCHED_INSERTS = "reWriteBatchedInserts";

  /** How long {@code begin()} waits for a pooled connection before STORE_UNAVAILABLE. */
  static final long CONNECTION_TIMEOUT_MILLIS = 5_000;

  private PostgresStores() {}

  /**
   * Opens the store in the database at {@code url} ({@code jdbc:postgresql://host:port/db}).
   *
   * @param user database user, or null for the URL's or the driver's default
   * @param password the user's password, or null
   * @throws StoreError INVALID_ARGUMENT for a malformed URL, STORE_UNAVAILABLE if the server cannot
   *     be reached or refuses the login, IO_ERROR if the schema cannot be migrated
   */
  public static JdbcMetadataStore open(String url, String user, String password) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    try {
      ds.setUrl(withBatchRewrite(url));
    } catch (IllegalArgumentException e) {
      throw StoreErrors.invalidArgument("not a PostgreSQL JDBC URL: " + redact(url));
    }
    if (user != null && !user.isEmpty()) {
      ds.setUser(user);
    }
    if (password != null && !password.isEmpty()) {
      ds.setPassword(password);
    }
    return open(ds, DEFAULT_POOL_SIZE);
  }

  /** Opens a store over connections from {@code source}, pooled by HikariCP. */
  static JdbcMetadataStore open(DataSource source, int poolSize) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(source);
    config.setPoolName("dittofs-postgres");
    config.setMaximumPoolSize(poolSize);
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE, "postgres store: cannot connect: " + cause.getMessage(), e);
    }
    return JdbcMetadataStore.open(pool, Dialect.POSTGRESQL, pool::close);
  }

  /**
   * Opens a store over connections from a pooled {@code source} it does not own (a pax-jdbc
   * DataSource service): closing the store leaves the source open. Batched inserts are rewritten
   * only if the source's URL says so ({@code reWriteBatchedInserts=true}).
   */
  static JdbcMetadataStore openDirect(DataSource source) {
    return JdbcMetadataStore.open(source, Dialect.POSTGRESQL, () -> {});
  }

  /**
   * Changes the most connections of a store's own pool at run time; other stores are left alone.
   */
  static void resize(JdbcMetadataStore store, int poolSize) {
    if (store.dataSource() instanceof HikariDataSource pool
        && pool.getHikariConfigMXBean().getMaximumPoolSize() != poolSize) {
      pool.getHikariConfigMXBean().setMaximumPoolSize(poolSize);
    }
  }

  /**
   * {@code url} with {@link #REWRITE_BATCHED_INSERTS}{@code =true} added unless it names that
   * property already (either value is kept as given). Null stays null.
   */
  static String withBatchRewrite(String url) {
    if (url == null
        || url.toLowerCase(java.util.Locale.ROOT).contains(REWRITE_BATCHED_INSERTS.toLowerCase())) {
      return url;
    }
    return url + (url.indexOf('?') < 0 ? '?' : '&') + REWRITE_BATCHED_INSERTS + "=true";
  }

  /** {@code url} with the value of any {@code password} parameter replaced, for messages. */
  static String redact(String url) {
    return url == null ? null : url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }
}
