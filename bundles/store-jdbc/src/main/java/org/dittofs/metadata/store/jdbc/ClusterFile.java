package org.dittofs.metadata.store.jdbc;

import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.ClusterClient;
import org.dittofs.metadata.lock.spi.FileTransaction;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.spi.QueuedRequest;
import org.dittofs.metadata.lock.spi.WaitEdge;

/**
 * One file's state during one cluster operation ({@link JdbcLockCluster}): its version as read
 * under the file's lock, its records and queued requests on demand, and the buffers of the
 * operation's writes (records, queued requests, wait-for edges, notifications), each put checked
 * when written so that a value the database cannot hold is refused before the lock manager changes
 * anything. {@link #commitWrites} sends them, in one transaction with the new version. Confined to
 * the operation's thread; usable only until the work returns.
 */
final class ClusterFile implements FileTransaction {
  /** The advisory lock (two keys) of the cluster's wait-for graph. */
  static final String GRAPH_LOCK = "SELECT pg_advisory_xact_lock(2003, 0)";

  private static final String NEW_VERSION =
      "INSERT INTO lock_files (handle, version) VALUES (?, nextval('lock_versions'))"
          + " ON CONFLICT (handle) DO UPDATE SET version = EXCLUDED.version RETURNING version";

  /**
   * The new version together with the node's count of its own changes (ClusterLife), in the same
   * round trip.
   */
  private static final String NEW_VERSION_COUNTED =
      "WITH counted AS (INSERT INTO cluster_usage (node_key, shard, records) VALUES (?, ?, ?)"
          + " ON CONFLICT (node_key, shard) DO UPDATE"
          + " SET records = cluster_usage.records + EXCLUDED.records) "
          + NEW_VERSION;

  /**
   * A registered client's node and whether it is a courtesy client (V6): its node said so, or its
   * node is dead and its lease has run out since (a pending ttl release is no courtesy: the client
   * unregistered).
   */
  private static final String CLIENT =
      "SELECT node, courtesy_at IS NOT NULL OR (release_at IS NULL AND node NOT IN ("
          + ClusterMembership.LIVE_NODES
          + ") AND orphaned_at + lease_millis * interval '1 millisecond' <= now())"
          + " FROM cluster_clients WHERE client_id = ? AND adapter = ?";

  /** Shards of a node's count: its operations on files of different shards do not wait. */
  static final int USAGE_SHARDS = 64;

  private final JdbcTransaction tx;
  private final FileHandle file;
  private final long version;
  private final boolean writable;
  private final long nodeKey;
  private final boolean courtesyAnywhere;
  private long counted;
  private final List<LockStoreOp> writes = new ArrayList<>();
  private final Map<String, QueuedRequest> putWaiters = new LinkedHashMap<>();
  private final Set<String> deletedWaiters = new LinkedHashSet<>();
  private final Map<String, Set<String>> edges = new LinkedHashMap<>(); // waiter -> blockers
  private final Map<String, String> edgeOwners = new LinkedHashMap<>();
  private final Set<String> notified = new LinkedHashSet<>();
  private final Map<String, ClusterClient> seen = new HashMap<>(); // client standings read
  private final Map<String, ClusterClient> held = new HashMap<>(); // ... and held (FOR SHARE)
  private boolean graphHeld;
  private boolean ended;

  ClusterFile(
      JdbcTransaction tx,
      FileHandle file,
      long version,
      boolean writable,
      long nodeKey,
      boolean courtesyAnywhere) {
    this.courtesyAnywhere = courtesyAnywhere;
    this.nodeKey = nodeKey;
    this.tx = tx;
    this.file = file;
    this.version = version;
    this.writable = writable;
  }

  @Override
  public long version() {
    return version;
  }

  @Override
  public List<PersistedLock> records() {
    alive();
    return tx.listLocks(LockQuery.byFile(file));
  }

  @Override
  public void write(List<LockStoreOp> ops) {
    writable("write");
    for (LockStoreOp op : ops) {
      if (op instanceof LockStoreOp.Put p) {
        mine(p.record());
        tx.check(p.record());
      }
    }
    writes.addAll(ops);
  }

  @Override
  public List<QueuedRequest> waiters() {
    alive();
    return tx.sql()
        .query(
            "read queued requests",
            QueuedRows.SELECT + " WHERE file = ?",
            QueuedRows::read,
            file.bytes());
  }

  @Override
  public void putWaiter(QueuedRequest w) {
    writable("putWaiter");
    mine(w.request());
    tx.check(w.request());
    deletedWaiters.remove(w.id());
    putWaiters.put(w.id(), w);
    if (w.state() != QueuedRequest.State.WAITING) { // it waits no more: no edges
      edges.put(w.id(), Set.of());
      edgeOwners.put(w.id(), w.request().owner());
    }
  }

  @Override
  public void deleteWaiter(String id) {
    writable("deleteWaiter");
    putWaiters.remove(id);
    deletedWaiters.add(id);
    edges.remove(id);
    edgeOwners.remove(id);
  }

  @Override
  public void notify(String node) {
    writable("notify");
    notified.add(node);
  }

  @Override
  public List<WaitEdge> waitEdges() {
    writable("waitEdges");
    holdGraph();
    List<WaitEdge> out = new ArrayList<>();
    for (WaitEdge e :
        tx.sql()
            .query(
                "read the wait-for graph",
                "SELECT waiter, owner, blocker FROM lock_wait_edges",
                rs -> new WaitEdge(rs.getString(1), rs.getString(2), rs.getString(3)))) {
      if (!edges.containsKey(e.waiter()) && !deletedWaiters.contains(e.waiter())) {
        out.add(e);
      }
    }
    edges.forEach(
        (w, blockers) -> blockers.forEach(b -> out.add(new WaitEdge(w, edgeOwners.get(w), b))));
    return out;
  }

