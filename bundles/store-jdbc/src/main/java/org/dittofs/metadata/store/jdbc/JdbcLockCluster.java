package org.dittofs.metadata.store.jdbc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.spi.ClusterListener;
import org.dittofs.metadata.lock.spi.ClusterNode;
import org.dittofs.metadata.lock.spi.FileWork;
import org.dittofs.metadata.lock.spi.GraceState;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.spi.LockCluster.GraceEnd;
import org.dittofs.metadata.lock.spi.QueuedRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode on PostgreSQL (docs/cluster.md): the lock records of one database shared by several
 * servers as one lock space.
 *
 * <ul>
 *   <li>A file's operation ({@link #onFile}) is one transaction on a pooled connection, in READ
 *       COMMITTED (the pool sets it): {@code pg_advisory_xact_lock(key)} with the file's 64-bit key
 *       ({@link FileKeys}), then, in a statement of its own (so its snapshot is taken after the
 *       lock was granted and sees the previous holder's commit), the file's version from {@code
 *       lock_files}; the lock manager's work with a {@link ClusterFile}; the buffered writes, the
 *       file's new version from the sequence {@code lock_versions}, and the commit. The advisory
 *       lock goes with the transaction, at commit, rollback or the end of the session.
 *   <li>A read ({@link #read}) is the same without the advisory lock.
 *   <li>Membership ({@link ClusterMembership}): a node is alive while its membership connection
 *       holds the session-level advisory lock ({@value #NODES}, its key); PostgreSQL releases it
 *       when the session ends, at once for a killed process. {@link #join} runs under the
 *       transaction-level lock ({@value #MEMBERSHIP}, 0): a node that finds no other node alive
 *       starts the cluster and moves it to a new epoch.
 *   <li>Clients ({@code cluster_clients}): a registered client belongs to the node it last
 *       registered at; a dead node's clients are released by a live node after their lease.
 *   <li>Waiting (SPEC 5): queued requests are rows of {@code lock_waiters}, part of the file's
 *       state; the wait-for graph is {@code lock_wait_edges} under the advisory lock (2003, 0)
 *       ({@link ClusterFile}). A node is told about its waiters that another node decided by {@code
 *       NOTIFY} on its channel ({@value #CHANNEL} and its key), which its membership session {@code
 *       LISTEN}s to ({@link #listen}). Queued requests of nodes that are not alive are deleted when
 *       a node joins and by every heartbeat that finds some.
 * </ul>
 *
 * <p>Failures of the database are STORE_UNAVAILABLE, with what failed and why; a file still held by
 * another node's transaction after the connection's {@code lock_timeout} is STORE_UNAVAILABLE
 * naming that.
 *
 * <p>Concurrency: thread-safe. Operations share nothing but the pool; the membership guards its own
 * state.
 */
public final class JdbcLockCluster implements LockCluster {
  /** First key of the two-key advisory locks that serialize joins and leaves. */
  static final int MEMBERSHIP = 2001;

  /** First key of the two-key advisory locks that say a node is alive (second key: its key). */
  static final int NODES = 2002;

  /** Prefix of a node's notification channel; the node's key follows. */
  static final String CHANNEL = "dittofs_node_";

  private static final Logger LOG = LoggerFactory.getLogger("org.dittofs.metadata.cluster");

  /** How often a node beats its heartbeat and looks for dead nodes, unless told otherwise. */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);

  private final DataSource dataSource;
  private final String node;
  private final ClusterMembership membership;
  private final ClusterSql sql;
  private final ClusterLife life;

  /**
   * A cluster over the PostgreSQL database behind {@code dataSource} (its schema migrated), for the
   * node {@code node}, beating its heartbeat every {@code heartbeat}.
   *
   * @throws StoreError INVALID_ARGUMENT for an empty node id or one longer than 255 characters, or
   *     a heartbeat that is not positive
   */
  public JdbcLockCluster(
      DataSource dataSource, String node, ClusterNotifications notifications, Duration heartbeat) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(notifications, "notifications");
    if (node == null || node.isBlank() || node.length() > 255) {
      throw StoreErrors.invalidArgument(
          "a cluster node id must have 1 to 255 characters, got '" + node + "'");
    }
    String why = Dialect.POSTGRESQL.unstorable(node);
    if (why != null) {
      throw StoreErrors.invalidArgument("cluster node id cannot be stored: " + why);
    }
    if (heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()) {
      throw StoreErrors.invalidArgument("a cluster heartbeat must be positive, got " + heartbeat);
    }
    this.node = node;
    this.sql = new ClusterSql(dataSource, node);
    this.life = new ClusterLife(sql);
    this.membership =
        new ClusterMembership(dataSource, node, notifications, heartbeat, this::dropDeadWaiters);
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public long join(Duration gracePeriod) {
    return membership.join(Objects.requireNonNull(gracePeriod, "gracePeriod"));
  }

  /**
   * Deletes the queued requests whose waiters are gone: those of nodes that are not alive, and this
   * node's own from an earlier incarnation (it has queued nothing yet). File by file, each under
   * the file's lock and the graph's, so the file's version moves and the nodes that wait on the
   * file are told (their waiters may be free now). Liveness is read inside each file's transaction,
   * so a node that joins meanwhile keeps its requests.
   */
  private void dropDeadWaiters() {
    List<FileHandle> files =
        inTransaction(
            "finding queued requests of dead nodes",
            tx ->
                tx.sql()
                    .query(
                        "files with queued requests of dead nodes",
                        "SELECT DISTINCT file FROM lock_waiters WHERE node = ? OR node NOT IN ("
                            + ClusterMembership.LIVE_NODES
                            + ")",
                        rs -> FileHandle.of(rs.getBytes(1)),
                        node));
    for (FileHandle f : files) {
      JdbcTransaction tx = begin("dropping queued requests of dead nodes");
      try {
        SqlTransaction sql = tx.sql();
        sql.query("hold file", "SELECT pg_advisory_xact_lock(?)", rs -> 0, FileKeys.key(f));
        List<String> live =
            sql.query("live nodes", ClusterMembership.LIVE_NODES, rs -> rs.getString(1));
        ClusterFile file = new ClusterFile(tx, f, 0, true, 0, true);
        for (QueuedRequest w : file.waiters()) {
          if (w.node().equals(node) || !live.contains(w.node())) {
            file.deleteWaiter(w.id());
          } else if (w.state() == QueuedRequest.State.WAITING) {
            file.notify(w.node());
          }
        }
        file.commitWrites();
        tx.commit();
      } catch (StoreError e) {
        LOG.warn(
            "cluster node '"
                + node
                + "': queued requests of dead nodes on "
                + f.toHex()
                + " stay until the next try: "
                + e.getMessage());
      } finally {
        tx.close();
      }
    }
  }

  @Override
  public void listen(ClusterListener listener) {
    membership.listen(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public GraceState grace() {
    return life.grace();
  }

  @Override
  public boolean reclaimComplete(String clientId, String adapter) {
    return life.reclaimComplete(clientId, adapter);
  }

  @Override
  public boolean graceProgress(int reclaims) {
    return life.graceProgress(reclaims);
  }

  @Override
  public List<FileHandle> endGrace(GraceEnd why) {
    return life.endGrace(Objects.requireNonNull(why, "why"));
  }

  @Override
  public long leaseQuota(long need, long max) {
    return life.leaseQuota(need, max);
  }

  @Override
  public void returnQuota(long n) {
    life.returnQuota(n);
  }

  @Override
  public void wantQuota() {
    life.wantQuota();
  }

  @Override
  public List<ClusterNode> nodes() {
    return inTransaction(
        "listing the cluster's nodes",
        tx ->
            tx.sql()
                .query(
                    "list nodes",
                    "SELECT n.node, n.node IN ("
                        + ClusterMembership.LIVE_NODES
                        + "), n.incarnation, n.started_at, n.heartbeat_at, (SELECT count(*) FROM"
                        + " cluster_clients c WHERE c.node = n.node) FROM cluster_nodes n"
                        + " ORDER BY n.node",
                    rs ->
                        new ClusterNode(
                            rs.getString(1),
                            rs.getBoolean(2),
                            rs.getLong(3),
                            rs.getTimestamp(4).toInstant(),
                            rs.getTimestamp(5).toInstant(),
                            rs.getInt(6))));
  }

  @Override
  public Map<LockClient, String> clientNodes() {
    Map<LockClient, String> out = new HashMap<>();
    inTransaction(
        "listing the clients' nodes",
        tx ->
            tx.sql()
                .query(
                    "clients' nodes",
                    "SELECT client_id, adapter, node FROM cluster_clients",
                    rs ->
                        out.put(
                            new LockClient(rs.getString(1), rs.getString(2)), rs.getString(3))));
    return out;
  }

  @Override
  public void leave() {
    membership.leave();
  }

  @Override
  public <T> T onFile(FileHandle file, FileWork<T> work) {
    return run(file, work, true);
  }

  @Override
  public <T> T read(FileHandle file, FileWork<T> work) {
    return run(file, work, false);
  }

  private <T> T run(FileHandle file, FileWork<T> work, boolean hold) {
    Objects.requireNonNull(file, "file");
    ClusterFence.Fence fence = membership.requireMember();
    JdbcTransaction tx = begin(hold ? "holding file " + file.toHex() : "reading file");
    try {
      ClusterFence.FileVersion read;
      try {
        read = ClusterFence.version(tx.sql(), file, hold ? fence : null);
      } catch (StoreError e) {
        throw unavailable((hold ? "holding" : "reading") + " file " + file.toHex(), e);
      }
      if (read.version() < 0) {
        throw ClusterFence.declaredDead(node, fence);
      }
      ClusterFile f = new ClusterFile(tx, file, read.version(), hold, fence.key(), read.courtesy());
      T result = null;
      RuntimeException refusal = null;
      try {
        result = work.run(f);
      } catch (RuntimeException e) {
        refusal = e; // what was written on the way is committed all the same
      } finally {
        f.end();
      }
      long now;
      try {
        now = f.commitWrites();
        tx.commit();
      } catch (StoreError e) {
        StoreError u = unavailable("committing on file " + file.toHex(), e);
        if (refusal != null) {
          u.addSuppressed(refusal);
        }
        throw u;
      }
      work.settled(now);
      if (refusal != null) {
        throw refusal;
      }
      return result;
    } finally {
      tx.close();
    }
  }

  @Override
  public long idBlock(int size) {
    if (size < 1) {
      throw StoreErrors.invalidArgument("an id block needs at least one id, got " + size);
    }
    return inTransaction(
        "taking an id block",
        tx ->
            tx.sql()
                .query(
                    "take id block",
                    "UPDATE cluster_ids SET next = next + ? WHERE id = 1 RETURNING next - ?",
                    rs -> rs.getLong(1),
                    (long) size,
                    (long) size)
                .get(0));
  }

  @Override
  public List<FileHandle> filesOf(String clientId, String adapter) {
    if (clientId == null || adapter == null) {
      throw StoreErrors.invalidArgument("filesOf needs a client id and an adapter");
    }
    if (!storable(clientId, adapter)) {
      return new ArrayList<>(); // never stored
    }
    return inTransaction(
        "listing the files of client " + clientId,
        tx ->
            tx.sql()
                .query(
                    "files of client",
                    "SELECT file FROM locks WHERE client_id = ? AND adapter = ?"
                        + " UNION SELECT file FROM lock_waiters WHERE client_id = ? AND adapter = ?"
                        + " AND state = 'WAITING'",
                    rs -> FileHandle.of(rs.getBytes(1)),
                    clientId,
                    adapter,
                    clientId,
                    adapter));
  }

  @Override
  public void clientRegistered(String clientId, String adapter, Duration lease) {
    clientUpdate(
        clientId,
        adapter,
        "registering client " + clientId,
        "INSERT INTO cluster_clients (client_id, adapter, node, lease_millis) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (client_id, adapter) DO UPDATE SET node = EXCLUDED.node,"
            + " lease_millis = EXCLUDED.lease_millis, release_at = NULL, orphaned_at = NULL,"
            + " courtesy_at = NULL",
        clientId,
        adapter,
        node,
        lease.toMillis());
  }

  @Override
  public void clientUnregistered(String clientId, String adapter, Duration ttl) {
    clientUpdate(
        clientId,
        adapter,
        "unregistering client " + clientId,
        "UPDATE cluster_clients SET release_at = now() + ? * interval '1 millisecond',"
            + " courtesy_at = NULL WHERE client_id = ? AND adapter = ? AND node = ?",
        ttl.toMillis(),
        clientId,
        adapter,
        node);
  }

  @Override
  public boolean mayRelease(String clientId, String adapter) {
    if (!storable(clientId, adapter)) {
      return true;
    }
    return inTransaction(
        "looking up client " + clientId,
        tx ->
            tx
                .sql()
                .query(
                    "client's node",
                    "SELECT node FROM cluster_clients WHERE client_id = ? AND adapter = ?",
                    rs -> rs.getString(1),
                    clientId,
                    adapter)
                .stream()
                .allMatch(node::equals));
  }

  @Override
  public boolean clientCourtesy(String clientId, String adapter, boolean courtesy) {
    if (!storable(clientId, adapter)) {
      return true; // never stored: nobody else can see it
    }
    String what = (courtesy ? "marking" : "clearing") + " courtesy client " + clientId;
    return inTransaction(
        what,
        tx ->
            tx.sql()
                    .update(
                        what,
                        "UPDATE cluster_clients SET courtesy_at = CASE WHEN ? THEN"
                            + " coalesce(courtesy_at, now()) END"
                            + " WHERE client_id = ? AND adapter = ? AND node = ?",
                        courtesy,
                        clientId,
                        adapter,
                        node)
                == 1);
  }

  @Override
  public void clientReleased(String clientId, String adapter) {
    clientUpdate(
        clientId,
        adapter,
        "forgetting client " + clientId,
        "DELETE FROM cluster_clients WHERE client_id = ? AND adapter = ? AND node = ?",
        clientId,
        adapter,
        node);
  }

  /**
   * One statement on the row of client ({@code clientId}, {@code adapter}); nothing for ids the
   * database cannot hold (they were never stored).
   */
  private void clientUpdate(
      String clientId, String adapter, String what, String sql, Object... params) {
    if (storable(clientId, adapter)) {
      inTransaction(what, tx -> tx.sql().update(what, sql, params));
    }
  }

  static boolean storable(String clientId, String adapter) {
    return Dialect.POSTGRESQL.unstorable(clientId) == null
        && Dialect.POSTGRESQL.unstorable(adapter) == null;
  }

  @Override
  public List<FileHandle> files() {
    return inTransaction(
        "listing the files with records",
        tx ->
            tx.sql()
                .query(
                    "files with records",
                    "SELECT DISTINCT file FROM locks",
                    rs -> FileHandle.of(rs.getBytes(1))));
  }

  @Override
  public long lockCount() {
    return count("locks", "SELECT count(*) FROM locks WHERE kind = 'LOCK'");
  }

  @Override
  public long openCount() {
    return count("opens", "SELECT count(*) FROM locks WHERE kind = 'OPEN'");
  }

  @Override
  public long waiterCount() {
    return count("waiters", "SELECT count(*) FROM lock_waiters WHERE state = 'WAITING'");
  }

  /** One count over the whole cluster's rows: a single statement, whatever the number of files. */
  private long count(String what, String sql) {
    return inTransaction(
        "counting " + what, tx -> tx.sql().query("count " + what, sql, rs -> rs.getLong(1)).get(0));
  }

  private <T> T inTransaction(String what, java.util.function.Function<JdbcTransaction, T> work) {
    return sql.inTransaction(what, work);
  }

  private JdbcTransaction begin(String what) {
    return sql.begin(what);
  }

  private StoreError unavailable(String what, Throwable cause) {
    return sql.unavailable(what, cause);
  }
}
