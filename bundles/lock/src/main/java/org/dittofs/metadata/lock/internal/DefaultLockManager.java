package org.dittofs.metadata.lock.internal;

import static org.dittofs.metadata.lock.internal.RequestChecks.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockEventListener;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.host.SwapReport;
import org.dittofs.metadata.lock.spi.ClusterNode;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.spi.StoreCopier;

/**
 * The lock manager over per-file lock tables: wires its parts together and hands each request to
 * the part that answers it.
 *
 * <p><b>Parts and what each owns.</b> {@link LockTables}: the map of file tables, the traffic gate
 * and the run of an operation on one table. {@link RangeLocks}: byte-range locks, blocking requests
 * and I/O checks. {@link ShareReservations}: opens. {@link Recovery} with its {@link GracePeriod}:
 * restore at start, reclaims, the end of grace. {@link WaitQueue}: the waiters and the wait-for
 * graph. {@link ClientSessions} over the {@link ClientRegistry}: clients. {@link StoreBinding} with
 * its {@link StoreWriter}: the bound store, the write path and the hot swap. {@link TableOps},
 * {@link ConflictSearch} and {@link RestoredMarks}: the mechanics shared by operations on a table.
 * {@link OwnerRegistry}, {@link LockLimits}, {@link LockIdGenerator}: counters shared by all files.
 * {@link ManagerParts} makes them and wires them together, on one node or in cluster mode ({@link
 * LockCluster}, docs/cluster.md: every operation runs through {@link CoordinatedTables}, and the
 * store writes of an operation commit with it). This class holds no mutable state of its own.
 *
 * <p><b>Guards.</b> Each {@link FileLockTable} and everything in it (locks, opens, waiters,
 * restored marks) is guarded by the table's own monitor. Every operation on a file runs entirely
 * inside it ({@link LockTables#run}): it computes a {@link LockChange}, checks it, persists it and
 * applies it, so observers see all of it or none of it. The owner registry, the limit counters and
 * the client map are lock-free; the client registry, the grace period, the wait-for graph and the
 * store writer each guard their own fields with their own monitor. The configuration ({@link
 * LiveConfig}), the closed flag ({@link RequestChecks}) and the bound store are volatile.
 *
 * <p><b>Lock order.</b> A thread holds at most one table monitor, never two. Inside it, it may take
 * the leaf monitors of the wait-for graph, the grace period and the store writer (never nested with
 * each other). The client registry's monitor is never taken inside a table monitor. Events and
 * completions of pending requests run after the table monitor is released ({@link Deferred}). There
 * is no global mutex on the request path: operations on different files never wait for each other
 * (the store writer's group commit is shared, but only by writes that must reach the store).
 *
 * <p><b>Invariants</b> (checked by the tests): no two locks of different owners conflict; an
 * owner's POSIX locks on a file are disjoint and same-type ones do not touch (except a restored,
 * unreclaimed record); every lock is reachable through its type's interval tree and its owner's
 * index; the open counters equal a recount of the opens; the registry's count per owner and the
 * limit counters equal the records; with a store up and nothing pending, the store holds exactly
 * the records in memory.
 */
public final class DefaultLockManager implements LockManager {
  private final LiveConfig config;
  private final LockScheduler scheduler;
  private final boolean ownsScheduler;
  private final EventBus events;
  private final OwnerRegistry owners;
  private final LockIdGenerator ids;
  private final LockLimits limits;
  private final ClientRegistry clients;
  private final GracePeriod grace;
  private final RequestChecks checks;
  private final StoreWriter writer;
  private final LockTables tables;
  private final RangeLocks ranges;
  private final ShareReservations opens;
  private final Recovery recovery;
  private final ClientSessions sessions;
  private final StoreBinding binding;
  private final LockCluster cluster; // cluster mode (docs/cluster.md); null on one node
  private final ClusterQuota quota; // cluster mode: this node's lease of the total; else null
  private final ClusterCourtesy courtesy; // cluster mode: its clients' courtesy; else null

  private DefaultLockManager(ManagerParts p, boolean ownsScheduler, List<LockEventListener> ls) {
    this.config = p.config;
    this.scheduler = p.scheduler;
    this.ownsScheduler = ownsScheduler;
    this.events = p.events;
    this.owners = p.owners;
    this.ids = p.ids;
    this.limits = p.limits;
    this.clients = p.clients;
    this.grace = p.grace;
    this.checks = p.checks;
    this.writer = p.writer;
    this.tables = p.tables;
    this.ranges = p.ranges;
    this.opens = p.opens;
    this.recovery = p.recovery;
    this.sessions = p.sessions;
    this.binding = p.binding;
    this.cluster = p.cluster;
    this.quota = p.quota;
    this.courtesy = p.courtesy;
    ls.forEach(events::add);
  }

