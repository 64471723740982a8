package org.dittofs.metadata.store.jdbc;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.RecordLimits;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.LockRecords;
import org.dittofs.metadata.spi.Transaction;

/**
 * A {@link Transaction} as SQL on one {@link SqlTransaction}: every value bound as a parameter,
 * every value checked ({@link RecordLimits}, {@link Dialect#unstorable}) before anything is sent,
 * so an unstorable value is INVALID_ARGUMENT and leaves the transaction usable. A value the
 * database cannot hold is never stored, so reads and deletes by such a value find nothing. Confined
 * to one thread.
 */
final class JdbcTransaction implements Transaction, LockRecords {
  private static final List<String> SHARE_COLUMNS = List.of("name", "locking_mode");
  private static final List<String> FILE_COLUMNS =
      List.of("handle", "share", "name", "parent", "type", "size");
  private static final String SELECT_FILE =
      "SELECT " + String.join(", ", FILE_COLUMNS) + " FROM files";

  /**
   * The fewest row-adding writes {@link #apply} hands to the {@link BulkInsert}: below it, batched
   * upserts cost about the same, and the savepoint and the check of the list would be pure cost.
   */
  static final int BULK_MIN = 1_000;

  private final Dialect dialect;
  private final SqlTransaction sql;

  /** The database's bulk insert, or null (see {@link #apply}). */
  private final BulkInsert bulk;

  /**
   * @throws StoreError STORE_UNAVAILABLE if no connection can be had
   */
  JdbcTransaction(Dialect dialect, DataSource dataSource) {
    this(dialect, dataSource, null);
  }

  /**
   * @param bulk the database's bulk insert for large lists of writes ({@link #apply}), or null
   * @throws StoreError STORE_UNAVAILABLE if no connection can be had
   */
  JdbcTransaction(Dialect dialect, DataSource dataSource, BulkInsert bulk) {
    this.dialect = dialect;
    this.sql = new SqlTransaction(dialect, dataSource);
    this.bulk = bulk;
  }

  /** The SQL transaction underneath, for statements of its own (cluster mode). */
  SqlTransaction sql() {
    return sql;
  }

  // ---- shares and files ----

  @Override
  public void putShare(Share share) {
    RecordLimits.check(share);
    storable("share name", share.name());
    sql.update(
        "putShare",
        dialect.upsert("shares", "name", SHARE_COLUMNS),
        share.name(),
        share.lockingMode().name());
  }

  @Override
  public Optional<Share> getShare(String name) {
    if (!canHold("getShare", name)) {
      return Optional.empty();
    }
    return sql
        .query(
            "getShare",
            "SELECT name, locking_mode FROM shares WHERE name = ?",
            JdbcTransaction::share,
            name)
        .stream()
        .findFirst();
  }

  @Override
  public List<Share> listShares() {
    List<Share> out =
        sql.query("listShares", "SELECT name, locking_mode FROM shares", JdbcTransaction::share);
    // Java's order, the same in every store, not the database collation's.
    out.sort(Comparator.comparing(Share::name));
    return out;
  }

  @Override
  public boolean deleteShare(String name) {
    return canHold("deleteShare", name)
        && sql.update("deleteShare", "DELETE FROM shares WHERE name = ?", name) > 0;
  }

  @Override
  public void putFile(FileRecord file) {
    RecordLimits.check(file);
    storable("share name", file.share());
    storable("file name", file.name());
    sql.update(
        "putFile",
        dialect.upsert("files", "handle", FILE_COLUMNS),
        file.handle().bytes(),
        file.share(),
        file.name(),
        file.parent() == null ? null : file.parent().bytes(),
        file.type().name(),
        file.size());
  }

  @Override
  public Optional<FileRecord> getFile(FileHandle handle) {
    return sql
        .query("getFile", SELECT_FILE + " WHERE handle = ?", JdbcTransaction::file, handle.bytes())
        .stream()
        .findFirst();
  }

  @Override
  public List<FileRecord> listFiles(String share) {
    if (!canHold("listFiles", share)) {
      return new ArrayList<>();
    }
    return sql.query("listFiles", SELECT_FILE + " WHERE share = ?", JdbcTransaction::file, share);
  }

