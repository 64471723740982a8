package org.dittofs.metadata.lock.spi;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The committed state of one file during one {@link FileWork}, and the buffer of its writes.
 * Implemented by cluster stores; valid only during {@link FileWork#run}, on its thread.
 */
@ConsumerType
public interface FileTransaction {

  /**
   * The version of the file's state as committed before this operation: it changes with every
   * commit that changes the file's records and is never reused, so a cached copy tagged with a
   * version is current exactly when the versions are equal. 0 for a file whose records were never
   * written in cluster mode.
   */
  long version();

  /**
   * The file's records (locks and opens) as committed, read from the store.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if they cannot be read
   */
  List<PersistedLock> records();

  /**
   * Adds writes of this file's records, in order, to what is committed when the operation ends.
   * Values are checked now.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT for a value the store cannot
   *     hold (nothing buffered then)
   * @throws IllegalStateException in a {@link LockCluster#read}
   */
  void write(List<LockStoreOp> ops);

  /**
   * The file's queued requests, as committed, in any order (the queue's order is their ids').
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if they cannot be read
   */
  List<QueuedRequest> waiters();

  /**
   * Inserts or replaces (by id) a queued request of this file, committed when the operation ends.
   *
   * @throws IllegalStateException in a {@link LockCluster#read}
   */
  void putWaiter(QueuedRequest waiter);

  /**
   * Deletes a queued request (and its wait-for edges) when the operation ends.
   *
   * @throws IllegalStateException in a {@link LockCluster#read}
   */
  void deleteWaiter(String id);

  /**
   * After the commit, tells {@code node} that queued requests of its own on this file were decided
   * here ({@link LockCluster#listen}). Nothing is told if the commit fails.
   *
   * @throws IllegalStateException in a {@link LockCluster#read}
   */
  void notify(String node);

  /**
   * The cluster's whole wait-for graph as committed. The first call holds the graph for the rest of
   * the operation: every operation that reads or changes edges runs one at a time, so a cycle check
   * and the edges it admits commit together (SPEC 5: exact detection across nodes). Edges already
   * changed by this operation are included.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if it cannot be read
   * @throws IllegalStateException in a {@link LockCluster#read}
   */
  List<WaitEdge> waitEdges();

  /**
   * Replaces the wait-for edges of queued request {@code waiter} (holding the graph as {@link
   * #waitEdges} does), committed when the operation ends.
   *
   * @throws IllegalStateException in a {@link LockCluster#read}
   */
  void setWaitEdges(String waiter, String owner, java.util.Set<String> blockers);

  /**
   * Where the registered client belongs and whether it is a courtesy client there ({@link
   * ClusterClient}), as committed; null if the client is registered at no node (it never
   * registered, as NLM hosts, or it was released). With {@code hold} the answer stands until this
   * operation ends: neither a registration of the client at any node nor its node hearing from it
   * again ({@link LockCluster#clientCourtesy} with false) commits meanwhile, so a revocation
   * decided on it is ordered before them. Answers may be cached for the rest of the operation.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if it cannot be read
   * @throws IllegalStateException for {@code hold} in a {@link LockCluster#read}
   */
  ClusterClient client(String clientId, String adapter, boolean hold);

  /**
   * Whether any registered client of the cluster may be a courtesy client in the sense of {@link
   * ClusterClient#courtesy} now, as read together with {@link #version}: false when no node has
   * marked a client courtesy and no client's node is dead. When false, {@link #client} says no
   * courtesy for every client, and a node need not ask it about clients of other nodes (a conflict
   * then costs no extra read).
   */
  boolean courtesyAnywhere();

  /**
   * Counts {@code delta} lock records (not opens) added (or, negative, removed) by this operation
   * against this node's total-limit quota ({@link LockCluster#leaseQuota}), committed with the
   * operation; called only while the node counts the total. Calls add up.
   *
   * @throws IllegalStateException in a {@link LockCluster#read}
   */
  void countLocks(long delta);
}
