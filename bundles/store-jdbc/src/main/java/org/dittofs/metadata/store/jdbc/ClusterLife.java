package org.dittofs.metadata.store.jdbc;

import static org.dittofs.metadata.store.jdbc.Statements.execute;
import static org.dittofs.metadata.store.jdbc.Statements.query;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.spi.GraceState;
import org.dittofs.metadata.lock.spi.LockCluster.GraceEnd;

/**
 * The cluster-wide state of a PostgreSQL cluster beyond its files (docs/cluster.md): the grace
 * period (SPEC 11), entered once at a cold start and ended once for all nodes, and the total-limit
 * quota pool (SPEC 8). Both live in the row of {@code cluster_state}, whose row lock serializes
 * every change of them; see {@code V5__cluster_life.sql} for the tables.
 *
 * <ul>
 *   <li>Restored records are those of an epoch older than {@code server_state.epoch}; grace ends
 *       early when none is left or every expected client declared its reclaims complete, or when
 *       {@code grace_until} (database clock) has passed. The node that ends it notifies {@value
 *       #GRACE_CHANNEL}.
 *   <li>Quota: {@code quota_base} (records no live node counts) plus the quota leased to the nodes
 *       never passes the limit a lease is asked under. Each node's committed count of its own
 *       changes is {@code cluster_usage}; when a node leaves or is found dead, its count is folded
 *       into {@code quota_base} and its lease ends ({@link #fold}). A node short of quota notifies
 *       {@value #QUOTA_CHANNEL}.
 * </ul>
 *
 * <p>Concurrency: thread-safe; every method is one transaction of its own (or a statement on the
 * membership connection's transaction).
 */
final class ClusterLife {
  /** Channel on which the node that ended grace tells the others (payload: its id). */
  static final String GRACE_CHANNEL = "dittofs_grace";

  /** Channel on which a node short of total-limit quota asks the others (payload: its id). */
  static final String QUOTA_CHANNEL = "dittofs_quota";

  /** The most quota leased ahead of need at once. */
  static final long CHUNK = 1000;

  private static final String EPOCH = "(SELECT epoch FROM server_state WHERE id = 1)";

  private static final String ALL_COMPLETED =
      "(EXISTS (SELECT 1 FROM grace_clients WHERE expected)"
          + " AND NOT EXISTS (SELECT 1 FROM grace_clients WHERE expected AND NOT completed))";

  private static final String NOTHING_LEFT =
      "NOT EXISTS (SELECT 1 FROM locks WHERE epoch < " + EPOCH + ")";

  private static final String HOLD = "SELECT 1 FROM cluster_state WHERE id = 1 FOR UPDATE";

  private final ClusterSql sql; // its node is the node this life is of

  ClusterLife(ClusterSql sql) {
    this.sql = sql;
  }

  // ---- grace -----------------------------------------------------------------------------------

  /** See {@link org.dittofs.metadata.lock.spi.LockCluster#grace}. */
  GraceState grace() {
    return sql.inTransaction(
        "reading the grace period",
        tx -> {
          List<GraceState> row =
              tx.sql()
                  .query(
                      "read the grace period",
                      "SELECT grace_active, GREATEST(0, EXTRACT(EPOCH FROM (grace_until - now()))"
                          + " * 1000)::bigint, restored_locks, restored_opens, reclaimed"
                          + " FROM cluster_state WHERE id = 1",
                      rs ->
                          new GraceState(
                              rs.getBoolean(1),
                              Duration.ofMillis(rs.getLong(2)),
                              Set.of(),
                              Set.of(),
                              rs.getInt(3),
                              rs.getInt(4),
                              rs.getInt(5)));
          GraceState g = row.get(0);
          if (!g.active()) {
            return GraceState.NONE;
          }
          Set<LockClient> expected = new HashSet<>();
          Set<LockClient> completed = new HashSet<>();
          tx.sql()
              .query(
                  "read the grace clients",
                  "SELECT client_id, adapter, expected, completed FROM grace_clients",
                  rs -> {
                    LockClient c = new LockClient(rs.getString(1), rs.getString(2));
                    if (rs.getBoolean(3)) {
                      expected.add(c);
                    }
                    if (rs.getBoolean(4)) {
                      completed.add(c);
                    }
                    return c;
                  });
          return new GraceState(
              true,
              g.remaining(),
              expected,
              completed,
              g.restoredLocks(),
              g.restoredOpens(),
              g.reclaimed());
        });
  }

