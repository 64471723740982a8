package org.dittofs.metadata.lock.internal;

import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.spi.ClusterClient;
import org.dittofs.metadata.lock.spi.FileTransaction;

/**
 * Whose conflicting state a request revokes (SPEC 9): a courtesy client's, a registered client
 * silent for longer than the lease. Locks ({@link ConflictSearch}) and opens ({@link
 * ShareReservations}) ask here, so they decide alike.
 *
 * <p>On one node the {@link ClientRegistry} knows. In cluster mode (docs/cluster.md, SPEC 9) a
 * client's lease is known at the node it belongs to, which tells the cluster when it becomes a
 * courtesy client and when it is heard of again ({@link ClusterCourtesy}); every node reads that in
 * the file's transaction ({@link FileTransaction#client}):
 *
 * <ul>
 *   <li>a client registered here and heard of within the lease is no courtesy client anywhere (it
 *       is silent elsewhere for at least as long): no database read, the usual case of a conflict
 *       between this node's clients; nor is any client that is not one here while no client of the
 *       cluster is marked or orphaned ({@link FileTransaction#courtesyAnywhere}, read with the
 *       file's version): no database read either, the usual case of a conflict across nodes;
 *   <li>a client of this node (as the cluster says) is a courtesy client when this node's lease
 *       says so; one of another node when the cluster says so; one registered nowhere when this
 *       node's registry says so (it never does for a client that never registered here);
 *   <li>to revoke, the standing is read again and held until the revocation commits (so the
 *       client's node cannot renew it in between, nor the client register elsewhere), and the
 *       client's node, if another, is told about the file: it reloads it and knows its client lost
 *       that state.
 * </ul>
 *
 * <p>Concurrency: no state of its own; called under a file table's monitor, inside the file's
 * operation.
 */
final class CourtesyClients {
  private final ClientRegistry clients;
  private final String node; // cluster mode: this node's id; null on one node
  private final CurrentFile current; // cluster mode; null on one node

  /** On one node: the registry decides. */
  CourtesyClients(ClientRegistry clients) {
    this(clients, null, null);
  }

  /** In cluster mode ({@code node} non-null): the cluster's standing of the client decides. */
  CourtesyClients(ClientRegistry clients, String node, CurrentFile current) {
    this.clients = clients;
    this.node = node;
    this.current = current;
  }

  /**
   * Whether {@code held}'s state may be revoked for a request of {@code requester}: another client,
   * and a courtesy client. With {@code revoking} the caller revokes it if so (in a write).
   */
  boolean revocable(LockClient held, LockClient requester, boolean revoking) {
    if (held.equals(requester)) {
      return false;
    }
    boolean here = clients.isCourtesy(held);
    if (node == null) {
      return here;
    }
    ClientState s = clients.get(held);
    if (s != null && s.registered && !here) {
      return false;
    }
    FileTransaction tx = current.viewed();
    if (tx == null || (!here && !tx.courtesyAnywhere())) {
      return false; // outside a coordinated operation nothing is revoked; no courtesy elsewhere
    }
    if (!courtesy(tx.client(held.id(), held.adapter(), false), here)) {
      return false;
    }
    if (!revoking) {
      return true;
    }
    ClusterClient c = tx.client(held.id(), held.adapter(), true);
    if (!courtesy(c, here)) {
      return false;
    }
    if (c != null && !c.node().equals(node)) {
      tx.notify(c.node());
    }
    return true;
  }

  private boolean courtesy(ClusterClient c, boolean here) {
    return c == null || c.node().equals(node) ? here : c.courtesy();
  }
}
