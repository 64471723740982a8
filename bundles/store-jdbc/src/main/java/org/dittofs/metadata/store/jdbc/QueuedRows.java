package org.dittofs.metadata.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.spi.QueuedRequest;

/**
 * The {@code lock_waiters} table's row form of a {@link QueuedRequest}, both ways: the request in
 * the columns of a lock record ({@link LockRows}), then where it waits, its state and its outcome.
 * A granted lock shares the request's owner, client, share, file, flavour and epoch, so only what
 * differs is stored.
 */
final class QueuedRows {
  static final List<String> COLUMNS;

  static {
    List<String> c = new ArrayList<>(LockRows.COLUMNS);
    c.addAll(
        List.of(
            "node",
            "state",
            "granted_id",
            "granted_type",
            "granted_first",
            "granted_last",
            "granted_zero_length",
            "granted_at_seconds",
            "granted_at_nanos",
            "failure_code",
            "failure_message"));
    COLUMNS = List.copyOf(c);
  }

  static final String SELECT = "SELECT " + String.join(", ", COLUMNS) + " FROM lock_waiters";

  /** The SQL types of the granted_* columns, in order. */
  private static final int[] GRANTED_TYPES = {
    Types.VARCHAR,
    Types.VARCHAR,
    Types.BIGINT,
    Types.BIGINT,
    Types.BOOLEAN,
    Types.BIGINT,
    Types.INTEGER
  };

  private QueuedRows() {}

  /** Binds {@code w} to parameters 1..{@code COLUMNS.size()} in column order. */
  static void bind(PreparedStatement ps, QueuedRequest w) throws SQLException {
    LockRows.bind(ps, w.request());
    int i = LockRows.COLUMNS.size();
    ps.setString(++i, w.node());
    ps.setString(++i, w.state().name());
    PersistedLock g = w.granted();
    if (g == null) {
      for (int type : GRANTED_TYPES) {
        ps.setNull(++i, type);
      }
    } else {
      ps.setString(++i, g.id());
      ps.setString(++i, g.type().name());
      ps.setLong(++i, LockRows.encode(g.range().first()));
      ps.setLong(++i, LockRows.encode(g.range().last()));
      ps.setBoolean(++i, g.range().isZeroLength());
      ps.setLong(++i, g.acquiredAt().getEpochSecond());
      ps.setInt(++i, g.acquiredAt().getNano());
    }
    ps.setString(++i, w.failureCode());
    String m = w.failureMessage();
    ps.setString(++i, m == null ? null : m.length() > 2048 ? m.substring(0, 2048) : m);
  }

  /** The queued request in the current row of a result of {@link #SELECT}. */
  static QueuedRequest read(ResultSet rs) throws SQLException {
    PersistedLock r = LockRows.read(rs);
    QueuedRequest.State state = QueuedRequest.State.valueOf(rs.getString("state"));
    PersistedLock granted = null;
    String id = rs.getString("granted_id");
    if (id != null) {
      long first = LockRows.decode(rs.getLong("granted_first"));
      long last = LockRows.decode(rs.getLong("granted_last"));
      granted =
          new PersistedLock(
              id,
              PersistedLock.Kind.LOCK,
              r.share(),
              r.file(),
              r.owner(),
              r.clientId(),
              r.adapter(),
              r.flavour(),
              LockType.valueOf(rs.getString("granted_type")),
              rs.getBoolean("granted_zero_length")
                  ? ByteRange.zeroLength(first)
                  : ByteRange.of(first, last),
              Set.of(),
              Set.of(),
              Instant.ofEpochSecond(
                  rs.getLong("granted_at_seconds"), rs.getInt("granted_at_nanos")),
              r.epoch());
    }
    return new QueuedRequest(
        r,
        rs.getString("node"),
        state,
        granted,
        rs.getString("failure_code"),
        rs.getString("failure_message"));
  }
}