  /** See {@link org.dittofs.metadata.lock.spi.LockCluster#reclaimComplete}. */
  boolean reclaimComplete(String clientId, String adapter) {
    if (!JdbcLockCluster.storable(clientId, adapter)) {
      return false; // never stored: not expected
    }
    return sql.inTransaction(
        "declaring the reclaims of " + clientId + " complete",
        tx -> {
          tx.sql()
              .update(
                  "declare reclaims complete",
                  "INSERT INTO grace_clients (client_id, adapter, expected, completed)"
                      + " SELECT ?, ?, FALSE, TRUE WHERE (SELECT grace_active FROM cluster_state)"
                      + " ON CONFLICT (client_id, adapter) DO UPDATE SET completed = TRUE",
                  clientId,
                  adapter);
          return tx.sql()
              .query(
                  "all reclaims complete",
                  "SELECT grace_active AND " + ALL_COMPLETED + " FROM cluster_state",
                  rs -> rs.getBoolean(1))
              .get(0);
        });
  }

  /** See {@link org.dittofs.metadata.lock.spi.LockCluster#graceProgress}. */
  boolean graceProgress(int reclaims) {
    return sql.inTransaction(
        "counting reclaims",
        tx ->
            tx.sql()
                .query(
                    "count reclaims",
                    reclaims == 0
                        ? "SELECT grace_active AND " + NOTHING_LEFT + " FROM cluster_state"
                        : "UPDATE cluster_state SET reclaimed = reclaimed + "
                            + reclaims
                            + " WHERE id = 1 RETURNING grace_active AND "
                            + NOTHING_LEFT,
                    rs -> rs.getBoolean(1))
                .get(0));
  }

