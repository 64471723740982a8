package org.dittofs.metadata.lock.internal;

import static org.dittofs.metadata.lock.internal.RequestChecks.requireNonNull;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.slf4j.Logger;

/**
 * Recovery after a restart (SPEC 11): restores the store's records into the tables at start, enters
 * the grace period, answers reclaims of locks and opens, and ends grace (on its timer, early when
 * every expected client declared its reclaims complete or every restored record is gone, or at
 * close), releasing the restored records nobody reclaimed.
 *
 * <p>In cluster mode the grace period is the cluster's ({@link ClusterRecovery}): nothing is
 * restored at start (a node loads each file's records when it first uses it), reclaims run here as
 * on one node, and the declarations of completed reclaims, the status and the end go to the
 * cluster.
 *
 * <p>Concurrency: no state of its own; the grace period guards its fields with its own monitor and
 * the restored marks are their table's state, changed under its monitor.
 */
final class Recovery implements GracePeriod.Ending {
  private static final Logger LOG = EventBus.LOG;

  private final RequestChecks checks;
  private final LiveConfig config;
  private final LockScheduler timers;
  private final GracePeriod grace;
  private final EventBus events;
  private final OwnerRegistry owners;
  private final LockLimits limits;
  private final ClientRegistry clients;
  private final StoreWriter writer;
  private final LockTables tables;
  private final TableOps ops;
  private final RestoredMarks restored;
  private final ShareReservations opens;
  private final ClusterRecovery clustered; // cluster mode; null on one node

  Recovery(
      RequestChecks checks,
      LiveConfig config,
      LockScheduler timers,
      GracePeriod grace,
      EventBus events,
      OwnerRegistry owners,
      LockLimits limits,
      ClientRegistry clients,
      StoreWriter writer,
      LockTables tables,
      TableOps ops,
      RestoredMarks restored,
      ShareReservations opens,
      ClusterRecovery clustered) {
    this.clustered = clustered;
    this.checks = checks;
    this.config = config;
    this.timers = timers;
    this.grace = grace;
    this.events = events;
    this.owners = owners;
    this.limits = limits;
    this.clients = clients;
    this.writer = writer;
    this.tables = tables;
    this.ops = ops;
    this.restored = restored;
    this.opens = opens;
  }

  /**
   * Loads the store's records at start (before any traffic) and enters grace if there were any or
   * the last shutdown was not clean. An unreadable record is logged and skipped.
   */
  void restore(List<PersistedLock> records, boolean clean) {
    Set<LockClient> expected = new HashSet<>();
    Set<FileHandle> restoredFiles = new HashSet<>();
    int locks = 0;
    int opened = 0;
    for (PersistedLock r : records) {
      try {
        FileLockTable t = tables.restoring(r.file());
        if (r.kind() == PersistedLock.Kind.LOCK) {
          Lock l = r.toLock();
          owners.adjust(t.ownerIndex(l.owner()), l.owner(), l.flavour(), 1);
          t.add(l);
          limits.count(new LockChange(List.of(), List.of(l), null), clients);
          markRestored(t, l.id(), l.client(), l.file());
          locks++;
        } else {
          ShareReservation o = r.toReservation();
          t.opens.add(o);
          markRestored(t, o.id(), o.client(), o.file());
          opened++;
        }
        expected.add(new LockClient(r.clientId(), r.adapter()));
        restoredFiles.add(r.file());
      } catch (StoreError e) {
        LOG.error("skipping unreadable lock record " + r.id() + ": " + e);
      }
    }
    tables.dropEmpty();
    if (records.isEmpty() && clean) {
      return;
    }
    Duration length = config.get().gracePeriod();
    grace.enter(expected, restoredFiles, locks + opened, length, this);
    events.publish(new LockEvent.GraceEntered(locks, opened, expected, length));
    LOG.info(
        "grace period of "
            + length
            + " entered: "
            + locks
            + " locks and "
            + opened
            + " opens restored for "
            + expected.size()
            + " clients"
            + (clean ? "" : " (last shutdown was not clean)"));
    if (length.isZero()) {
      end(false);
    } else if (locks + opened == 0) {
      // SPEC 11: grace ends once every restored record is reclaimed; with none restored (an
      // unclean shutdown that left nothing behind) that holds at once, so no lock is refused
      end(true);
    }
  }

