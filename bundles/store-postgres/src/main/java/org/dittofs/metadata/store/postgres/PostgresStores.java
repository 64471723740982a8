package org.dittofs.metadata.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.store.jdbc.ClusteredJdbcStore;
import org.dittofs.metadata.store.jdbc.Dialect;
import org.dittofs.metadata.store.jdbc.JdbcLockCluster;
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
   * batch of inserts travels as multi-row inserts, which made the copy of a hot swap into
   * PostgreSQL (100,000 records in one transaction) about 1.7 times faster (benchmarks/README.md,
   * (e)); that copy now goes by {@code COPY} ({@link PgCopy}), and the setting serves the group
   * commits of grants and releases and a copy that {@code COPY} cannot take. The store's batches
   * only ever insert into one table with one statement, the case it is made for.
   */
  static final String REWRITE_BATCHED_INSERTS = "reWriteBatchedInserts";

  /** How long {@code begin()} waits for a pooled connection before STORE_UNAVAILABLE. */
  static final long CONNECTION_TIMEOUT_MILLIS = 5_000;

  /** Cluster mode: the longest wait for a file (or row) held by another node's transaction. */
  static final String CLUSTER_LOCK_TIMEOUT = "10s";

  /** Cluster mode: a transaction idle this long is ended by the server, releasing its locks. */
  static final String CLUSTER_IDLE_TIMEOUT = "30s";

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
    return open(dataSource(url, user, password), DEFAULT_POOL_SIZE);
  }

  private static DataSource dataSource(String url, String user, String password) {
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
    return ds;
  }

  /** Opens a store over connections from {@code source}, pooled by HikariCP. */
  static JdbcMetadataStore open(DataSource source, int poolSize) {
    HikariDataSource pool = pool(source, poolSize, false);
    return JdbcMetadataStore.open(pool, Dialect.POSTGRESQL, pool::close, PgCopy.INSTANCE);
  }

  /**
   * Opens the store in the database at {@code url} as node {@code node} of the cluster of servers
   * that share it (docs/cluster.md). The node has not joined yet: the lock manager over it joins.
   *
   * @param node this server's id in the cluster, unique among the live nodes (1 to 255 characters)
   * @throws StoreError as {@link #open(String, String, String)}; INVALID_ARGUMENT for a bad node id
   */
  public static ClusteredJdbcStore openCluster(
      String url, String user, String password, String node) {
    return openCluster(url, user, password, node, JdbcLockCluster.DEFAULT_HEARTBEAT);
  }

  /**
   * As {@link #openCluster(String, String, String, String)}, beating the node's heartbeat (and
   * looking for dead nodes) every {@code heartbeat}.
   */
  public static ClusteredJdbcStore openCluster(
      String url, String user, String password, String node, Duration heartbeat) {
    return openCluster(dataSource(url, user, password), DEFAULT_POOL_SIZE, node, heartbeat);
  }

  /**
   * As {@link #openCluster(String, String, String, String, Duration)} over connections from {@code
   * source}.
   */
  static ClusteredJdbcStore openCluster(
      DataSource source, int poolSize, String node, Duration heartbeat) {
    HikariDataSource pool = pool(source, poolSize, true);
    try {
      JdbcLockCluster cluster = new JdbcLockCluster(pool, node, new PgNotifications(), heartbeat);
      return new ClusteredJdbcStore(
          JdbcMetadataStore.open(pool, Dialect.POSTGRESQL, pool::close, PgCopy.INSTANCE), cluster);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /**
   * The pool. In cluster mode its connections run in READ COMMITTED (a file's version must be read
   * with a snapshot taken after the file's lock was granted), wait at most {@value
   * #CLUSTER_LOCK_TIMEOUT} for a lock held by another node, and a transaction left idle for {@value
   * #CLUSTER_IDLE_TIMEOUT} (a node cut off or hung mid-operation) is ended by the server, which
   * releases its file's lock.
   */
  private static HikariDataSource pool(DataSource source, int poolSize, boolean cluster) {
    return pool(source, poolSize, cluster, true);
  }

  /**
   * The pool of a cluster node's store in OSGi ({@link PostgresClusterStoreComponent}): it does not
   * connect before it is first used, so the node's store and cluster exist while the database
   * cannot be reached (the metadata service joins, and retries, when it starts over the store).
   */
  static HikariDataSource lazyClusterPool(DataSource source, int poolSize) {
    return pool(source, poolSize, true, false);
  }

  private static HikariDataSource pool(
      DataSource source, int poolSize, boolean cluster, boolean connectNow) {
    HikariConfig config = new HikariConfig();
    if (!connectNow) {
      config.setInitializationFailTimeout(-1);
    }
    config.setDataSource(source);
    config.setPoolName(cluster ? "dittofs-postgres-cluster" : "dittofs-postgres");
    config.setMaximumPoolSize(poolSize);
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
    if (cluster) {
      config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
      config.setConnectionInitSql(
          "SET lock_timeout = '"
              + CLUSTER_LOCK_TIMEOUT
              + "'; SET idle_in_transaction_session_timeout = '"
              + CLUSTER_IDLE_TIMEOUT
              + "'");
    }
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE, "postgres store: cannot connect: " + cause.getMessage(), e);
    }
  }

  /**
   * Opens a store over connections from a pooled {@code source} it does not own (a pax-jdbc
   * DataSource service): closing the store leaves the source open. Batched inserts are rewritten
   * only if the source's URL says so ({@code reWriteBatchedInserts=true}).
   */
  static JdbcMetadataStore openDirect(DataSource source) {
    return JdbcMetadataStore.open(source, Dialect.POSTGRESQL, () -> {}, PgCopy.INSTANCE);
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
