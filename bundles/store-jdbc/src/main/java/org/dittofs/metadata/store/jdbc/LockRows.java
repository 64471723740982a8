package org.dittofs.metadata.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * The {@code locks} table's row form of a {@link PersistedLock}, both ways. Range bounds are stored
 * as {@link #encode encoded} offsets; a record without a range (an open) has null range columns.
 */
final class LockRows {
  static final List<String> COLUMNS =
      List.of(
          "id",
          "kind",
          "share",
          "file",
          "owner",
          "client_id",
          "adapter",
          "flavour",
          "type",
          "range_first",
          "range_last",
          "zero_length",
          "access",
          "deny",
          "acquired_at_seconds",
          "acquired_at_nanos",
          "epoch");

  static final String SELECT = "SELECT " + String.join(", ", COLUMNS) + " FROM locks";

  private LockRows() {}

  /**
   * An unsigned 64-bit offset as a signed BIGINT with the same order: the top bit flipped, so 0
   * becomes {@code Long.MIN_VALUE} and 2^64-1 becomes {@code Long.MAX_VALUE}. Its own inverse.
   */
  static long encode(long unsignedOffset) {
    return unsignedOffset ^ Long.MIN_VALUE;
  }

  /** The unsigned offset a stored BIGINT holds; the inverse of {@link #encode}. */
  static long decode(long stored) {
    return stored ^ Long.MIN_VALUE;
  }

  /** The SQL type of each column of {@link #COLUMNS}, for binding a null. */
  private static final int[] TYPES = {
    Types.VARCHAR, // id
    Types.VARCHAR, // kind
    Types.VARCHAR, // share
    Types.VARBINARY, // file
    Types.VARCHAR, // owner
    Types.VARCHAR, // client_id
    Types.VARCHAR, // adapter
    Types.VARCHAR, // flavour
    Types.VARCHAR, // type
    Types.BIGINT, // range_first
    Types.BIGINT, // range_last
    Types.BOOLEAN, // zero_length
    Types.INTEGER, // access
    Types.INTEGER, // deny
    Types.BIGINT, // acquired_at_seconds
    Types.INTEGER, // acquired_at_nanos
    Types.BIGINT // epoch
  };

  /**
   * The row of {@code r}: its value for each of {@link #COLUMNS}, in order, as a {@code String},
   * {@code byte[]}, {@code Long}, {@code Integer} or {@code Boolean}, or null for SQL NULL. What
   * {@link #bind} binds, and what a {@link BulkInsert} writes.
   */
  static Object[] values(PersistedLock r) {
    ByteRange range = r.range();
    return new Object[] {
      r.id(),
      r.kind().name(),
      r.share(),
      r.file().bytes(),
      r.owner(),
      r.clientId(),
      r.adapter(),
      r.flavour() == null ? null : r.flavour().name(),
      r.type() == null ? null : r.type().name(),
      range == null ? null : encode(range.first()),
      range == null ? null : encode(range.last()),
      range == null ? null : range.isZeroLength(),
      mask(r.access()),
      mask(r.deny()),
      r.acquiredAt().getEpochSecond(),
      r.acquiredAt().getNano(),
      r.epoch()
    };
  }

  /** Binds {@code r} to parameters 1..{@code COLUMNS.size()} in column order ({@link #values}). */
  static void bind(PreparedStatement ps, PersistedLock r) throws SQLException {
    Statements.bind(ps, TYPES, values(r));
  }

  /** The record in the current row of a result of {@link #SELECT}. */
  static PersistedLock read(ResultSet rs) throws SQLException {
    PersistedLock.Kind kind = PersistedLock.Kind.valueOf(rs.getString("kind"));
    String flavour = rs.getString("flavour");
    String type = rs.getString("type");
    ByteRange range = null;
    long first = rs.getLong("range_first");
    if (!rs.wasNull()) {
      long last = decode(rs.getLong("range_last"));
      range =
          rs.getBoolean("zero_length")
              ? ByteRange.zeroLength(decode(first))
              : ByteRange.of(decode(first), last);
    }
    return new PersistedLock(
        rs.getString("id"),
        kind,
        rs.getString("share"),
        FileHandle.of(rs.getBytes("file")),
        rs.getString("owner"),
        rs.getString("client_id"),
        rs.getString("adapter"),
        flavour == null ? null : LockFlavour.valueOf(flavour),
        type == null ? null : LockType.valueOf(type),
        range,
        access(rs.getInt("access")),
        access(rs.getInt("deny")),
        Instant.ofEpochSecond(rs.getLong("acquired_at_seconds"), rs.getInt("acquired_at_nanos")),
        rs.getLong("epoch"));
  }

  private static int mask(Set<ShareAccess> bits) {
    int m = 0;
    for (ShareAccess a : bits) {
      m |= a.bit();
    }
    return m;
  }

  private static Set<ShareAccess> access(int mask) {
    Set<ShareAccess> out = EnumSet.noneOf(ShareAccess.class);
    for (ShareAccess a : ShareAccess.values()) {
      if ((mask & a.bit()) != 0) {
        out.add(a);
      }
    }
    return out;
  }
}