  private void markRestored(FileLockTable t, LockId id, LockClient client, FileHandle file) {
    t.markRestored(id);
    clients.touch(client).files.add(file);
  }

  LockResult reclaim(LockRequest req) {
    checks.lockRequest(req);
    checks.refuseOutsideGrace();
    return tables.run(
        req.file(),
        false,
        (t, d) -> {
          Lock old = restoredLock(t, req);
          LockChange wanted = reclaimChange(t, old, req);
          if (!wanted.result().range().equals(req.range())) {
            // SPEC 3, as for any grant: the record the merge leaves must not conflict (another
            // owner's zero-length lock on the boundary it closes); nothing changes then
            Lock c =
                t.firstConflict(
                    req.owner(),
                    req.type(),
                    wanted.result().range(),
                    Conflicts.Purpose.LOCK,
                    x -> true);
            if (c != null) {
              d.event(new LockEvent.Denied(req, c));
              return new LockResult.Denied(c);
            }
          }
          Lock l = ops.grant(t, req, wanted, true, d);
          t.unmarkRestored(old.id());
          restored.reclaimed(t, d);
          return new LockResult.Granted(List.of(l));
        });
  }

  /** The restored lock of the request's owner and client that the request may reclaim. */
  private static Lock restoredLock(FileLockTable t, LockRequest req) {
    OwnerLocks own = t.ownerLocks(req.owner());
    Lock found = null;
    for (Lock l : own == null ? List.<Lock>of() : own.all()) {
      // best fit: a restored lock of the requested type before a stronger one, so that a weaker
      // reclaim does not take the record a later reclaim of the same type needs (stacked WINDOWS
      // locks of one range)
      if (t.isRestored(l.id())
          && l.client().equals(req.client())
          && l.range().equals(req.range())
          && (l.exclusive() || req.type() == LockType.SHARED)
          && (found == null || l.type() == req.type())) {
        found = l;
        if (l.type() == req.type()) {
          break;
        }
      }
    }
    if (found != null) {
      return found;
    }
    throw LockErrors.lockNotFound(
        req.file(),
        "no restored "
            + req.type()
            + " lock on "
            + req.range()
            + " of owner '"
            + req.owner()
            + "' and client "
            + req.client()
            + " to reclaim");
  }

  /**
   * The change that replaces a restored record by the reclaimed lock, coalescing with live ones.
   */
  private LockChange reclaimChange(FileLockTable t, Lock old, LockRequest req) {
    int changes = t.changes(); // a trial: the table is put back as it was, no waiter re-check
    t.remove(old);
    t.unmarkRestored(old.id());
    try {
      LockChange g = ops.changeFor(t, req);
      List<Lock> removed = new ArrayList<>(g.removed());
      removed.add(0, old);
      return new LockChange(removed, g.added(), g.result());
    } finally {
      t.add(old);
      t.markRestored(old.id());
      t.changesBackTo(changes);
    }
  }

  ShareReservation reclaimOpen(OpenRequest req) {
    requireNonNull(req, "open request");
    checks.ensureOpen();
    clients.touch(req.client());
    checks.refuseOutsideGrace();
    return tables.run(
        req.file(),
        false,
        (t, d) -> {
          ShareReservation old = restoredOpen(t, req);
          ShareReservation r = opens.newOpen(t, req);
          writer.writeSync(
              List.of(
                  new LockStoreOp.Delete(old.id().toString()),
                  new LockStoreOp.Put(PersistedLock.of(r))),
              List.of(
                  new LockStoreOp.Delete(r.id().toString()),
                  new LockStoreOp.Put(PersistedLock.of(old))));
          t.opens.remove(old);
          t.opens.add(r);
          t.unmarkRestored(old.id());
          clients.touch(req.client()).files.add(req.file());
          d.event(new LockEvent.OpenGranted(r, true));
          restored.reclaimed(t, d);
          return r;
        });
  }

