package org.dittofs.metadata.store.jdbc;

import java.util.function.Function;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;

/**
 * The transactions of one cluster node on its pool, and how their failures are reported: as
 * STORE_UNAVAILABLE saying which node, what failed and why (a file held by another node past the
 * connection's {@code lock_timeout} is named as such). Shared by {@link JdbcLockCluster} and {@link
 * ClusterLife}. Thread-safe (stateless but for the pool).
 */
final class ClusterSql {
  /** SQLState of a lock wait that ran past {@code lock_timeout}. */
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  private final DataSource dataSource;
  private final String node;

  ClusterSql(DataSource dataSource, String node) {
    this.dataSource = dataSource;
    this.node = node;
  }

  /** The node whose transactions these are. */
  String node() {
    return node;
  }

  /** Runs {@code work} in a transaction of its own and commits it. */
  <T> T inTransaction(String what, Function<JdbcTransaction, T> work) {
    JdbcTransaction tx = begin(what);
    try {
      T out = work.apply(tx);
      tx.commit();
      return out;
    } catch (StoreError e) {
      throw unavailable(what, e);
    } finally {
      tx.close();
    }
  }

  /** A new transaction on a pooled connection. */
  JdbcTransaction begin(String what) {
    try {
      return new JdbcTransaction(Dialect.POSTGRESQL, dataSource);
    } catch (StoreError e) {
      throw unavailable(what, e);
    }
  }

  /** A failure of the database as STORE_UNAVAILABLE, saying what failed and why. */
  StoreError unavailable(String what, Throwable cause) {
    if (cause instanceof StoreError se && se.code() == ErrorCode.INVALID_ARGUMENT) {
      return se;
    }
    String why =
        Dialect.sqlStates(cause).contains(LOCK_NOT_AVAILABLE)
            ? "the file is held by another node whose transaction did not end within the"
                + " connection's lock_timeout"
            : String.valueOf(cause.getMessage());
    return new StoreError(
        ErrorCode.STORE_UNAVAILABLE,
        "cluster node '" + node + "': " + what + " failed: " + why,
        cause);
  }
}