  /** See {@link org.dittofs.metadata.lock.spi.LockCluster#endGrace}. */
  List<FileHandle> endGrace(GraceEnd why) {
    return holding(
        "ending the grace period",
        s -> {
          boolean[] state =
              s.query(
                      "read the grace period",
                      "SELECT grace_active, grace_until <= now(), "
                          + ALL_COMPLETED
                          + ", "
                          + NOTHING_LEFT
                          + " FROM cluster_state WHERE id = 1",
                      rs ->
                          new boolean[] {
                            rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4)
                          })
                  .get(0);
          if (state[0]) {
            boolean holds =
                switch (why) {
                  case OPERATOR -> true;
                  case TIME_UP -> state[1];
                  case CLIENTS_DONE -> state[2];
                  case NOTHING_LEFT -> state[3];
                };
            if (!holds) {
              return null;
            }
            s.update(
                "end the grace period",
                "UPDATE cluster_state SET grace_active = FALSE WHERE id = 1");
            s.query(
                "tell the nodes",
                "SELECT pg_notify('" + GRACE_CHANNEL + "', ?)",
                rs -> 0,
                sql.node());
          }
          return s.query(
              "files with restored records",
              "SELECT DISTINCT file FROM locks WHERE epoch < " + EPOCH,
              rs -> FileHandle.of(rs.getBytes(1)));
        });
  }

  /**
   * A cold start of the cluster, on the joining node's connection inside its join transaction
   * (which holds the membership lock): every record is of an older epoch now; the clients of the
   * last run are forgotten (they register again); the quota pool starts from the records left; and
   * grace is entered for {@code gracePeriod} if any record is left.
   *
   * @return the records restored (locks, opens)
   */
  static int[] coldStart(Connection c, Duration gracePeriod) throws SQLException {
    execute(c, "DELETE FROM cluster_clients");
    execute(c, "DELETE FROM grace_clients");
    execute(c, "DELETE FROM cluster_usage");
    execute(c, "UPDATE cluster_nodes SET quota = 0");
    int[] restored =
        query(
                c,
                "SELECT count(*) FILTER (WHERE kind = 'LOCK'), count(*) FILTER (WHERE kind <>"
                    + " 'LOCK') FROM locks",
                rs -> new int[] {rs.getInt(1), rs.getInt(2)})
            .get(0);
    int locks = restored[0];
    int opens = restored[1];
    boolean grace = locks + opens > 0;
    execute(
        c,
        "UPDATE cluster_state SET grace_active = ?, grace_until = now() + ? * interval '1"
            + " millisecond', restored_locks = ?, restored_opens = ?, reclaimed = 0,"
            + " quota_base = ? WHERE id = 1",
        grace,
        gracePeriod.toMillis(),
        locks,
        opens,
        (long) locks);
    if (grace) {
      execute(
          c,
          "INSERT INTO grace_clients (client_id, adapter, expected, completed)"
              + " SELECT DISTINCT client_id, adapter, TRUE, FALSE FROM locks");
    }
    return restored;
  }

  // ---- quota -----------------------------------------------------------------------------------

  /** See {@link org.dittofs.metadata.lock.spi.LockCluster#leaseQuota}. */
  long leaseQuota(long need, long max) {
    return holding(
        "leasing total-limit quota",
        s -> {
          long[] pool =
              s.query(
                      "read the quota pool",
                      "SELECT quota_base + (SELECT coalesce(sum(quota), 0) FROM cluster_nodes),"
                          + " (SELECT count(*) FROM ("
                          + ClusterMembership.LIVE_NODES
                          + ") l) FROM cluster_state WHERE id = 1",
                      rs -> new long[] {rs.getLong(1), rs.getLong(2)})
                  .get(0);
          long left = max - pool[0];
          if (left < need) {
            return 0L;
          }
          long chunk = Math.min(CHUNK, (left - need) / (2 * Math.max(1, pool[1])));
          s.update(
              "lease quota",
              "UPDATE cluster_nodes SET quota = quota + ? WHERE node = ?",
              need + chunk,
              sql.node());
          return need + chunk;
        });
  }

  /** See {@link org.dittofs.metadata.lock.spi.LockCluster#returnQuota}. */
  void returnQuota(long n) {
    sql.inTransaction(
        "returning total-limit quota",
        tx ->
            tx.sql()
                .update(
                    "return quota",
                    "UPDATE cluster_nodes SET quota = quota - ? WHERE node = ?",
                    n,
                    sql.node()));
  }

  /** See {@link org.dittofs.metadata.lock.spi.LockCluster#wantQuota}. */
  void wantQuota() {
    sql.inTransaction(
        "asking for total-limit quota",
        tx ->
            tx.sql()
                .query(
                    "ask for quota",
                    "SELECT pg_notify('" + QUOTA_CHANNEL + "', ?)",
                    rs -> 0,
                    sql.node()));
  }

  /**
   * Folds the committed counts of the nodes {@code keys} into the pool's base and ends their
   * leases: what they added stays in the cluster, counted by no live node. On {@code c}, which is
   * in a transaction; the caller commits.
   */
  static void fold(Connection c, List<Long> keys) throws SQLException {
    if (keys.isEmpty()) {
      return;
    }
    execute(c, HOLD);
    StringBuilder in = new StringBuilder();
    for (Long k : keys) {
      in.append(in.length() == 0 ? "" : ", ").append(k.longValue());
    }
    execute(
        c,
        "UPDATE cluster_state SET quota_base = quota_base + (SELECT coalesce(sum(records), 0)"
            + " FROM cluster_usage WHERE node_key IN ("
            + in
            + ")) WHERE id = 1");
    execute(c, "DELETE FROM cluster_usage WHERE node_key IN (" + in + ")");
    execute(c, "UPDATE cluster_nodes SET quota = 0 WHERE key IN (" + in + ")");
  }

  /** Keys of the nodes that are not alive and still hold a lease or a count, on {@code c}. */
  static List<Long> deadWithQuota(Connection c) throws SQLException {
    return query(c, DEAD_WITH_QUOTA, rs -> rs.getLong(1));
  }

  /** The keys of dead nodes that still lease quota or count usage, in SQL. */
  static final String DEAD_WITH_QUOTA =
      "SELECT key FROM cluster_nodes WHERE node NOT IN ("
          + ClusterMembership.LIVE_NODES
          + ") AND (quota <> 0 OR key IN (SELECT node_key FROM cluster_usage))";

  /**
   * Runs {@code work} in a transaction of its own on its statements, after the row lock of {@code
   * cluster_state} was taken: a read and change of the cluster's state that no other node's
   * interleaves.
   */
  private <T> T holding(String what, Function<SqlTransaction, T> work) {
    return sql.inTransaction(
        what,
        tx -> {
          SqlTransaction s = tx.sql();
          s.query("hold the cluster's state", HOLD, rs -> 0);
          return work.apply(s);
        });
  }
}
