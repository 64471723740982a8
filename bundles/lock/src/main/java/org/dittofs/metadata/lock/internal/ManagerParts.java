package org.dittofs.metadata.lock.internal;

import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.spi.LockStore;

/**
 * The parts of one lock manager, made and wired together once: on one node, or as a node of a
 * cluster ({@link LockCluster}, docs/cluster.md), where every operation runs through {@link
 * CoordinatedTables}, the store writes of an operation commit with it, waiters are linked across
 * nodes ({@link ClusterLinks}) and clients have a home node ({@link ClientHome}). In both modes the
 * parts schedule their timed tasks on {@link RetryingTimers} over the manager's scheduler: a task
 * that cannot run now (a store swap holds traffic longer than the lock timeout; in cluster mode,
 * the database is away) is run again every store retry interval until it takes effect.
 *
 * <p>Concurrency: every field is final and set before the manager is published; each part guards
 * its own state (see each class).
 */
final class ManagerParts {
  final LiveConfig config;
  final LockScheduler scheduler;
  final EventBus events = new EventBus();
  final OwnerRegistry owners = new OwnerRegistry();
  final LockIdGenerator ids;
  final LockLimits limits;
  final ClientRegistry clients;
  final GracePeriod grace;
  final RequestChecks checks;
  final StoreWriter writer;
  final WaitQueue waiting;
  final LockTables tables;
  final RangeLocks ranges;
  final ShareReservations opens;
  final Recovery recovery;
  final ClientSessions sessions;
  final StoreBinding binding;
  final LockCluster cluster; // cluster mode (docs/cluster.md); null on one node
  final ClusterWaits waits; // cluster mode: this node's waiters; null on one node
  final ClusterQuota quota; // cluster mode: this node's lease of the total; null on one node
  final ClusterRecovery clusterRecovery; // cluster mode: the cluster's grace; null on one node
  final ClusterCourtesy courtesy; // cluster mode: this node's clients' courtesy; null on one node

  /**
   * The parts over {@code store} (in cluster mode it may be null) at {@code epoch}; {@code cluster}
   * null: one node.
   */
  ManagerParts(
      LockConfig config,
      LockScheduler scheduler,
      LockStore store,
      long epoch,
      LockCluster cluster) {
    this.config = new LiveConfig(config);
    this.scheduler = scheduler;
    this.cluster = cluster;
    LiveConfig cfg = this.config;
    // timed tasks that cannot run now are retried: see the class comment
    LockScheduler timers = new RetryingTimers(scheduler, () -> cfg.get().storeRetryInterval());
    this.waits = cluster == null ? null : new ClusterWaits(timers);
    ClusterWaits waits = this.waits;
    this.ids = new LockIdGenerator(epoch, cluster);
    CurrentFile current = cluster == null ? null : new CurrentFile();
    this.quota = cluster == null ? null : new ClusterQuota(cluster, current);
    this.limits = new LockLimits(cfg, quota);
    ClientRegistry clients =
        new ClientRegistry(
            timers,
            () -> cfg.get().maxConnectionsPerAdapter(),
            () -> cfg.get().leaseTime().toNanos(),
            limits::countsClients);
    this.clients = clients;
    this.grace = new GracePeriod(timers, cluster != null);
    // the scheduler itself, not the timers over it: the checks schedule nothing, and on the system
    // scheduler they stamp requests from its request clock (CoarseClock)
    this.checks = new RequestChecks(cfg, scheduler, owners, clients, grace);
    this.writer =
        new StoreWriter(
            cluster != null && store == null ? UnavailableLockStore.INSTANCE : store,
            timers,
            () -> cfg.get().storeRetryInterval(),
            events,
            scheduler instanceof SystemLockScheduler ? StoreWriter.retryThread() : Runnable::run,
            current);
    RestoredMarks restored = new RestoredMarks(grace);
    TableOps ops = new TableOps(timers, ids, owners, limits, clients, writer, restored);
    CourtesyClients courtesyClients =
        cluster == null
            ? new CourtesyClients(clients)
            : new CourtesyClients(clients, cluster.node(), current);
    ConflictSearch conflicts = new ConflictSearch(cfg, clients, ops, courtesyClients);
    this.waiting =
        new WaitQueue(
            cfg,
            timers,
            ids,
            owners,
            clients,
            ops,
            conflicts,
            cluster == null ? WaitLinks.local() : new ClusterLinks(cluster.node(), current, waits),
            limits);
    this.tables =
        new LockTables(
            events,
            cfg,
            timers,
            waiting,
            ops,
            writer,
            cluster == null
                ? null
                : lt ->
                    new CoordinatedTables(
                        cluster,
                        new TableSync(
                            owners, limits, clients, epoch, cluster.node(), waits, timers, grace),
                        current,
                        events,
                        cfg,
                        waiting,
                        lt));
    if (cluster == null) {
      owners.settleThrough(tables); // pins on one node only (OwnerRegistry)
    }
    this.ranges =
        new RangeLocks(
            checks, cfg, timers, owners, tables, ops, conflicts, waiting, clients, cluster != null);
    this.opens =
        new ShareReservations(checks, timers, ids, clients, writer, tables, ops, courtesyClients);
    this.clusterRecovery =
        cluster == null
            ? null
            : new ClusterRecovery(cluster, grace, events, tables, ops, epoch, timers, cfg);
    this.recovery =
        new Recovery(
            checks,
            cfg,
            timers,
            grace,
            events,
            owners,
            limits,
            clients,
            writer,
            tables,
            ops,
            restored,
            opens,
            clusterRecovery);
    this.courtesy =
        cluster == null
            ? null
            : new ClusterCourtesy(
                cluster, clients, timers, () -> cfg.get().leaseTime().toNanos(), tables, waiting);
    ClientHome home =
        cluster == null
            ? ClientHome.NONE
            : ClientHome.of(cluster, () -> cfg.get().leaseTime(), courtesy);
    this.sessions =
        new ClientSessions(
            checks, cfg, timers, clients, limits, events, tables, ops, waiting, home);
    this.binding = new StoreBinding(store, timers, ids, events, writer, tables, cluster);
  }

  /**
   * Cluster mode: listens to the cluster's notifications. A notified file gets an operation that
   * changes nothing: it reloads the file, which answers this node's waiters that another node
   * granted or failed; the end of grace at another node ends it here; another node short of
   * total-limit quota gets this node's unused quota back.
   */
  void listen() {
    waits.listen(
        cluster,
        f -> tables.run(f, true, (t, d) -> null),
        sessions::expired,
        clusterRecovery::endedElsewhere,
        quota::giveBack);
  }
}
