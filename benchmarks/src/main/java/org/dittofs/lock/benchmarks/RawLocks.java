package org.dittofs.lock.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import org.dittofs.lock.benchmarks.baseline.ListLockTable;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * The raw JDBC baselines: hand-written statements on the stores' own {@code locks} table (same
 * columns, same indexes, same encodings), without the store's transactions, checks, upserts or
 * pool. What a store cannot beat on the same database.
 */
final class RawLocks {
  static final String INSERT =
      "INSERT INTO locks (id, kind, share, file, owner, client_id, adapter, flavour, type,"
          + " range_first, range_last, zero_length, access, deny, acquired_at_seconds,"
          + " acquired_at_nanos, epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  static final String DELETE = "DELETE FROM locks WHERE id = ?";
  static final String SELECT =
      "SELECT id, share, file, owner, client_id, adapter, flavour, type, range_first,"
          + " range_last, acquired_at_seconds, acquired_at_nanos, epoch FROM locks"
          + " WHERE kind = 'LOCK'";

  private RawLocks() {}

  /** Binds a lock row (a POSIX lock record: no share modes, not zero-length). */
  static void bind(PreparedStatement ps, PersistedLock r) throws SQLException {
    ps.setString(1, r.id());
    ps.setString(2, r.kind().name());
    ps.setString(3, r.share());
    ps.setBytes(4, r.file().bytes());
    ps.setString(5, r.owner());
    ps.setString(6, r.clientId());
    ps.setString(7, r.adapter());
    ps.setString(8, r.flavour().name());
    ps.setString(9, r.type().name());
    ps.setLong(10, r.range().first() ^ Long.MIN_VALUE);
    ps.setLong(11, r.range().last() ^ Long.MIN_VALUE);
    ps.setBoolean(12, false);
    ps.setInt(13, 0);
    ps.setInt(14, 0);
    ps.setLong(15, r.acquiredAt().getEpochSecond());
    ps.setInt(16, r.acquiredAt().getNano());
    ps.setLong(17, r.epoch());
  }

  /** Inserts every record in one transaction, in JDBC batches of {@code batch}. */
  static void insertAll(Connection c, Iterable<PersistedLock> records, int batch)
      throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      int pending = 0;
      for (PersistedLock r : records) {
        bind(ps, r);
        ps.addBatch();
        if (++pending == batch) {
          ps.executeBatch();
          pending = 0;
        }
      }
      if (pending > 0) {
        ps.executeBatch();
      }
    }
    c.commit();
  }

  static void deleteAll(Connection c) throws SQLException {
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM locks");
    }
  }

  /**
   * Reads every lock row into the baseline table (its restart recovery). Returns the number of
   * records read.
   */
  static long restoreInto(Connection c, ListLockTable table) throws SQLException {
    long n = 0;
    c.setAutoCommit(false); // lets PostgreSQL stream with a fetch size; H2 ignores it
    try (Statement s = c.createStatement()) {
      s.setFetchSize(10_000);
      try (ResultSet rs = s.executeQuery(SELECT)) {
        while (rs.next()) {
          table.restore(
              new Lock(
                  LockId.parse(rs.getString(1)),
                  LockOwner.of(rs.getString(4)),
                  new LockClient(rs.getString(5), rs.getString(6)),
                  rs.getString(2),
                  FileHandle.of(rs.getBytes(3)),
                  ByteRange.of(rs.getLong(9) ^ Long.MIN_VALUE, rs.getLong(10) ^ Long.MIN_VALUE),
                  LockType.valueOf(rs.getString(8)),
                  LockFlavour.valueOf(rs.getString(7)),
                  Instant.ofEpochSecond(rs.getLong(11), rs.getInt(12)),
                  rs.getLong(13)));
          n++;
        }
      }
    }
    c.commit();
    return n;
  }
}
