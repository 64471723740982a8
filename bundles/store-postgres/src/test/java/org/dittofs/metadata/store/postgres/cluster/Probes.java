package org.dittofs.metadata.store.postgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What the in-process cluster tests poll: a probe until it answers (bounded, never a timing
 * assertion), and a number read from the database.
 */
final class Probes {
  /** How long a test waits for the cluster to notice something at most. */
  static final long AWAIT_SECONDS = 30;

  private Probes() {}

  /** Polls {@code probe} until it answers non-null; fails after {@value #AWAIT_SECONDS} s. */
  static <T> T await(Supplier<T> probe) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    while (true) {
      T v = probe.get();
      if (v != null) {
        return v;
      }
      assertThat(System.nanoTime() - deadline).as("the cluster noticed in time").isNegative();
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /** The first column of the first row of {@code sql} as a number, -1 if no row. */
  static long number(DataSource raw, String sql) {
    try (Connection c = raw.getConnection()) {
      return number(c, sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** As {@link #number(DataSource, String)} on connection {@code c}. */
  static long number(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /** Runs {@code sql} on {@code c}, whatever it returns. */
  static void execute(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.execute();
    }
  }
}
