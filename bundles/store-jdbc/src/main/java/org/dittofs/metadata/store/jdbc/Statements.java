package org.dittofs.metadata.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * One parameterised statement on a connection, prepared, bound, run and closed: what {@link
 * SqlTransaction} runs, and the cluster's statements on its membership connection. Parameters are
 * bound in order: String, byte[], Long, Integer, Boolean, or null (bound as a binary null, the only
 * nullable parameter of these statements being a file's parent handle; a lock row's nulls are bound
 * with their columns' types, {@link LockRows#bind}). Stateless.
 */
final class Statements {
  /** Reads one row of a result. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private Statements() {}

  /** Executes a statement whose result, if any, is not read. */
  static void execute(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, null, params);
      ps.execute();
    }
  }

  /** Executes an update; returns the number of rows changed. */
  static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, null, params);
      return ps.executeUpdate();
    }
  }

  /** Executes a query, reading every row. */
  static <T> List<T> query(Connection c, String sql, RowReader<T> reader, Object... params)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, null, params);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(reader.read(rs));
        }
        return out;
      }
    }
  }

  /** The first column of the one row a query returns, as a long. */
  static long queryLong(Connection c, String sql, Object... params) throws SQLException {
    return first(query(c, sql, rs -> rs.getLong(1), params), sql);
  }

  /** The first column of the one row a query returns, as a boolean. */
  static boolean queryBoolean(Connection c, String sql, Object... params) throws SQLException {
    return first(query(c, sql, rs -> rs.getBoolean(1), params), sql);
  }

  /** The first row; none is the database's failure, reported as such (not an index error). */
  private static <T> T first(List<T> rows, String sql) throws SQLException {
    if (rows.isEmpty()) {
      throw new SQLException("no row returned by " + sql);
    }
    return rows.get(0);
  }

  /**
   * Binds {@code params} to parameters 1..n in order, as the class comment says; a null is bound
   * with the SQL type {@code nullTypes} gives its position (a {@link java.sql.Types} constant), or
   * as a binary null where {@code nullTypes} is null.
   */
  static void bind(PreparedStatement ps, int[] nullTypes, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p instanceof byte[] b) {
        ps.setBytes(i + 1, b);
      } else if (p instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (p instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else if (p instanceof Boolean b) {
        ps.setBoolean(i + 1, b);
      } else if (p == null) {
        ps.setNull(i + 1, nullTypes == null ? Types.VARBINARY : nullTypes[i]);
      } else {
        ps.setString(i + 1, (String) p);
      }
    }
  }
}