  /** The restored open of the request's owner and client that covers the request's modes. */
  private static ShareReservation restoredOpen(FileLockTable t, OpenRequest req) {
    ShareReservation found = null;
    for (ShareReservation o : t.opens.all()) {
      // best fit: the covering restored open with the fewest modes beyond the request's (an exact
      // match first), so that a smaller reclaim does not take the open a later, larger reclaim of
      // the same owner needs
      if (t.isRestored(o.id())
          && o.owner().equals(req.owner())
          && o.client().equals(req.client())
          && o.access().containsAll(req.access())
          && o.deny().containsAll(req.deny())
          && (found == null || modes(o) < modes(found))) {
        found = o;
      }
    }
    if (found != null) {
      return found;
    }
    throw LockErrors.lockNotFound(
        req.file(),
        "no restored open of owner '"
            + req.owner()
            + "' and client "
            + req.client()
            + " covering access "
            + req.access()
            + " and deny "
            + req.deny());
  }

  private static int modes(ShareReservation o) {
    return Integer.bitCount(o.accessMask()) + Integer.bitCount(o.denyMask());
  }

  void reclaimComplete(LockClient client) {
    requireNonNull(client, "client");
    if (clustered != null) {
      clustered.reclaimComplete(client);
      return;
    }
    if (grace.complete(client)) {
      end(true);
    }
  }

  GraceStatus status() {
    return clustered != null ? clustered.status() : grace.status();
  }

  /** Ends the grace period now, at an operator's request (in cluster mode: for every node). */
  void endNow() {
    if (clustered != null) {
      clustered.end(org.dittofs.metadata.lock.spi.LockCluster.GraceEnd.OPERATOR);
    } else {
      end(true);
    }
  }

  /**
   * Ends the grace period once: restored records nobody reclaimed are released, file by file. A
   * file that cannot be worked on now (a store swap holds traffic longer than the lock timeout) is
   * tried again every store retry interval, with the files after it, and {@link
   * LockEvent.GraceEnded} is published once every file is done: nobody waits for these releases,
   * and the grace period, over already, cannot end again (SPEC 10, 11).
   */
  @Override
  public void end(boolean early) {
    Set<FileHandle> restoredFiles = grace.end();
    if (restoredFiles == null) {
      return;
    }
    releaseUnreclaimed(early, new ArrayDeque<>(restoredFiles), 0);
  }

  /** Releases the unreclaimed records of {@code left}, then publishes the end of grace. */
  private void releaseUnreclaimed(boolean early, Deque<FileHandle> left, int expiredBefore) {
    int expired = expiredBefore;
    while (!left.isEmpty()) {
      try {
        expired += tables.run(left.peek(), false, this::releaseUnreclaimed);
      } catch (StoreError e) {
        if (e.code() != ErrorCode.STORE_UNAVAILABLE) {
          throw e;
        }
        int sum = expired;
        Duration retry = config.get().storeRetryInterval();
        LOG.warn("the end of grace waits for lock traffic, retried in " + retry + ": " + e);
        timers.schedule(() -> releaseUnreclaimed(early, left, sum), retry);
        return;
      }
      left.poll();
    }
    events.publish(new LockEvent.GraceEnded(early, grace.reclaimedCount(), expired));
    LOG.info(
        "grace period ended"
            + (early ? " early" : "")
            + ": "
            + grace.reclaimedCount()
            + " records reclaimed, "
            + expired
            + " released");
  }

  /** On one restored file's table: releases its records nobody reclaimed; returns how many. */
  private int releaseUnreclaimed(FileLockTable t, Deferred d) {
    Set<LockId> gone = t.takeRestored();
    if (gone.isEmpty()) {
      return 0;
    }
    int n =
        ops.releaseWhere(t, l -> gone.contains(l.id()), LockEvent.ReleaseReason.GRACE_EXPIRED, d);
    for (ShareReservation o : t.opens.all()) {
      if (gone.contains(o.id())) {
        ops.close(t, o, LockEvent.ReleaseReason.GRACE_EXPIRED, d);
        n++;
      }
    }
    return n;
  }
}
