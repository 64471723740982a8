package org.dittofs.metadata.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A database's fast way to insert many rows into one table, faster than batched {@code INSERT}s:
 * PostgreSQL's {@code COPY ... FROM STDIN}. A store given one uses it for a large list of lock
 * writes that only adds rows ({@link JdbcTransaction#apply}: the copy of a hot swap, 100,000
 * records in one transaction); without one, or for anything else, rows go in batched upserts.
 *
 * <p>{@link #insert} runs in the caller's transaction on {@code c}. It adds rows and nothing else:
 * a row whose key is already in the table fails it with the database's unique violation (SQLState
 * {@value #UNIQUE_VIOLATION}), after which the caller rolls back to a savepoint and upserts
 * instead.
 */
public interface BulkInsert {
  /** The SQLState of a unique violation (the same in PostgreSQL and H2). */
  String UNIQUE_VIOLATION = "23505";

  /**
   * Inserts {@code rows} into {@code table}, each holding the values of {@code columns} in order,
   * as {@link LockRows#values} gives them: a {@code String}, {@code byte[]}, {@code Long}, {@code
   * Integer} or {@code Boolean}, or null.
   */
  void insert(Connection c, String table, List<String> columns, List<Object[]> rows)
      throws SQLException;

  /**
   * Whether {@link #insert} can run on {@code c} (a connection of a pool it cannot see through is
   * written in batches instead). Asks nothing of the database.
   */
  boolean supports(Connection c);
}