  @Override
  public boolean deleteFile(FileHandle handle) {
    return sql.update("deleteFile", "DELETE FROM files WHERE handle = ?", handle.bytes()) > 0;
  }

  // ---- lock records ----

  @Override
  public void putLock(PersistedLock lock) {
    check(lock);
    sql.run(
        "putLock",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(upsertLock())) {
            LockRows.bind(ps, lock);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public Optional<PersistedLock> getLock(String id) {
    if (!canHold("getLock", id)) {
      return Optional.empty();
    }
    return sql.query("getLock", LockRows.SELECT + " WHERE id = ?", LockRows::read, id).stream()
        .findFirst();
  }

  @Override
  public boolean deleteLock(String id) {
    return canHold("deleteLock", id)
        && sql.update("deleteLock", "DELETE FROM locks WHERE id = ?", id) > 0;
  }

  @Override
  public List<PersistedLock> listLocks(LockQuery q) {
    StringBuilder where = new StringBuilder();
    List<Object> params = new ArrayList<>();
    condition(where, params, "file", q.file() == null ? null : q.file().bytes());
    condition(where, params, "owner", q.owner());
    condition(where, params, "client_id", q.clientId());
    condition(where, params, "share", q.share());
    condition(where, params, "kind", q.kind() == null ? null : q.kind().name());
    for (Object p : params) {
      if (p instanceof String s && !canHold("listLocks", s)) {
        return new ArrayList<>();
      }
    }
    return sql.query("listLocks", LockRows.SELECT + where, LockRows::read, params.toArray());
  }

  /**
   * @throws StoreError INVALID_ARGUMENT for a null client id (a bulk delete never means "all")
   */
  @Override
  public int deleteLocksByClient(String clientId) {
    sql.alive("deleteLocksByClient");
    if (clientId == null) {
      throw StoreErrors.invalidArgument("deleteLocksByClient needs a client id, got null");
    }
    return canHold(clientId)
        ? sql.update("deleteLocksByClient", "DELETE FROM locks WHERE client_id = ?", clientId)
        : 0;
  }

  /**
   * @throws StoreError INVALID_ARGUMENT for a null file handle (a bulk delete never means "all")
   */
  @Override
  public int deleteLocksByFile(FileHandle file) {
    sql.alive("deleteLocksByFile");
    if (file == null) {
      throw StoreErrors.invalidArgument("deleteLocksByFile needs a file handle, got null");
    }
    return sql.update("deleteLocksByFile", "DELETE FROM locks WHERE file = ?", file.bytes());
  }

  @Override
  public long getServerEpoch() {
    return sql.query(
            "getServerEpoch", "SELECT epoch FROM server_state WHERE id = 1", rs -> rs.getLong(1))
        .get(0);
  }

  @Override
  public long incrementServerEpoch() {
    sql.update("incrementServerEpoch", "UPDATE server_state SET epoch = epoch + 1 WHERE id = 1");
    return getServerEpoch();
  }

  @Override
  public void setServerEpoch(long epoch) {
    sql.update(
        "setServerEpoch", "UPDATE server_state SET epoch = GREATEST(epoch, ?) WHERE id = 1", epoch);
  }

  @Override
  public LockRecords locks() {
    return this;
  }

  @Override
  public boolean isCleanShutdown() {
    return sql.query(
            "isCleanShutdown",
            "SELECT clean_shutdown FROM server_state WHERE id = 1",
            rs -> rs.getBoolean(1))
        .get(0);
  }

  @Override
  public void setCleanShutdown(boolean clean) {
    sql.update(
        "setCleanShutdown", "UPDATE server_state SET clean_shutdown = ? WHERE id = 1", clean);
  }

  /**
   * Applies the operations with JDBC batches: one batch of puts and one of deletes, filled until an
   * id repeats, then both are flushed and filling starts again. Operations on different ids
   * commute, so only the order of the writes to one id matters, and it is kept: an id is in at most
   * one pending batch, and a second write to it waits until the first was sent. A group commit of
   * interleaved grants and releases of different locks is then two statements, not one per change
   * of kind. Every put is checked before anything is sent; a delete of an id the database cannot
   * hold is a no-op.
   *
   * <p><b>Bulk.</b> With a {@link BulkInsert} (PostgreSQL's {@code COPY}), a list of at least
   * {@value #BULK_MIN} puts in which no id is put twice and none is deleted after its put (the copy
   * of a hot swap: deletes of what the new store held, then every live record) runs as its deletes
   * ({@value #DELETE_CHUNK} ids per statement), then its puts in one bulk insert under a savepoint:
   * each id's writes keep their order (deletes before the put). If a put's id is still in the table
   * (the bulk insert only adds rows), the database refuses it with a unique violation: the
   * transaction rolls back to the savepoint, the deletes having been applied, and the puts go in
   * batched upserts as above, so the result is the same either way. A writer's group commit far
   * behind can hold that many puts too: new records go faster in bulk, and one that rewrites a row
   * (an open whose access changed) costs the insert and the upserts, rare enough not to tell the
   * two kinds of list apart. A connection the bulk insert cannot use ({@link BulkInsert#supports})
   * gets the batches. Measured: 100,000 records into an empty PostgreSQL table in 1.3 to 1.7 s by
   * {@code COPY} against 1.8 to 2.4 s by batched multi-row inserts (benchmarks/README.md, (e)).
   */
  @Override
  public void apply(List<LockStoreOp> ops) {
    for (LockStoreOp op : ops) {
      if (op instanceof LockStoreOp.Put p) {
        check(p.record());
      }
    }
    if (bulk != null && bulkable(ops)) {
      applyInBulk(ops);
      return;
    }
    sql.run(
        "commit(ops)",
        c -> {
          upsert(c, ops);
          return null;
        });
  }

  /** Whether {@link #apply} may run {@code ops} as deletes, then one bulk insert (see there). */
  private static boolean bulkable(List<LockStoreOp> ops) {
    int puts = 0;
    for (LockStoreOp op : ops) {
      if (op instanceof LockStoreOp.Put) {
        puts++;
      }
    }
    if (puts < BULK_MIN) {
      return false;
    }
    Set<String> put = new HashSet<>(puts * 2);
    for (LockStoreOp op : ops) {
      if (op instanceof LockStoreOp.Put p
          ? !put.add(p.record().id())
          : put.contains(deletedId(op))) {
        return false; // an id put twice, or deleted after its put: the order matters
      }
    }
    return true;
  }

  private void applyInBulk(List<LockStoreOp> ops) {
    sql.run(
        "commit(ops, bulk)",
        c -> {
          if (!bulk.supports(c)) { // e.g. a pool whose connections do not unwrap to the driver's
            upsert(c, ops);
            return null;
          }
          List<LockStoreOp> puts = new ArrayList<>();
          List<String> deletes = new ArrayList<>();
          for (LockStoreOp op : ops) {
            if (op instanceof LockStoreOp.Put) {
              puts.add(op);
            } else if (canHold(deletedId(op))) {
              deletes.add(deletedId(op));
            }
          }
          deleteInChunks(c, deletes);
          List<Object[]> rows = new ArrayList<>(puts.size());
          for (LockStoreOp op : puts) {
            rows.add(LockRows.values(((LockStoreOp.Put) op).record()));
          }
          Savepoint before = c.setSavepoint();
          try {
            bulk.insert(c, "locks", LockRows.COLUMNS, rows);
          } catch (SQLException e) {
            if (!BulkInsert.UNIQUE_VIOLATION.equals(e.getSQLState())) {
              throw e;
            }
            c.rollback(before); // an id still in the table: upsert instead
            upsert(c, puts);
            return null;
          }
          c.releaseSavepoint(before);
          return null;
        });
  }

  /** Rows deleted per statement on the bulk path ({@link #deleteInChunks}). */
  private static final int DELETE_CHUNK = 10_000;

  /**
   * Deletes the rows of {@code ids}, {@value #DELETE_CHUNK} per statement ({@code id = ANY(?)} with
   * an array: the databases with a {@link BulkInsert} have arrays). A swap back into a store that
   * still holds its rows deletes them all: one statement per row, even batched, took longer than
   * the copy itself.
   */
  private static void deleteInChunks(Connection c, List<String> ids) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement("DELETE FROM locks WHERE id = ANY(?)")) {
      for (int from = 0; from < ids.size(); from += DELETE_CHUNK) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + DELETE_CHUNK));
        Array array = c.createArrayOf("varchar", chunk.toArray());
        try {
          delete.setArray(1, array);
          delete.executeUpdate();
        } finally {
          array.free();
        }
      }
    }
  }

  /** {@code ops} in batched upserts and deletes, in order (see {@link #apply}). */
  private void upsert(Connection c, List<LockStoreOp> ops) throws SQLException {
    try (PreparedStatement put = c.prepareStatement(upsertLock());
        PreparedStatement delete = c.prepareStatement("DELETE FROM locks WHERE id = ?")) {
      Set<String> pendingIds = new HashSet<>();
      int puts = 0;
      int deletes = 0;
      for (LockStoreOp op : ops) {
        String id = op instanceof LockStoreOp.Put p ? p.record().id() : deletedId(op);
        if (!canHold(id)) {
          continue;
        }
        if (!pendingIds.add(id)) { // a second write to a pending id: send what is pending
          flush(put, puts, delete, deletes);
          puts = 0;
          deletes = 0;
          pendingIds.clear();
          pendingIds.add(id);
        }
        if (op instanceof LockStoreOp.Put p) {
          LockRows.bind(put, p.record());
          put.addBatch();
          puts++;
        } else {
          delete.setString(1, id);
          delete.addBatch();
          deletes++;
        }
      }
      flush(put, puts, delete, deletes);
    }
  }

  private static void flush(PreparedStatement put, int puts, PreparedStatement delete, int deletes)
      throws SQLException {
    if (deletes > 0) {
      delete.executeBatch();
    }
    if (puts > 0) {
      put.executeBatch();
    }
  }

  private static String deletedId(LockStoreOp op) {
    return ((LockStoreOp.Delete) op).id();
  }

  // ---- end of the transaction ----

  @Override
  public void commit() {
    sql.commit();
  }

  @Override
  public void rollback() {
    sql.rollback();
  }

  @Override
  public void close() {
    sql.rollback();
  }

  // ---- values ----

  private static void condition(StringBuilder where, List<Object> params, String column, Object v) {
    if (v != null) {
      where.append(where.length() == 0 ? " WHERE " : " AND ").append(column).append(" = ?");
      params.add(v);
    }
  }

  private String upsertLock() {
    return dialect.upsert("locks", "id", LockRows.COLUMNS);
  }

  /** Checks a record before it is written: INVALID_ARGUMENT for what the database cannot hold. */
  void check(PersistedLock r) {
    RecordLimits.check(r);
    storable("lock record id", r.id());
    storable("share name", r.share());
    storable("owner id", r.owner());
    storable("client id", r.clientId());
    storable("adapter name", r.adapter());
  }

  private void storable(String field, String value) {
    String why = dialect.unstorable(value);
    if (why != null) {
      throw StoreErrors.invalidArgument(field + " cannot be stored: " + why);
    }
  }

  private boolean canHold(String value) {
    return dialect.unstorable(value) == null;
  }

  /** Whether the database can hold {@code value}; refuses work on an ended transaction first. */
  private boolean canHold(String operation, String value) {
    sql.alive(operation);
    return canHold(value);
  }

  private static Share share(ResultSet rs) throws SQLException {
    return new Share(rs.getString(1), LockingMode.valueOf(rs.getString(2)));
  }

  private static FileRecord file(ResultSet rs) throws SQLException {
    byte[] parent = rs.getBytes(4);
    return new FileRecord(
        FileHandle.of(rs.getBytes(1)),
        rs.getString(2),
        rs.getString(3),
        parent == null ? null : FileHandle.of(parent),
        FileType.valueOf(rs.getString(5)),
        rs.getLong(6));
  }
}
