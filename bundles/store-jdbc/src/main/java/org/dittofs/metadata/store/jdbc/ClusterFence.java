package org.dittofs.metadata.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead cluster nodes on PostgreSQL (docs/cluster.md, "Nodes, partitions"): fencing, so that the
 * database refuses the file transactions of a node that another node has declared dead, whatever
 * the node believes (its membership session broke while its pool still works, or it is paused); and
 * the take-over of their clients ({@link #takeOverClients}).
 *
 * <ul>
 *   <li>Every file transaction of a node ({@link #version} with a {@link Fence}) takes the file's
 *       lock and the node's fence lock (advisory {@value #FENCE}, the node's key) shared, in one
 *       statement, then checks in the statement that reads the file's version that this incarnation
 *       of the node is not declared dead ({@code cluster_nodes.dead_at}): no extra round trip.
 *   <li>A live node that finds a node dead (its liveness lock gone) declares it ({@link
 *       #declareDead}) under the membership lock and the node's fence lock held exclusively, which
 *       waits for the dead node's transactions in flight and makes those that come later fail their
 *       check (waiting exclusive locks queue new shared ones behind them). So no transaction of a
 *       node commits after its declaration; the node's total-limit quota is folded after it, in the
 *       same transaction. A join (a new incarnation) clears the declaration; a transaction begun by
 *       an earlier incarnation fails the check even then.
 * </ul>
 *
 * <p>Concurrency: stateless; every method works on the connection or transaction it is given.
 */
final class ClusterFence {
  /** First key of the two-key advisory locks that fence a node (second key: its key). */
  static final int FENCE = 2004;

  /** A node's identity in its file transactions: its key and the incarnation that joined. */
  record Fence(long key, long incarnation) {}

  private static final Logger LOG = LoggerFactory.getLogger("org.dittofs.metadata.cluster");

  /** Nodes not alive and not yet declared dead, in SQL. */
  private static final String UNDECLARED_DEAD =
      "SELECT key FROM cluster_nodes WHERE dead_at IS NULL AND node NOT IN ("
          + ClusterMembership.LIVE_NODES
          + ")";

  private ClusterFence() {}

  /**
   * What an operation reads with its file's version: the version (0 if the file was never written)
   * and whether any client of the cluster may be a courtesy client ({@link
   * org.dittofs.metadata.lock.spi.FileTransaction#courtesyAnywhere}); {@code version} is -1 if the
   * node's incarnation has been declared dead.
   */
  record FileVersion(long version, boolean courtesy) {}

  /** Any client marked courtesy by its node or orphaned by its node's death (a partial index). */
  private static final String ANY_COURTESY =
      "EXISTS (SELECT 1 FROM cluster_clients"
          + " WHERE courtesy_at IS NOT NULL OR orphaned_at IS NOT NULL)";

  /**
   * The file's committed version: with {@code fence}, after holding the file and the node's fence
   * lock, and -1 if the node's incarnation has been declared dead; without (a read), as committed
   * now. One round trip for the version, whatever else it reads.
   *
   * @throws StoreError STORE_UNAVAILABLE if the database cannot be reached
   */
  static FileVersion version(SqlTransaction sql, FileHandle file, Fence fence) {
    if (fence == null) {
      return sql.query(
              "read file version",
              "SELECT coalesce((SELECT version FROM lock_files WHERE handle = ?), 0), "
                  + ANY_COURTESY,
              rs -> new FileVersion(rs.getLong(1), rs.getBoolean(2)),
              file.bytes())
          .get(0);
    }
    sql.query(
        "hold file",
        "SELECT pg_advisory_xact_lock(?), pg_advisory_xact_lock_shared(" + FENCE + ", ?::int)",
        rs -> 0,
        FileKeys.key(file),
        fence.key());
    return sql.query(
            "read file version",
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM cluster_nodes WHERE key = ?"
                + " AND incarnation = ? AND dead_at IS NULL)"
                + " THEN coalesce((SELECT version FROM lock_files WHERE handle = ?), 0) ELSE -1 END, "
                + ANY_COURTESY,
            rs -> new FileVersion(rs.getLong(1), rs.getBoolean(2)),
            fence.key(),
            fence.incarnation(),
            file.bytes())
        .get(0);
  }

  /** The refusal of a file transaction of a node declared dead. */
  static StoreError declaredDead(String node, Fence fence) {
    return new StoreError(
        ErrorCode.STORE_UNAVAILABLE,
        "cluster node '"
            + node
            + "' was declared dead by the cluster (incarnation "
            + fence.incarnation()
            + "); it grants nothing until it has joined again");
  }

  /**
   * Whether a heartbeat has anything to fence: a dead node not declared yet, or one whose quota or
   * usage is still to be folded ({@link ClusterLife#DEAD_WITH_QUOTA}); one round trip.
   */
  static boolean anyToFence(Connection c) throws SQLException {
    return Statements.queryBoolean(
        c,
        "SELECT EXISTS (" + UNDECLARED_DEAD + ") OR EXISTS (" + ClusterLife.DEAD_WITH_QUOTA + ")");
  }

  /**
   * Declares every node found dead, each under its fence lock held exclusively; {@code c} is in a
   * transaction holding the membership lock, which the caller commits. {@code by} names the
   * declaring node in the log.
   */
  static void declareDead(Connection c, String by) throws SQLException {
    for (long k : undeclared(c)) {
      Statements.execute(c, "SELECT pg_advisory_xact_lock(" + FENCE + ", " + k + ")");
      for (String node :
          Statements.query(
              c,
              "UPDATE cluster_nodes SET dead_at = now() WHERE key = ? RETURNING node",
              rs -> rs.getString(1),
              k)) {
        LOG.info("cluster node '" + by + "' fenced dead node '" + node + "'");
      }
    }
  }

  /**
   * The clients of dead nodes: marked orphaned (since now, database clock); each whose lease (or
   * pending ttl) has run out since is claimed by node {@code by} (one claim wins; if the claimer
   * dies before it is done, the next heartbeat claims it again) and handed to {@code expired}.
   */
  static void takeOverClients(Connection c, String by, Consumer<LockClient> expired)
      throws SQLException {
    Statements.execute(
        c,
        "UPDATE cluster_clients SET orphaned_at = now() WHERE orphaned_at IS NULL"
            + " AND node NOT IN ("
            + ClusterMembership.LIVE_NODES
            + ")");
    List<String[]> due =
        Statements.query(
            c,
            "SELECT client_id, adapter, node FROM cluster_clients WHERE node NOT IN ("
                + ClusterMembership.LIVE_NODES
                + ") AND (release_at <= now() OR (release_at IS NULL"
                + " AND orphaned_at + lease_millis * interval '1 millisecond' <= now()))",
            rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
    for (String[] d : due) {
      int claimed =
          Statements.update(
              c,
              "UPDATE cluster_clients SET node = ?, orphaned_at = NULL, release_at = now()"
                  + " WHERE client_id = ? AND adapter = ? AND node = ?",
              by,
              d[0],
              d[1],
              d[2]);
      if (claimed == 1) {
        LOG.info(
            "cluster node '"
                + by
                + "' releases client "
                + d[0]
                + " of dead node '"
                + d[2]
                + "': its lease ran out");
        expired.accept(new LockClient(d[0], d[1]));
      }
    }
  }

  private static List<Long> undeclared(Connection c) throws SQLException {
    return Statements.query(c, UNDECLARED_DEAD, rs -> rs.getLong(1));
  }
}
