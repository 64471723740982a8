package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.GraceState;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.spi.LockCluster.GraceEnd;
import org.slf4j.Logger;

/**
 * Cluster mode: the grace period is the cluster's, entered once when the cluster starts cold and
 * ended once for every node (docs/cluster.md, SPEC 11). A record is restored while grace runs if
 * its epoch is older than the cluster's ({@link TableSync} marks it so when it loads a file), so
 * every node accepts reclaims of every restored record, under the file's lock as on one node, and
 * refuses new locks ({@link GracePeriod#active} here) until grace ends.
 *
 * <p>Ending: at this node's timer (the cluster's {@code grace_until}), when a reclaim or release of
 * a restored record here may have left none, when a client declares its reclaims complete here, or
 * by an operator, the cluster is asked to end grace ({@link LockCluster#endGrace}); whichever node
 * succeeds ends it for all, and every node that learns it (its own call, a notification, its timer)
 * stops refusing and releases the unreclaimed restored records of the files the cluster names, each
 * under its file's lock (a second node releasing the same file finds nothing left).
 *
 * <p>Concurrency: no state of its own; the grace period guards its fields, each file's release runs
 * under its table's monitor, and calls to the cluster are made with no monitor held.
 */
final class ClusterRecovery implements GracePeriod.Ending {
  private static final Logger LOG = EventBus.LOG;

  private final LockCluster cluster;
  private final GracePeriod grace;
  private final EventBus events;
  private final LockTables tables;
  private final TableOps ops;
  private final long epoch;
  private final LockScheduler timers;
  private final LiveConfig config;

  ClusterRecovery(
      LockCluster cluster,
      GracePeriod grace,
      EventBus events,
      LockTables tables,
      TableOps ops,
      long epoch,
      LockScheduler timers,
      LiveConfig config) {
    this.timers = timers;
    this.config = config;
    this.cluster = cluster;
    this.grace = grace;
    this.events = events;
    this.tables = tables;
    this.ops = ops;
    this.epoch = epoch;
  }

  /**
   * At start, once joined: enters the cluster's grace period if it runs, for what is left of it;
   * otherwise releases restored records a node that ended it left behind (it died first).
   */
  void start() {
    GraceState g = cluster.grace();
    if (!g.active()) {
      release(cluster.endGrace(GraceEnd.TIME_UP));
      return;
    }
    grace.enter(
        g.expected(),
        java.util.Set.of(),
        g.restoredLocks() + g.restoredOpens(),
        g.remaining(),
        this);
    events.publish(
        new LockEvent.GraceEntered(
            g.restoredLocks(), g.restoredOpens(), g.expected(), g.remaining()));
    LOG.info(
        "cluster grace period: "
            + g.remaining()
            + " left; "
            + g.restoredLocks()
            + " locks and "
            + g.restoredOpens()
            + " opens restored for "
            + g.expected().size()
            + " clients, "
            + g.reclaimed()
            + " reclaimed so far");
  }

  /**
   * The grace period's ending ({@link GracePeriod}): its timer ({@code early} false) asks whether
   * the time is up by the cluster's clock; otherwise a restored record left a table here, and the
   * reclaims made here are counted by the cluster, which says whether any restored record is left.
   */
  @Override
  public void end(boolean early) {
    if (!early) {
      List<FileHandle> files = cluster.endGrace(GraceEnd.TIME_UP);
      if (files == null) {
        // this node's clock ran ahead of the cluster's: wait for what the cluster says is left
        grace.rescheduleEnd(cluster.grace().remaining().plusMillis(1));
        return;
      }
      ended(false, files);
      return;
    }
    int reclaims = grace.takeUnreported();
    if (cluster.graceProgress(reclaims)) {
      end(GraceEnd.NOTHING_LEFT);
    }
  }

  /** A client declared its reclaims complete at this node (SPEC 11). */
  void reclaimComplete(LockClient client) {
    if (grace.active() && cluster.reclaimComplete(client.id(), client.adapter())) {
      end(GraceEnd.CLIENTS_DONE);
    }
  }

  /** Ends grace for the cluster if {@code why} holds there. */
  void end(GraceEnd why) {
    List<FileHandle> files = cluster.endGrace(why);
    if (files != null) {
      ended(why != GraceEnd.TIME_UP, files);
    }
  }

  /** Another node ended the cluster's grace period (or may have: notifications were lost). */
  void endedElsewhere() {
    if (!grace.active()) {
      return;
    }
    GraceState g = cluster.grace();
    if (!g.active()) {
      ended(true, List.of()); // the node that ended it releases the restored records
    }
  }

  /** The grace period as the cluster holds it. */
  GraceStatus status() {
    GraceState g = cluster.grace();
    return new GraceStatus(
        g.active(),
        g.remaining(),
        g.expected(),
        g.completed(),
        g.restoredLocks() + g.restoredOpens(),
        g.reclaimed());
  }

  /** Grace is over in the cluster: it ends here, and the restored records of {@code files} go. */
  private void ended(boolean early, List<FileHandle> files) {
    boolean wasActive = grace.end() != null;
    int released = release(files);
    if (wasActive) {
      events.publish(new LockEvent.GraceEnded(early, grace.reclaimedCount(), released));
      LOG.info(
          "cluster grace period ended"
              + (early ? " early" : "")
              + " for this node: "
              + grace.reclaimedCount()
              + " records reclaimed here, "
              + released
              + " released here");
    }
  }

  /**
   * Releases the restored records (an epoch older than the cluster's) of {@code files}, file by
   * file. Files that cannot be reached now are tried again on the timers (which retry while the
   * database is away) with whatever the cluster then still names. Returns how many were released.
   */
  private int release(List<FileHandle> files) {
    int released = 0;
    List<FileHandle> failed = new ArrayList<>();
    for (FileHandle f : files == null ? List.<FileHandle>of() : files) {
      try {
        released +=
            tables.run(
                f,
                false,
                (t, d) -> {
                  int n =
                      ops.releaseWhere(
                          t, l -> l.epoch() < epoch, LockEvent.ReleaseReason.GRACE_EXPIRED, d);
                  for (ShareReservation o : t.opens.all()) {
                    if (o.epoch() < epoch) {
                      ops.close(t, o, LockEvent.ReleaseReason.GRACE_EXPIRED, d);
                      n++;
                    }
                  }
                  t.takeRestored();
                  return n;
                });
      } catch (StoreError e) {
        failed.add(f);
        LOG.warn("restored records of " + f.toHex() + " are released later: " + e.getMessage());
      }
    }
    if (!failed.isEmpty()) {
      timers.schedule(
          () -> release(cluster.endGrace(GraceEnd.TIME_UP)), config.get().storeRetryInterval());
    }
    return released;
  }
}