  /**
   * Creates and starts a manager: takes the next epoch from the store, restores its records and
   * enters the grace period if it held any or was not shut down cleanly. A store that was never
   * started (server epoch 0) had no last shutdown: an empty one starts without grace. Use {@link
   * org.dittofs.metadata.lock.host.LockManagers}.
   *
   * <p>With a {@code cluster} (else null), the manager is a node of it (docs/cluster.md): it joins
   * the cluster (a cold start enters the cluster's grace period), takes the cluster's epoch and
   * restores nothing (its tables load each file's committed state on first use); {@code store} may
   * then be null.
   */
  public static DefaultLockManager start(
      LockConfig config,
      LockScheduler scheduler,
      boolean ownsScheduler,
      LockStore store,
      long epoch,
      List<LockEventListener> listeners,
      LockCluster cluster) {
    if (cluster != null) {
      ManagerParts p =
          new ManagerParts(config, scheduler, store, cluster.join(config.gracePeriod()), cluster);
      DefaultLockManager m = new DefaultLockManager(p, ownsScheduler, listeners);
      p.listen();
      p.clusterRecovery.start(); // the cluster's grace, if it runs
      return m;
    }
    StoreBinding.Opening o = StoreBinding.open(store, epoch);
    ManagerParts p = new ManagerParts(config, scheduler, store, o.epoch(), null);
    DefaultLockManager m = new DefaultLockManager(p, ownsScheduler, listeners);
    m.recovery.restore(o.records(), o.clean());
    return m;
  }

  // ---- byte-range locks ----------------------------------------------------------------------

  @Override
  public LockResult lock(LockRequest req) {
    return published(
        req,
        () -> {
          heard(req);
          return ranges.lock(req);
        });
  }

  @Override
  public LockResult lockAll(List<LockRequest> requests) {
    return published(
        requests == null || requests.isEmpty() ? null : requests.get(0),
        () -> {
          if (requests != null) {
            requests.forEach(this::heard);
          }
          return ranges.lockAll(requests);
        });
  }

  @Override
  public PendingLock lockBlocking(LockRequest req, Duration timeout) {
    return published(
        req,
        () -> {
          heard(req);
          return ranges.lockBlocking(req, timeout);
        });
  }

  /**
   * Cluster mode: the request's client is heard of here before the request runs ({@link
   * ClusterCourtesy#heard}); nothing on one node.
   */
  private void heard(LockRequest req) {
    heard(req == null ? null : req.client());
  }

  private void heard(LockClient client) {
    if (courtesy != null) {
      courtesy.heard(client);
    }
  }

  /**
   * Runs a lock request and, if it fails with an error, publishes its refusal (SPEC 12: every
   * decision is an event) before rethrowing. A malformed request (INVALID_ARGUMENT) was not
   * decided: nothing published.
   */
  private <T> T published(LockRequest req, Supplier<T> decision) {
    try {
      return decision.get();
    } catch (StoreError e) {
      if (req != null && e.code() != ErrorCode.INVALID_ARGUMENT) {
        events.publish(new LockEvent.Refused(req, e.code()));
      }
      throw e;
    }
  }

  @Override
  public void unlock(UnlockRequest req) {
    ranges.unlock(req);
  }

  @Override
  public void unlockAll(List<UnlockRequest> requests) {
    ranges.unlockAll(requests);
  }

  @Override
  public Optional<Lock> test(LockRequest req) {
    heard(req);
    return ranges.test(req);
  }

  @Override
  public void checkRead(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode) {
    ranges.checkIo(file, owner, range, mode, LockType.SHARED, "read");
  }

  @Override
  public void checkWrite(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode) {
    ranges.checkIo(file, owner, range, mode, LockType.EXCLUSIVE, "write");
  }

  // ---- opens ---------------------------------------------------------------------------------

  @Override
  public ShareReservation open(OpenRequest req) {
    heard(req == null ? null : req.client());
    return opens.open(req);
  }

  @Override
  public ShareReservation downgrade(
      FileHandle file, LockId open, Set<ShareAccess> access, Set<ShareAccess> deny) {
    return opens.downgrade(file, open, access, deny);
  }

  @Override
  public void close(FileHandle file, LockId open) {
    opens.close(file, open);
  }

  // ---- grace and reclaim ---------------------------------------------------------------------

  @Override
  public LockResult reclaim(LockRequest req) {
    return published(
        req,
        () -> {
          heard(req);
          return recovery.reclaim(req);
        });
  }

  @Override
  public ShareReservation reclaimOpen(OpenRequest req) {
    heard(req == null ? null : req.client());
    return recovery.reclaimOpen(req);
  }

  @Override
  public void reclaimComplete(LockClient client) {
    recovery.reclaimComplete(client);
  }

  @Override
  public GraceStatus graceStatus() {
    return recovery.status();
  }

  // ---- clients -------------------------------------------------------------------------------

