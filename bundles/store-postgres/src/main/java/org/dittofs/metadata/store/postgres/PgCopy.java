package org.dittofs.metadata.store.postgres;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.dittofs.metadata.store.jdbc.BulkInsert;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * PostgreSQL's bulk insert: {@code COPY table (columns) FROM STDIN} in the text format, streamed
 * through pgjdbc's {@link PGCopyOutputStream} in the caller's transaction (no row is built twice in
 * memory: each is encoded as it is written).
 *
 * <p>The text format, field by field: a {@code String} with its backslash, tab, newline and
 * carriage return escaped ({@code \\}, {@code \t}, {@code \n}, {@code \r}: the only characters the
 * format gives a meaning to, so no other character needs escaping, and no line can be the {@code
 * \.} end marker); a {@code byte[]} as {@code bytea}'s hex input {@code \x0a1b...}, its backslash
 * escaped; numbers in decimal; booleans as {@code t} or {@code f}; null as {@code \N}. Fields are
 * separated by a tab, rows end with a newline. The connection's client encoding is UTF-8 (pgjdbc
 * always sets it), so the stream is UTF-8. The values were checked before ({@code
 * Dialect.unstorable}): no NUL, no unpaired surrogate.
 */
final class PgCopy implements BulkInsert {
  static final PgCopy INSTANCE = new PgCopy();

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private PgCopy() {}

  /** A connection of pgjdbc's, or of a pool that unwraps to one. */
  @Override
  public boolean supports(Connection c) {
    try {
      return c.isWrapperFor(PGConnection.class);
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Streams {@code rows} into {@code table}; the copy ends only if every row was written. On any
   * failure (the server's, such as a unique violation, reported when the copy ends; or a value with
   * no text form) the copy is cancelled if still open, nothing of it stays, and the failure is an
   * {@code SQLException} (the server's own where it has one, for its SQLState).
   */
  @Override
  public void insert(Connection c, String table, List<String> columns, List<Object[]> rows)
      throws SQLException {
    String sql = "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN";
    PGCopyOutputStream out = new PGCopyOutputStream(c.unwrap(PGConnection.class), sql, 1 << 16);
    try {
      Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
      for (Object[] row : rows) {
        if (row.length != columns.size()) {
          throw new IllegalArgumentException(
              "a row of " + row.length + " values for " + columns.size() + " columns");
        }
        for (int i = 0; i < row.length; i++) {
          if (i > 0) {
            w.write('\t');
          }
          field(w, row[i]);
        }
        w.write('\n');
      }
      w.flush(); // into the copy stream, whose end below sends what is left and ends the copy
      out.endCopy();
    } catch (IOException | RuntimeException e) {
      if (out.isActive()) {
        out.cancelCopy(); // nothing of it stays; the connection leaves COPY mode
      }
      // pgjdbc reports the server's failure as an IOException around its SQLException
      if (e.getCause() instanceof SQLException s) {
        throw s;
      }
      throw new SQLException("COPY into " + table + " failed: " + e.getMessage(), e);
    }
  }

  /** Writes one field in COPY's text format (see the class comment). */
  static void field(Writer w, Object v) throws IOException {
    if (v == null) {
      w.write("\\N");
    } else if (v instanceof String s) {
      text(w, s);
    } else if (v instanceof byte[] bytes) {
      w.write("\\\\x");
      for (byte b : bytes) {
        w.write(HEX[(b >> 4) & 0xf]);
        w.write(HEX[b & 0xf]);
      }
    } else if (v instanceof Boolean b) {
      w.write(b ? 't' : 'f');
    } else if (v instanceof Long || v instanceof Integer) {
      w.write(v.toString());
    } else {
      throw new IllegalArgumentException("no COPY text form for a " + v.getClass().getName());
    }
  }

  private static void text(Writer w, String s) throws IOException {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> w.write("\\\\");
        case '\t' -> w.write("\\t");
        case '\n' -> w.write("\\n");
        case '\r' -> w.write("\\r");
        default -> w.write(ch);
      }
    }
  }
}