  @Override
  public void setWaitEdges(String waiter, String owner, Set<String> blockers) {
    writable("setWaitEdges");
    holdGraph();
    edges.put(waiter, new LinkedHashSet<>(blockers));
    edgeOwners.put(waiter, owner);
  }

  @Override
  public ClusterClient client(String clientId, String adapter, boolean hold) {
    if (hold) {
      writable("client (held)");
    } else {
      alive();
    }
    if (!JdbcLockCluster.storable(clientId, adapter)) {
      return null; // never stored: registered nowhere
    }
    String k = clientId + "\n" + adapter;
    if (held.containsKey(k) || (!hold && seen.containsKey(k))) {
      return held.containsKey(k) ? held.get(k) : seen.get(k);
    }
    List<ClusterClient> rows =
        tx.sql()
            .query(
                hold ? "hold a client's standing" : "read a client's standing",
                CLIENT + (hold ? " FOR SHARE" : ""),
                rs -> new ClusterClient(rs.getString(1), rs.getBoolean(2)),
                clientId,
                adapter);
    ClusterClient c = rows.isEmpty() ? null : rows.get(0);
    (hold ? held : seen).put(k, c);
    return c;
  }

  @Override
  public boolean courtesyAnywhere() {
    return courtesyAnywhere;
  }

  @Override
  public void countLocks(long delta) {
    writable("countLocks");
    counted += delta;
  }

  /** Whether the operation changed the file's state (its version must move). */
  boolean changesFile() {
    return !writes.isEmpty() || !putWaiters.isEmpty() || !deletedWaiters.isEmpty();
  }

  /**
   * Sends every buffered write, then the file's new version if its state changed, and the
   * notifications (delivered at commit). Returns the file's version after the commit.
   */
  long commitWrites() {
    if (!writes.isEmpty()) {
      tx.apply(writes);
    }
    if (!deletedWaiters.isEmpty() || !edges.isEmpty()) {
      holdGraph(); // edges change only under the graph's lock, removals too (no false deadlock)
    }
    tx.sql()
        .run(
            "write queued requests and wait-for edges",
            c -> {
              if (!deletedWaiters.isEmpty()) {
                try (PreparedStatement w =
                        c.prepareStatement("DELETE FROM lock_waiters WHERE id = ?");
                    PreparedStatement e =
                        c.prepareStatement("DELETE FROM lock_wait_edges WHERE waiter = ?")) {
                  for (String id : deletedWaiters) {
                    w.setString(1, id);
                    w.addBatch();
                    e.setString(1, id);
                    e.addBatch();
                  }
                  w.executeBatch();
                  e.executeBatch();
                }
              }
              if (!putWaiters.isEmpty()) {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        Dialect.POSTGRESQL.upsert("lock_waiters", "id", QueuedRows.COLUMNS))) {
                  for (QueuedRequest w : putWaiters.values()) {
                    QueuedRows.bind(ps, w);
                    ps.addBatch();
                  }
                  ps.executeBatch();
                }
              }
              if (!edges.isEmpty()) {
                try (PreparedStatement del =
                        c.prepareStatement("DELETE FROM lock_wait_edges WHERE waiter = ?");
                    PreparedStatement ins =
                        c.prepareStatement(
                            "INSERT INTO lock_wait_edges (waiter, owner, blocker) VALUES (?, ?, ?)")) {
                  for (Map.Entry<String, Set<String>> e : edges.entrySet()) {
                    del.setString(1, e.getKey());
                    del.addBatch();
                    for (String b : e.getValue()) {
                      ins.setString(1, e.getKey());
                      ins.setString(2, edgeOwners.get(e.getKey()));
                      ins.setString(3, b);
                      ins.addBatch();
                    }
                  }
                  del.executeBatch();
                  ins.executeBatch();
                }
              }
              if (!notified.isEmpty()) {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "SELECT pg_notify('"
                            + JdbcLockCluster.CHANNEL
                            + "' || key, ?)"
                            + " FROM cluster_nodes WHERE node = ?")) {
                  for (String node : notified) {
                    ps.setString(1, file.toHex());
                    ps.setString(2, node);
                    ps.executeQuery().close();
                  }
                }
              }
              return null;
            });
    if (!changesFile()) {
      return version;
    }
    if (counted != 0) {
      return tx.sql()
          .query(
              "new file version",
              NEW_VERSION_COUNTED,
              rs -> rs.getLong(1),
              nodeKey,
              (long) Math.floorMod(FileKeys.key(file), USAGE_SHARDS),
              counted,
              file.bytes())
          .get(0);
    }
    return tx.sql()
        .query("new file version", NEW_VERSION, rs -> rs.getLong(1), file.bytes())
        .get(0);
  }

  /** The work returned: later calls are refused. */
  void end() {
    ended = true;
  }

  private void holdGraph() {
    if (!graphHeld) {
      tx.sql().query("hold the wait-for graph", GRAPH_LOCK, rs -> 0);
      graphHeld = true;
    }
  }

  private void mine(PersistedLock r) {
    if (!r.file().equals(file)) {
      throw new IllegalStateException(
          "a write of file " + r.file().toHex() + " in an operation on " + file.toHex());
    }
  }

  private void writable(String what) {
    alive();
    if (!writable) {
      throw new IllegalStateException(what + " in a read of file " + file.toHex());
    }
  }

  private void alive() {
    if (ended) {
      throw new IllegalStateException(
          "file transaction of " + file.toHex() + " used after its work");
    }
  }
}