  @Override
  public void registerClient(LockClient client, String remoteAddress, Duration ttl) {
    sessions.register(client, remoteAddress, ttl);
  }

  @Override
  public void unregisterClient(LockClient client) {
    sessions.unregister(client);
  }

  @Override
  public void clientRebooted(LockClient client) {
    sessions.rebooted(client);
  }

  @Override
  public void keepAlive(LockClient client) {
    sessions.keepAlive(client);
    heard(client);
  }

  @Override
  public List<ClientInfo> clients() {
    return sessions.list();
  }

  @Override
  public long clientCount() {
    return sessions.count(false);
  }

  @Override
  public long courtesyClientCount() {
    return sessions.count(true);
  }

  // ---- files ---------------------------------------------------------------------------------

  @Override
  public int removeFile(FileHandle file, boolean refuseIfHeld, Runnable storeWork) {
    requireNonNull(file, "file");
    requireNonNull(storeWork, "store work");
    checks.ensureOpen();
    return tables.removeFile(file, refuseIfHeld, storeWork);
  }

  @Override
  public List<Lock> locks(FileHandle file) {
    requireNonNull(file, "file");
    return tables.read(file, (t, d) -> t.locks());
  }

  @Override
  public List<FileHandle> files() {
    if (cluster != null) {
      return cluster.files();
    }
    return tables.busyFiles();
  }

  @Override
  public List<Lock> waiters(FileHandle file) {
    requireNonNull(file, "file");
    return tables.read(file, (t, d) -> t.waiters().stream().map(Waiter::asLock).toList());
  }

  @Override
  public void endGrace() {
    recovery.endNow();
  }

  @Override
  public List<ShareReservation> opens(FileHandle file) {
    requireNonNull(file, "file");
    return tables.read(file, (t, d) -> t.opens.all());
  }

  // ---- configuration, lifecycle --------------------------------------------------------------

  @Override
  public long lockCount() {
    if (cluster != null) {
      return cluster.lockCount();
    }
    return limits.total(tables::lockCount);
  }

  @Override
  public long openCount() {
    return cluster != null ? cluster.openCount() : tables.sum(t -> t.opens.size());
  }

  @Override
  public long waiterCount() {
    return cluster != null ? cluster.waiterCount() : tables.sum(t -> t.waiters().size());
  }

  @Override
  public long epoch() {
    return ids.epoch();
  }

  @Override
  public Optional<String> clusterNode() {
    return cluster == null ? Optional.empty() : Optional.of(cluster.node());
  }

  @Override
  public List<ClusterNode> clusterNodes() {
    return cluster == null ? List.of() : cluster.nodes();
  }

  @Override
  public Map<LockClient, String> clientNodes() {
    return cluster == null ? Map.of() : cluster.clientNodes();
  }

  @Override
  public LockConfig config() {
    return config.get();
  }

  /**
   * {@inheritDoc} Turning the total or the per-client limit on holds lock traffic while the records
   * are counted (a count is not kept while its limit is off, see {@link LockLimits#reconfigure}).
   */
  @Override
  public void reconfigure(LockConfig newConfig) {
    requireNonNull(newConfig, "configuration");
    LockConfig old = limits.reconfigure(newConfig, tables, clients);
    if (!old.leaseTime().equals(newConfig.leaseTime())) {
      sessions.leaseTimeChanged();
      if (courtesy != null) {
        courtesy.leaseTimeChanged();
      }
    }
  }

  @Override
  public void addListener(LockEventListener listener) {
    requireNonNull(listener, "listener");
    events.add(listener);
  }

  @Override
  public void removeListener(LockEventListener listener) {
    events.remove(listener);
  }

  @Override
  public SwapReport swapStore(LockStore next, StoreCopier copier) {
    checks.ensureOpen();
    return binding.swap(next, copier);
  }

  @Override
  public int pendingStoreWrites() {
    return writer.pending();
  }

  @Override
  public void close() {
    if (!checks.close()) {
      return;
    }
    tables.cancelLocalWaiters("the lock manager stopped");
    grace.end();
    if (quota != null) {
      quota.giveBack(); // what this node leased and did not use
    }
    binding.shutDown(); // in cluster mode: leaves the cluster
    if (ownsScheduler && scheduler instanceof SystemLockScheduler s) {
      s.close();
    }
  }

  // ---- for tests -------------------------------------------------------------------------------

  /**
   * The tables holding something (locks, opens or waiters), for invariant checks in tests: a
   * snapshot without the idle ones ({@link LockTables}), each checked under its monitor.
   */
  Map<FileHandle, FileLockTable> tables() {
    return tables.busyTables();
  }

  /** The tables, for tests of the sweep and of lanes. */
  LockTables lockTables() {
    return tables;
  }

  /** The owner registry, for invariant checks in tests. */
  OwnerRegistry owners() {
    return owners;
  }
}
