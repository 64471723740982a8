package org.dittofs.metadata.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;

/**
 * What differs between the databases the JDBC store runs on: the upsert statement, which failures
 * are worth retrying, which mean the database is out of reach, which strings a column can hold and
 * how migrations keep out of each other's way. Everything else is portable SQL.
 */
public enum Dialect {
  /** H2 2.x, embedded: {@code MERGE ... KEY}, deadlocks (40001) and lock timeouts (HYT00). */
  H2("h2", Set.of("40001", "HYT00"), Set.of("90098", "90121")) {
    @Override
    String upsert(String table, String key, List<String> columns) {
      return String.format(
          "MERGE INTO %s (%s) KEY (%s) VALUES (%s)",
          table, String.join(", ", columns), key, placeholders(columns.size()));
    }

    @Override
    String unstorable(String value) {
      return null;
    }

    @Override
    void lockSchema(Connection c) {
      // One process owns an embedded database file: nothing to coordinate with.
    }

    @Override
    List<String> scripts() {
      return Migrations.SCRIPTS;
    }
  },

  /**
   * PostgreSQL: {@code INSERT ... ON CONFLICT}, serialization failures (40001) and deadlocks
   * (40P01); migrations serialize on a transaction-scoped advisory lock.
   */
  POSTGRESQL("postgres", Set.of("40001", "40P01"), Set.of("57P01", "57P02", "57P03")) {
    /** Key of the advisory lock migrations take: "dittofs" in ASCII. */
    private static final long SCHEMA_LOCK = 0x646974746f6673L;

    @Override
    String upsert(String table, String key, List<String> columns) {
      String updates =
          columns.stream()
              .filter(c -> !c.equals(key))
              .map(c -> c + " = EXCLUDED." + c)
              .collect(Collectors.joining(", "));
      return String.format(
          "INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO UPDATE SET %s",
          table, String.join(", ", columns), placeholders(columns.size()), key, updates);
    }

    @Override
    String unstorable(String value) {
      for (int i = 0; i < value.length(); i++) {
        char ch = value.charAt(i);
        if (ch == 0) {
          return "PostgreSQL text cannot hold the NUL character (at index " + i + ")";
        }
        if (Character.isHighSurrogate(ch)
            && i + 1 < value.length()
            && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(ch)) {
          return "an unpaired UTF-16 surrogate (at index " + i + ") has no UTF-8 form";
        }
      }
      return null;
    }

    @Override
    void lockSchema(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
      }
    }

    /** Also the tables of cluster mode (docs/cluster.md), which only PostgreSQL serves. */
    @Override
    List<String> scripts() {
      return List.of(
          "V1__init.sql",
          "V2__cluster.sql",
          "V3__cluster_waiting.sql",
          "V4__cluster_clients.sql",
          "V5__cluster_life.sql",
          "V6__cluster_fencing.sql");
    }
  };

  private final String storeType;
  private final Set<String> retryable;
  private final Set<String> unavailable;

  Dialect(String storeType, Set<String> retryable, Set<String> unavailable) {
    this.storeType = storeType;
    this.retryable = retryable;
    this.unavailable = unavailable;
  }

  /** The {@code store.type} of stores on this database. */
  public String storeType() {
    return storeType;
  }

  /** An insert-or-replace of one row by {@code key}, binding {@code columns} in order. */
  abstract String upsert(String table, String key, List<String> columns);

  /** Why a text column cannot hold {@code value}, or null if it can. */
  abstract String unstorable(String value);

  /** Serializes schema migrations of concurrent starters, for the current transaction. */
  abstract void lockSchema(Connection c) throws SQLException;

  /** The migration scripts of stores on this database, oldest first. */
  abstract List<String> scripts();

  /**
   * Whether the transaction that failed with {@code t} (or a cause) may succeed if run again: a
   * serialization failure, deadlock or lock timeout.
   */
  boolean isRetryable(Throwable t) {
    return sqlStates(t).stream().anyMatch(retryable::contains);
  }

  /**
   * Whether {@code e} (or a cause) says the database cannot be reached: SQLState class 08
   * (connection exception) or a state of this database that means the same.
   */
  boolean isUnavailable(SQLException e) {
    return sqlStates(e).stream().anyMatch(s -> s.startsWith("08") || unavailable.contains(s));
  }

  /**
   * The error for a failed operation: STORE_UNAVAILABLE if the database cannot be reached, IO_ERROR
   * otherwise; the message names the store, the operation and the SQLState.
   */
  StoreError failure(String operation, SQLException e) {
    String what =
        storeType
            + " store: "
            + operation
            + " failed: "
            + e.getMessage()
            + (e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")");
    return isUnavailable(e)
        ? new StoreError(ErrorCode.STORE_UNAVAILABLE, what + "; the database is unreachable", e)
        : new StoreError(ErrorCode.IO_ERROR, what, e);
  }

  static Set<String> sqlStates(Throwable t) {
    Set<Throwable> seen = new HashSet<>();
    Set<String> states = new HashSet<>();
    ArrayDeque<Throwable> todo = new ArrayDeque<>();
    todo.add(t);
    while (!todo.isEmpty()) {
      Throwable c = todo.poll();
      if (c == null || !seen.add(c)) {
        continue;
      }
      if (c instanceof SQLException s) {
        if (s.getSQLState() != null) {
          states.add(s.getSQLState());
        }
        if (s.getNextException() != null) {
          todo.add(s.getNextException());
        }
      }
      if (c.getCause() != null) {
        todo.add(c.getCause());
      }
    }
    return states;
  }

  private static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }
}
