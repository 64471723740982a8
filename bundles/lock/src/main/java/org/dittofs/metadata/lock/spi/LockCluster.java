package org.dittofs.metadata.lock.spi;

import java.time.Duration;
import java.util.List;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a store offers when several lock managers (nodes, one per server process) share it: cluster
 * mode (docs/cluster.md). The store is then the truth and each manager's tables are a cache: every
 * operation on a file runs inside {@link #onFile}, exclusive with every operation on that file at
 * every node, and sees every change committed before it.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>{@link #onFile} and {@link #read} are linearizable per file: the operations on one file, at
 *       all nodes, take effect in one order, each seeing the state the previous one committed.
 *       Operations on different files never wait for each other, except where the implementation
 *       maps two files to one lock (which only serializes more than needed).
 *   <li>A write is durable and visible to every node when {@code onFile} returns normally, and not
 *       at all if it throws STORE_UNAVAILABLE before {@link FileWork#settled} was called. The
 *       outcome of a commit the database may or may not have made is reported as STORE_UNAVAILABLE
 *       too; the caller must then treat its cached state of the file as unknown.
 *   <li>Failures are {@link org.dittofs.metadata.errors.StoreError}s: STORE_UNAVAILABLE when the
 *       database cannot be reached or the file stays held by another node past the store's lock
 *       timeout, INVALID_ARGUMENT for values the store cannot hold (raised by {@link
 *       FileTransaction#write}, before anything is written).
 *   <li>Thread-safe: any number of threads may run operations, on the same or different files.
 * </ul>
 */
@ConsumerType
public interface LockCluster {

  /** This node's id, unique among the live nodes of the cluster. */
  String node();

  /**
   * Joins the cluster as a live node: from now until {@link #leave} the node counts as alive. A
   * node joining a cluster with no live node starts it (a cold start): it moves the cluster to a
   * new epoch, forgets the clients of the last run, and enters the cluster's grace period for
   * {@code gracePeriod} if the store holds records of the last run or the last node did not leave
   * cleanly (a store that was never started had no last run). Every record with an older epoch than
   * the cluster's is restored while grace runs ({@link #grace}). A node joining a running cluster
   * enters nothing.
   *
   * @param gracePeriod how long a grace period entered by this join lasts at most
   * @return the cluster's epoch, which every node joined to this cluster uses for its record ids
   *     and records
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached; INVALID_ARGUMENT if a live node already has this node's id
   */
  long join(Duration gracePeriod);

  /**
   * Leaves the cluster cleanly (the node stops); idempotent, never throws. The last live node to
   * leave marks the cluster's shutdown clean; its unused total-limit quota goes back to the pool.
   */
  void leave();

  /**
   * Starts telling this node what the cluster needs it to do ({@link ClusterListener}), on a thread
   * of the store, one call at a time. Stops at {@link #leave}.
   */
  void listen(ClusterListener listener);

  /**
   * A client registered at this node: it belongs to this node from now on, with everything it holds
   * (a client that registered at another node before moves here: failover). If this node dies, its
   * state is released once {@code lease} has passed, unless it registers elsewhere first.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  void clientRegistered(String clientId, String adapter, Duration lease);

  /**
   * A client of this node unregistered with a ttl: its state is released when the ttl runs out (by
   * this node's timer, or by another node if this one dies first), unless it registers again.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  void clientUnregistered(String clientId, String adapter, Duration ttl);

  /**
   * Whether this node may release the client's state now for a ttl it timed: false if the client
   * has registered at another node meanwhile (it belongs there, with its state).
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  boolean mayRelease(String clientId, String adapter);

  /**
   * This node's registered client is a courtesy client now ({@code courtesy}: its lease ran out
   * here, SPEC 9) or was heard of again (false), so that every node may revoke its conflicting
   * state while it is one ({@link FileTransaction#client}). Clearing waits for the operations that
   * hold the client's standing (revocations in flight) to commit. A registration or an
   * unregistration of the client clears it too.
   *
   * @return whether the client belongs to this node (nothing changes if not)
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  boolean clientCourtesy(String clientId, String adapter, boolean courtesy);

  /**
   * The client's state was released (unregistered with no ttl, rebooted, expired): it belongs to no
   * node any more.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  void clientReleased(String clientId, String adapter);

  /**
   * Runs {@code work} on {@code file} exclusively with every other {@code onFile} on the same file
   * at every node, with the file's committed state at hand ({@link FileTransaction}), then commits
   * what it wrote together with a new version of the file, calls {@link FileWork#settled} and
   * returns its result. What {@code work} wrote is committed also when it throws (its exception is
   * rethrown afterwards), so a change made on the way to a refusal stays.
   *
   * @return what {@code work} returned
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the file could not be held,
   *     read or committed ({@code settled} not called); what {@code work} threw otherwise
   */
  <T> T onFile(FileHandle file, FileWork<T> work);

  /**
   * Runs {@code work} on the latest committed state of {@code file} without holding it: for
   * operations that change nothing (tests, I/O checks, snapshots). {@link FileTransaction#write} is
   * refused. {@link FileWork#settled} is called with the version read.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the file could not be read;
   *     what {@code work} threw otherwise
   */
  <T> T read(FileHandle file, FileWork<T> work);

  /**
   * Takes {@code size} consecutive record-id sequence numbers for this node and returns the first.
   * Every block taken is above every block taken before it at any node, so a node that takes a
   * block after seeing a record makes ids above that record's.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  long idBlock(int size);

  /**
   * The files where the client has records (locks or opens) or waiting requests, as committed: a
   * client's state may have been made at another node before it registered here.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  List<FileHandle> filesOf(String clientId, String adapter);

  /**
   * The files that have records (locks or opens) in the cluster, as committed, in no particular
   * order.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  List<FileHandle> files();

  /**
   * The number of lock records (not opens) of the whole cluster, as committed.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  long lockCount();

  /**
   * The number of opens (share reservations) of the whole cluster, as committed: one count in the
   * database, however many files hold them (what a metrics scrape asks).
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  long openCount();

  /**
   * The number of blocking requests waiting in the whole cluster (queued, neither granted nor
   * failed yet), as committed: one count in the database.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  long waiterCount();

  // ---- grace (SPEC 11), once per cluster ------------------------------------------------------

  /** Why a node ends the cluster's grace period ({@link #endGrace}). */
  enum GraceEnd {
    /** An operator ends it: always. */
    OPERATOR,
    /** Its time is up by the store's clock. */
    TIME_UP,
    /** Every expected client declared its reclaims complete. */
    CLIENTS_DONE,
    /** No restored record is left (each was reclaimed or released). */
    NOTHING_LEFT
  }

  /**
   * The cluster's grace period as committed.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  GraceState grace();

  /**
   * Records at any node that {@code clientId} reclaimed all it wanted (SPEC 11).
   *
   * @return whether every expected client has declared it now (the grace period may end)
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  boolean reclaimComplete(String clientId, String adapter);

  /**
   * Counts {@code reclaims} reclaimed records (0: restored records were released) after their
   * operation committed.
   *
   * @return whether no restored record is left (the grace period may end)
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  boolean graceProgress(int reclaims);

  /**
   * Ends the cluster's grace period, once for the whole cluster, if {@code why} holds in the store
   * (exclusively with every other call of this method at every node), and tells the other nodes
   * ({@link ClusterListener#graceEnded}).
   *
   * @return null if grace still runs ({@code why} does not hold); otherwise the files that still
   *     hold restored records, which the caller releases (whether this call ended grace or an
   *     earlier one did: a node that ended it may have died before it released them)
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  List<FileHandle> endGrace(GraceEnd why);

  // ---- the total limit (SPEC 8) across nodes ----------------------------------------------------

  /**
   * Leases total-limit quota to this node: {@code need} records and, when the pool allows, a chunk
   * ahead (so that not every grant comes here), chosen by the store: smaller as the pool empties
   * and the more nodes are live. The records of the cluster plus the quota leased and not used
   * never pass {@code max}, so nodes that count their records against their lease ({@link
   * FileTransaction#countLocks}) never overshoot it together.
   *
   * @return the quota leased: 0 if fewer than {@code need} records are left in the pool, else at
   *     least {@code need}
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  long leaseQuota(long need, long max);

  /**
   * Gives {@code n} records of this node's leased quota back to the pool (it does not need them).
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  void returnQuota(long n);

  /**
   * Asks every other live node to give back the quota it does not use ({@link
   * ClusterListener#quotaWanted}); returns at once.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  void wantQuota();

  // ---- operations ------------------------------------------------------------------------------

  /**
   * Every node that ever joined, live or not, by id.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  List<ClusterNode> nodes();

  /**
   * The node each registered client belongs to (clients that never registered, such as NLM hosts,
   * belong to none).
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the database cannot be
   *     reached
   */
  java.util.Map<LockClient, String> clientNodes();
}
