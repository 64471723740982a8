package org.dittofs.metadata.lock.host;

import java.util.List;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockService;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.spi.StoreCopier;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The host's face of the lock manager: everything of {@link LockService} plus what only the code
 * that owns the manager may do: move it to another store, change its configuration, listen to its
 * decisions, remove a file's state with the file, take snapshots, and close it. In OSGi the
 * metadata service component is that host (operator tools reach this face through {@code
 * org.dittofs.metadata.host.MetadataManager}); outside OSGi, whoever calls {@link LockManagers} is.
 * Protocol adapters use {@link LockService} only.
 *
 * <p>Thread-safety and errors as for {@link LockService}. Create instances with {@link
 * LockManagers}.
 */
@ProviderType
public interface LockManager extends LockService, AutoCloseable {
  /** The clients the manager knows, registered or holding state. A snapshot. */
  List<ClientInfo> clients();

  /**
   * How many clients {@link #clients} would list, for gauges: without counting each client's locks,
   * which {@link #clients} may do file by file. In cluster mode this node's clients, as {@link
   * #clients}.
   *
   * @since 1.3
   */
  default long clientCount() {
    return clients().size();
  }

  /**
   * How many of the clients are courtesy clients (registered and silent past their lease), for
   * gauges, like {@link #clientCount}.
   *
   * @since 1.3
   */
  default long courtesyClientCount() {
    return clients().stream().filter(ClientInfo::courtesy).count();
  }

  /** The current configuration. */
  LockConfig config();

  /**
   * Replaces the configuration. Limits, timeouts, lease and fairness apply to the next request;
   * nothing held is dropped when a limit is lowered below the current count.
   */
  void reconfigure(LockConfig config);

  /** Adds a listener for every decision. */
  void addListener(LockEventListener listener);

  /** Removes a listener. */
  void removeListener(LockEventListener listener);

  /**
   * Moves the manager to another store while it serves (hot swap). Lock traffic is held at a gate
   * while the operations already running finish; the live state (every lock and open, and the
   * epoch) is handed to {@code copier}, which writes it into {@code next} in one transaction; from
   * then on every write goes to {@code next}, and traffic resumes. Writes still queued for the old
   * store are dropped: memory is authoritative and the copy supersedes them. Requests arriving
   * during the swap wait (at most the configured lock timeout) and are then served by the new
   * store. With {@code next == null} the manager is left without a store: grants, upgrades and
   * opens fail with STORE_UNAVAILABLE, releases take effect and are carried over to the next store
   * by its copy.
   *
   * @param copier writes the state into {@code next}; null for a plain {@link LockStore} copy
   * @return how long traffic was held and how many records were copied
   * @throws org.dittofs.metadata.errors.StoreError the copier's failure; the manager then stays on
   *     its current store and nothing is lost
   */
  SwapReport swapStore(LockStore next, StoreCopier copier);

  /** Writes queued for the store that have not landed yet. */
  int pendingStoreWrites();

  /**
   * Stops the manager: pending requests are cancelled, queued writes are given one last chance, and
   * if all landed the store's clean-shutdown marker is set. Later calls fail with
   * STORE_UNAVAILABLE. Idempotent.
   */
  void close();

  /**
   * Removes a file's locks, opens and waiting requests as part of removing the file itself. Under
   * the file's lock (no grant can slip in), {@code storeWork} runs first: it must delete the file
   * and its lock records in one store transaction. If it throws, nothing changes in memory and the
   * exception propagates. Waiting requests complete with CANCELLED.
   *
   * @param refuseIfHeld SMB policy: refuse with LOCKED (naming a held lock) while any lock or open
   *     is held, without running {@code storeWork}
   * @return the number of lock and open records dropped
   */
  int removeFile(FileHandle file, boolean refuseIfHeld, Runnable storeWork);

  /** The locks on a file, ordered by first byte, then id. A snapshot. */
  List<Lock> locks(FileHandle file);

  /**
   * The files that have locks, opens or waiting requests now, in no particular order. A snapshot:
   * for operator tools that walk the whole table (a file may have lost its state by the time it is
   * asked about).
   */
  List<FileHandle> files();

  /**
   * The blocking requests waiting on a file, in queue order, each in the shape of the lock it asks
   * for: its {@code acquiredAt} is when it started waiting and its id is in no lock table. A
   * snapshot; empty for a file nobody waits on.
   */
  List<Lock> waiters(FileHandle file);

  /**
   * Ends the grace period now, as an operator's decision: restored locks and opens that nobody
   * reclaimed are released ({@link LockEvent.ReleaseReason#GRACE_EXPIRED}) exactly as when its
   * timer runs out, and {@link LockEvent.GraceEnded} reports it as early. New locks are granted
   * from then on. Does nothing outside the grace period. Unlike {@link #reclaimComplete}, it needs
   * no declaration from the clients (after an unclean shutdown with nothing restored there are no
   * expected clients to declare anything).
   */
  void endGrace();

  /** The opens of a file, ordered by id. A snapshot. */
  List<ShareReservation> opens(FileHandle file);

  /** Number of locks held on all files. */
  long lockCount();

  /**
   * Number of opens (share reservations) held on all files, for gauges: without a walk of every
   * file's snapshot. In cluster mode the cluster's, counted in its database.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE in cluster mode if the
   *     cluster's database cannot be reached
   * @since 1.3
   */
  default long openCount() {
    return files().stream().mapToLong(f -> opens(f).size()).sum();
  }

  /**
   * Number of blocking requests waiting on all files, for gauges: without a walk of every file's
   * snapshot. In cluster mode the cluster's (waiting at any node), counted in its database.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE in cluster mode if the
   *     cluster's database cannot be reached
   * @since 1.3
   */
  default long waiterCount() {
    return files().stream().mapToLong(f -> waiters(f).size()).sum();
  }

  /** The server epoch this manager stamps on new records. */
  long epoch();

  /**
   * Cluster mode (docs/cluster.md): this manager's node id; empty on one node.
   *
   * @since 1.3
   */
  default java.util.Optional<String> clusterNode() {
    return java.util.Optional.empty();
  }

  /**
   * Cluster mode: the nodes of the cluster, live or not; empty on one node.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the cluster's database
   *     cannot be reached
   * @since 1.3
   */
  default List<org.dittofs.metadata.lock.spi.ClusterNode> clusterNodes() {
    return List.of();
  }

  /**
   * Cluster mode: the node each registered client belongs to; empty on one node.
   *
   * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the cluster's database
   *     cannot be reached
   * @since 1.3
   */
  default java.util.Map<org.dittofs.metadata.lock.LockClient, String> clientNodes() {
    return java.util.Map.of();
  }
}
