package org.dittofs.metadata.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;

/**
 * One connection with autocommit off, from begin to commit or rollback. Runs parameterised
 * statements, turns an SQLException into the {@link Dialect}'s StoreError naming the operation, and
 * remembers the first failure: after it every statement and the commit are refused (with the
 * failure as cause, so a retryable one stays recognisable) and only a rollback is accepted.
 * Confined to one thread.
 */
final class SqlTransaction {
  /** Work on the connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private final Dialect dialect;
  private final Connection connection;
  private StoreError failure;
  private boolean ended;

  /**
   * @throws StoreError STORE_UNAVAILABLE if no connection can be had
   */
  SqlTransaction(Dialect dialect, DataSource dataSource) {
    this.dialect = dialect;
    Connection c = null;
    try {
      c = dataSource.getConnection();
      c.setAutoCommit(false);
    } catch (SQLException e) {
      closeQuietly(c);
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE, dialect.failure("begin", e).getMessage(), e);
    }
    this.connection = c;
  }

  Dialect dialect() {
    return dialect;
  }

  /** Runs {@code work}; an SQLException becomes the failure of this transaction. */
  <T> T run(String operation, SqlWork<T> work) {
    alive(operation);
    if (failure != null) {
      throw refused(operation, failure);
    }
    try {
      return work.run(connection);
    } catch (SQLException e) {
      failure = dialect.failure(operation, e);
      throw failure;
    }
  }

  /**
   * Executes an update with {@code params} bound as {@link Statements} binds them.
   *
   * @return the number of rows changed
   */
  int update(String operation, String sql, Object... params) {
    return run(operation, c -> Statements.update(c, sql, params));
  }

  /** Executes a query with {@code params} bound as by {@link #update}, reading every row. */
  <T> List<T> query(
      String operation, String sql, Statements.RowReader<T> reader, Object... params) {
    return run(operation, c -> Statements.query(c, sql, reader, params));
  }

  void commit() {
    alive("commit");
    if (failure != null) {
      rollback();
      throw refused("commit", failure);
    }
    try {
      connection.commit();
    } catch (SQLException e) {
      rollback();
      throw dialect.failure("commit", e);
    }
    end();
  }

  /** Idempotent; never throws. */
  void rollback() {
    if (ended) {
      return;
    }
    try {
      connection.rollback();
    } catch (SQLException e) {
      // The connection is broken; closing it discards the transaction on the server.
    }
    end();
  }

  /**
   * @throws StoreError INVALID_ARGUMENT if the transaction has ended
   */
  void alive(String operation) {
    if (ended) {
      throw StoreErrors.invalidArgument(
          operation + ": this transaction has already been committed or rolled back");
    }
  }

  private void end() {
    ended = true;
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      // Returned to the pool or closed below either way.
    }
    closeQuietly(connection);
  }

  private static StoreError refused(String operation, StoreError earlier) {
    return new StoreError(
        earlier.code(),
        operation
            + " refused: an earlier operation of this transaction failed ("
            + earlier.getMessage()
            + "); it can only be rolled back",
        earlier);
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // Nothing more to release.
      }
    }
  }
}
