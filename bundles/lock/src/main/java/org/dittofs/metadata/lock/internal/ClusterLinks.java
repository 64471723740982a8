package org.dittofs.metadata.lock.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.spi.FileTransaction;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.spi.QueuedRequest;
import org.dittofs.metadata.lock.spi.WaitEdge;

/**
 * The {@link WaitLinks} of cluster mode (docs/cluster.md, SPEC 5), written into the current file
 * operation's transaction ({@link CurrentFile}):
 *
 * <ul>
 *   <li>A waiter's edges: the cluster's whole graph is read (which holds it for the operation, so
 *       the check and the edges commit together), the single-node {@link WaitForGraph} check runs
 *       on it, and the new edges are written.
 *   <li>A local waiter is a queued-request row of this node, registered in {@link ClusterWaits}
 *       until it is answered; leaving the queue deletes its row and answers it after the commit.
 *   <li>A remote waiter leaving the queue (granted here, or failed) gets its outcome in its row,
 *       and its node is notified after the commit; that node answers it.
 * </ul>
 *
 * <p>Concurrency: no state of its own; called under the table's monitor inside the file's
 * coordinated operation.
 */
final class ClusterLinks implements WaitLinks {
  private final String node;
  private final CurrentFile current;
  private final ClusterWaits waits;

  ClusterLinks(String node, CurrentFile current, ClusterWaits waits) {
    this.node = node;
    this.current = current;
    this.waits = waits;
  }

  @Override
  public List<LockOwner> setBlockers(FileLockTable t, Waiter w, Set<LockOwner> blockers) {
    FileTransaction tx = current.get();
    String id = w.id().toString();
    WaitForGraph graph = new WaitForGraph();
    Map<String, Set<LockOwner>> edges = new HashMap<>();
    Map<String, LockOwner> owners = new HashMap<>();
    for (WaitEdge e : tx.waitEdges()) {
      edges.computeIfAbsent(e.waiter(), x -> new HashSet<>()).add(LockOwner.of(e.blocker()));
      owners.put(e.waiter(), LockOwner.of(e.owner()));
    }
    edges.forEach((waiter, to) -> graph.put(waiter, owners.get(waiter), to));
    LockOwner owner = w.request().owner();
    List<LockOwner> cycle = graph.setBlockers(id, owner, blockers);
    if (cycle == null) {
      Set<String> to = new HashSet<>();
      for (LockOwner b : blockers) {
        if (!b.equals(owner)) {
          to.add(b.id());
        }
      }
      tx.setWaitEdges(id, owner.id(), to);
    }
    return cycle;
  }

  @Override
  public void queued(FileLockTable t, Waiter w) {
    current.get().putWaiter(row(w));
    waits.register(w);
  }

  @Override
  public void granted(FileLockTable t, Waiter w, Lock l, Deferred d) {
    FileTransaction tx = current.get();
    if (w.isLocal()) {
      tx.deleteWaiter(w.id().toString());
      d.later(() -> waits.unregister(w));
      d.complete(w, l);
    } else {
      tx.putWaiter(row(w).grantedWith(PersistedLock.of(l)));
      tx.notify(w.node());
    }
  }

  @Override
  public void failed(FileLockTable t, Waiter w, StoreError error, Deferred d) {
    FileTransaction tx = current.get();
    if (w.isLocal()) {
      tx.deleteWaiter(w.id().toString());
      d.later(() -> waits.unregister(w));
      d.fail(w, error);
    } else {
      tx.putWaiter(row(w).failedWith(error.code().name(), error.getMessage()));
      tx.notify(w.node());
    }
  }

  @Override
  public int edges() {
    return -1; // in the cluster's database
  }

  /** The row of a waiting request. */
  private QueuedRequest row(Waiter w) {
    return QueuedRequest.waiting(PersistedLock.of(w.asLock()), w.isLocal() ? node : w.node());
  }
}
