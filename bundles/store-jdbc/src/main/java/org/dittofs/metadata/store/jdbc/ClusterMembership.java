package org.dittofs.metadata.store.jdbc;

import static org.dittofs.metadata.store.jdbc.Statements.execute;
import static org.dittofs.metadata.store.jdbc.Statements.query;
import static org.dittofs.metadata.store.jdbc.Statements.queryBoolean;
import static org.dittofs.metadata.store.jdbc.Statements.queryLong;
import static org.dittofs.metadata.store.jdbc.Statements.update;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.ClusterListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster node's membership on PostgreSQL (docs/cluster.md, "Nodes, partitions"): one connection
 * of its own, held for the node's life, whose session holds the session-level advisory lock
 * ({@value JdbcLockCluster#NODES}, the node's key) that says the node is alive; PostgreSQL drops it
 * when the session ends, at once for a killed process. The same session {@code LISTEN}s to the
 * node's channel, and a thread of its own polls it, beats the heartbeat ({@code
 * cluster_nodes.heartbeat_at}, database clock) and looks for dead nodes:
 *
 * <ul>
 *   <li>their queued requests are dropped (their callers died with them);
 *   <li>their registered clients are marked orphaned; a client whose lease (or pending ttl) has run
 *       out since is claimed by this node (one claim wins) and handed to {@code expired}.
 * </ul>
 *
 * If the session breaks (the database restarted, or this node was cut off longer than the server
 * keeps a silent session), the node has lost its liveness lock and may have been taken for dead:
 * the thread joins again every second until it succeeds, and then reports that notifications may
 * have been lost.
 *
 * <p><b>Fencing.</b> A node that is not sure it is a member grants nothing ({@link #requireMember}:
 * STORE_UNAVAILABLE) from the moment its membership session is found broken, or its last heartbeat
 * is older than {@link #fenceAfter}, until it has joined again. Its file transactions also carry
 * its fence ({@link ClusterFence}): no transaction of a node declared dead by another commits after
 * the declaration, whatever the node believes.
 *
 * <p>Concurrency: {@code connection}, {@code key}, {@code epoch}, {@code thread} and {@code
 * gracePeriod} are guarded by this object's monitor (join, listen, leave, rejoin); once the thread
 * runs, it alone uses the connection until {@code leaving} (volatile) stops it. {@code fence},
 * {@code broken} and {@code beatNanos} are volatile: written by join and the thread, read by every
 * file operation without a lock.
 */
final class ClusterMembership {
  private static final Logger LOG = LoggerFactory.getLogger("org.dittofs.metadata.cluster");

  /** How long the thread waits for notifications before it looks at its clock and flag again. */
  private static final int POLL_MILLIS = 100;

  private static final String THIS_DATABASE =
      " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

  private static final String LIVE_OTHERS =
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
          + " AND classid = "
          + JdbcLockCluster.NODES
          + THIS_DATABASE
          + " AND pid <> pg_backend_pid()";

  /** Nodes whose membership session is alive now (this one included), in SQL. */
  static final String LIVE_NODES =
      "SELECT n.node FROM cluster_nodes n WHERE EXISTS (SELECT 1 FROM pg_locks l"
          + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid = "
          + JdbcLockCluster.NODES
          + " AND l.objid = n.key::oid"
          + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))";

  private final DataSource dataSource;
  private final String node;
  private final ClusterNotifications notifications;
  private final Duration heartbeat;
  private final long fenceAfterNanos; // fenceAfter(), read by every file transaction
  private final Runnable dropDeadWaiters;
  private Connection connection;
  private Duration gracePeriod = Duration.ZERO;
  private long key;
  private long epoch;
  private Thread thread;
  private volatile boolean leaving;
  private volatile ClusterFence.Fence fence;
  private volatile boolean broken;
  private volatile long beatNanos;

  ClusterMembership(
      DataSource dataSource,
      String node,
      ClusterNotifications notifications,
      Duration heartbeat,
      Runnable dropDeadWaiters) {
    this.dataSource = dataSource;
    this.node = node;
    this.notifications = notifications;
    this.heartbeat = heartbeat;
    this.dropDeadWaiters = dropDeadWaiters;
    this.fenceAfterNanos = fenceAfter().toNanos();
  }

  /** See {@link org.dittofs.metadata.lock.spi.LockCluster#join}. */
  synchronized long join(Duration gracePeriod) {
    if (connection != null) {
      return epoch;
    }
    this.gracePeriod = gracePeriod;
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      throw unavailable("joining the cluster", e);
    }
    try {
      c.setAutoCommit(false);
      execute(c, "SELECT pg_advisory_xact_lock(" + JdbcLockCluster.MEMBERSHIP + ", 0)");
      long k = nodeKey(c);
      if (!queryBoolean(
          c, "SELECT pg_try_advisory_lock(" + JdbcLockCluster.NODES + ", " + k + ")")) {
        c.rollback();
        throw StoreErrors.invalidArgument(
            "cluster node id '"
                + node
                + "' is already live in this cluster; give each node its own");
      }
      if (queryLong(c, LIVE_OTHERS) == 0) {
        coldStart(c);
      } else {
        ClusterLife.fold(c, List.of(k)); // what an earlier incarnation of this node left
      }
      long ep = queryLong(c, "SELECT epoch FROM server_state WHERE id = 1");
      long incarnation =
          queryLong(
              c,
              "UPDATE cluster_nodes SET incarnation = incarnation + 1, started_at = now(),"
                  + " heartbeat_at = now(), left_at = NULL, dead_at = NULL WHERE node = ?"
                  + " RETURNING incarnation",
              node);
      c.commit();
      c.setAutoCommit(true); // notifications reach a session only between transactions
      connection = c;
      key = k;
      epoch = ep;
      beatNanos = System.nanoTime();
      fence = new ClusterFence.Fence(k, incarnation);
      broken = false;
    } catch (SQLException | RuntimeException e) {
      abandon(c);
      if (e instanceof StoreError se) {
        throw se;
      }
      throw unavailable("joining the cluster", e);
    }
    dropDeadWaiters.run(); // this node's from an earlier incarnation, and dead nodes'
    return epoch;
  }

  /**
   * The first node of a cluster with no live node: a new epoch, and the cluster's life started
   * again ({@link ClusterLife#coldStart}). A store that was never started had no last shutdown.
   */
  private void coldStart(Connection c) throws SQLException {
    boolean clean =
        queryBoolean(c, "SELECT epoch = 0 OR clean_shutdown FROM server_state WHERE id = 1");
    execute(c, "UPDATE server_state SET epoch = epoch + 1, clean_shutdown = FALSE WHERE id = 1");
    int[] restored = ClusterLife.coldStart(c, gracePeriod);
    LOG.info(
        "cluster node '"
            + node
            + "' starts the cluster"
            + (clean ? "" : " (its last node did not leave cleanly)")
            + (restored[0] + restored[1] == 0
                ? ": nothing to restore, no grace period"
                : ": grace period of "
                    + gracePeriod
                    + " for "
                    + restored[0]
                    + " locks and "
                    + restored[1]
                    + " opens left by the last run"));
  }

  /**
   * How long a node goes on granting without a successful heartbeat: five heartbeats, at least 10
   * seconds (a loaded machine delays a beat by seconds; a session known broken fences at once).
   */
  Duration fenceAfter() {
    Duration five = heartbeat.multipliedBy(5);
    return five.compareTo(Duration.ofSeconds(10)) > 0 ? five : Duration.ofSeconds(10);
  }

  /**
   * This node's fence for a file transaction, after checking that it may act as a member.
   *
   * @throws StoreError STORE_UNAVAILABLE if the node has not joined, its membership session is
   *     broken (until it has joined again), or its last heartbeat is older than {@link #fenceAfter}
   */
  ClusterFence.Fence requireMember() {
    ClusterFence.Fence f = fence;
    if (f == null || leaving) {
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE,
          "cluster node '" + node + "' is not a member of the cluster (not joined, or leaving)");
    }
    if (broken) {
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE,
          "cluster node '"
              + node
              + "' lost its membership session; it grants nothing until it has joined again");
    }
    long silent = System.nanoTime() - beatNanos;
    if (silent > fenceAfterNanos) {
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE,
          "cluster node '"
              + node
              + "' has not renewed its heartbeat for "
              + Duration.ofNanos(silent).toMillis()
              + " ms (at most "
              + fenceAfter().toMillis()
              + " ms); it grants nothing until it has");
    }
    return f;
  }

  /** See {@link org.dittofs.metadata.lock.spi.LockCluster#listen}. */
  void listen(ClusterListener listener) {
    Thread t;
    synchronized (this) {
      if (connection == null) {
        throw new IllegalStateException("node '" + node + "' listens only once it has joined");
      }
      if (thread != null) {
        return;
      }
      t = new Thread(() -> run(listener), "dittofs-cluster-" + node);
      t.setDaemon(true);
      thread = t;
    }
    t.start();
  }

  /** The membership thread: notifications, heartbeat, dead nodes; a broken session rejoins. */
  private void run(ClusterListener listener) {
    while (!leaving) {
      Connection c;
      long k;
      synchronized (this) {
        c = connection;
        k = key;
      }
      try {
        String mine = JdbcLockCluster.CHANNEL + k;
        execute(c, "LISTEN " + mine);
        execute(c, "LISTEN " + ClusterLife.GRACE_CHANNEL);
        execute(c, "LISTEN " + ClusterLife.QUOTA_CHANNEL);
        long nextBeat = 0;
        while (!leaving) {
          for (ClusterNotifications.Notification n : notifications.poll(c, POLL_MILLIS)) {
            if (n.channel().equals(mine)) {
              listener.changed(FileHandle.fromHex(n.payload()));
            } else if (!n.payload().equals(node)) {
              if (n.channel().equals(ClusterLife.GRACE_CHANNEL)) {
                listener.graceEnded();
              } else if (n.channel().equals(ClusterLife.QUOTA_CHANNEL)) {
                listener.quotaWanted();
              }
            }
          }
          if (System.nanoTime() - nextBeat >= 0) {
            beat(c, listener);
            nextBeat = System.nanoTime() + heartbeat.toNanos();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (leaving) {
          return;
        }
        broken = true; // fenced until it has joined again
        LOG.error("cluster node '" + node + "' lost its membership session; joining again: " + e);
        rejoin();
        listener.changed(null);
      }
    }
  }

  /** Joins again after the membership session broke, every second until it works. */
  private void rejoin() {
    while (!leaving) {
      synchronized (this) {
        if (connection != null) {
          abandon(connection);
          connection = null;
        }
      }
      try {
        join(gracePeriod);
        return;
      } catch (StoreError e) {
        LOG.warn("cluster node '" + node + "' cannot join: " + e);
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * One heartbeat: this node's {@code heartbeat_at}; dead nodes' queued requests dropped, their
   * clients marked orphaned, and each client whose time has come claimed and handed over.
   */
  private void beat(Connection c, ClusterListener listener) throws SQLException {
    if (update(c, "UPDATE cluster_nodes SET heartbeat_at = now() WHERE node = ?", node) == 1) {
      beatNanos = System.nanoTime();
    }
    boolean fenced = fenceDeadNodes(c);
    if (queryBoolean(
        c, "SELECT EXISTS (SELECT 1 FROM lock_waiters WHERE node NOT IN (" + LIVE_NODES + "))")) {
      dropDeadWaiters.run();
    }
    if (fenced) { // a dead node's clients are taken over once it cannot commit any more
      ClusterFence.takeOverClients(c, node, listener::expired);
    }
  }

  /**
   * Declares the nodes found dead ({@link ClusterFence#declareDead}), then ends the total-limit
   * leases of dead nodes and keeps their counts in the pool (SPEC 8); all under the membership
   * lock, so that no node rejoins meanwhile. Returns false if it could not (a lock wait ran out).
   */
  private boolean fenceDeadNodes(Connection c) throws SQLException {
    if (!ClusterFence.anyToFence(c)) {
      return true;
    }
    c.setAutoCommit(false);
    try {
      execute(c, "SELECT pg_advisory_xact_lock(" + JdbcLockCluster.MEMBERSHIP + ", 0)");
      ClusterFence.declareDead(c, node);
      ClusterLife.fold(c, ClusterLife.deadWithQuota(c));
      c.commit();
      return true;
    } catch (SQLException e) {
      c.rollback(); // throws if the session itself is broken: then the membership is renewed
      // a lock still held past lock_timeout (a dead node's transaction the server has not ended
      // yet): this node's membership is fine, the next heartbeat tries again
      LOG.warn("cluster node '" + node + "' could not fence the dead nodes yet: " + e);
      return false;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** See {@link org.dittofs.metadata.lock.spi.LockCluster#leave}. */
  void leave() {
    Thread t;
    Connection c;
    synchronized (this) {
      leaving = true;
      t = thread;
      c = connection;
    }
    if (t != null) {
      try {
        t.join(20L * POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      connection = null;
    }
    if (c == null) {
      return;
    }
    try {
      c.setAutoCommit(false);
      execute(c, "SELECT pg_advisory_xact_lock(" + JdbcLockCluster.MEMBERSHIP + ", 0)");
      execute(c, "UPDATE cluster_nodes SET left_at = now() WHERE node = ?", node);
      ClusterLife.fold(c, List.of(key));
      // not live from here on, for a node leaving at the same time: it counts the live nodes once
      // this transaction ends, and would still see this session's liveness lock if it were held
      // until the session is handed back; then neither would be the last and mark it clean
      execute(c, "SELECT pg_advisory_unlock(" + JdbcLockCluster.NODES + ", " + key + ")");
      if (queryLong(c, LIVE_OTHERS) == 0) {
        // the last node to leave: the cluster's shutdown was clean
        execute(c, "UPDATE server_state SET clean_shutdown = TRUE WHERE id = 1");
      }
      c.commit();
    } catch (SQLException e) {
      // the session is gone or going: its liveness lock goes with it
    } finally {
      abandon(c);
    }
  }

  /** The node's key, registering the node on its first join. */
  private long nodeKey(Connection c) throws SQLException {
    List<Long> key =
        query(c, "SELECT key FROM cluster_nodes WHERE node = ?", rs -> rs.getLong(1), node);
    if (!key.isEmpty()) {
      return key.get(0);
    }
    return queryLong(
        c,
        "INSERT INTO cluster_nodes (node, key, incarnation, started_at, heartbeat_at)"
            + " VALUES (?, nextval('cluster_node_keys'), 0, now(), now()) RETURNING key",
        node);
  }

  /** Ends a membership session's hold: session locks are released, the connection closed. */
  private static void abandon(Connection c) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      execute(c, "SELECT pg_advisory_unlock_all()");
    } catch (SQLException e) {
      // a broken session: the server releases its locks when it ends
    }
    try {
      c.close();
    } catch (SQLException e) {
      // nothing more to release
    }
  }

  private StoreError unavailable(String what, Throwable cause) {
    return new StoreError(
        ErrorCode.STORE_UNAVAILABLE,
        "cluster node '" + node + "': " + what + " failed: " + cause.getMessage(),
        cause);
  }
}
