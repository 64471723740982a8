package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.FileTransaction;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.spi.QueuedRequest;

/**
 * Cluster mode: brings a node's cached table of a file to the committed state of the file (its
 * records and queued requests as the store holds them), moving the node's counters with it: each
 * owner's count and flavour ({@link OwnerRegistry}), each client's count and the total ({@link
 * LockLimits}). Records are matched by id and compared whole (an open's downgrade keeps its id), so
 * a table that is already current changes nothing, and a table left half-way by an earlier failure
 * is finished by the next load: each step keeps the table and the counters consistent with each
 * other.
 *
 * <p>The queue is rebuilt in id order from the rows still waiting: this node's own rows by their
 * live {@link Waiter} ({@link ClusterWaits}), other nodes' as stand-ins ({@link Waiter#remote}). A
 * row of this node that another node granted or failed is answered here (after the monitor) and, in
 * an operation that may write, deleted. A waiter of this node whose row is gone (its node was taken
 * for dead) ends with CANCELLED.
 *
 * <p>A load publishes no event: the decisions that changed the file were published where they were
 * taken. It is one change of the table ({@link FileLockTable#changes}), so waiters are re-checked
 * afterwards, as after any change.
 *
 * <p>Concurrency: no state of its own; called under the table's monitor, inside the file's
 * coordinated operation.
 */
final class TableSync {
  private final OwnerRegistry owners;
  private final LockLimits limits;
  private final ClientRegistry clients;
  private final long epoch;
  private final String node;
  private final ClusterWaits waits;
  private final LockScheduler scheduler;
  private final GracePeriod grace;

  TableSync(
      OwnerRegistry owners,
      LockLimits limits,
      ClientRegistry clients,
      long epoch,
      String node,
      ClusterWaits waits,
      LockScheduler scheduler,
      GracePeriod grace) {
    this.grace = grace;
    this.owners = owners;
    this.limits = limits;
    this.clients = clients;
    this.epoch = epoch;
    this.node = node;
    this.waits = waits;
    this.scheduler = scheduler;
  }

  /**
   * Makes {@code t} hold the file's committed state as {@code tx} reads it: records, then queue.
   * {@code writable}: the operation holds the file and may delete rows of answered waiters.
   *
   * @throws StoreError as {@link #load(FileLockTable, List)}; STORE_UNAVAILABLE if the state cannot
   *     be read
   */
  void load(FileLockTable t, FileTransaction tx, boolean writable, Deferred d) {
    load(t, tx.records());
    loadQueue(t, tx.waiters(), writable ? tx : null, d);
  }

  /**
   * Makes {@code t} hold exactly {@code records}.
   *
   * @throws StoreError INVALID_ARGUMENT if an owner's records here are of the other flavour than
   *     the owner's records this node holds elsewhere (only a faulty adapter mixes them); the table
   *     is then left consistent with the counters but not current, and the caller must treat it as
   *     unsynced
   */
  void load(FileLockTable t, List<PersistedLock> records) {
    Map<LockId, Lock> locks = new HashMap<>();
    Map<LockId, ShareReservation> opens = new HashMap<>();
    long newest = 0;
    for (PersistedLock r : records) {
      LockId id;
      if (r.kind() == PersistedLock.Kind.LOCK) {
        Lock l = r.toLock();
        locks.put(l.id(), l);
        id = l.id();
      } else {
        ShareReservation o = r.toReservation();
        opens.put(o.id(), o);
        id = o.id();
      }
      if (id.epoch() == epoch) {
        newest = Math.max(newest, id.sequence());
      }
    }
    Map<LockOwner, List<Lock>> gone = new LinkedHashMap<>();
    Map<LockOwner, List<Lock>> come = new LinkedHashMap<>();
    for (Lock held : t.locks()) {
      Lock now = locks.remove(held.id());
      if (!held.equals(now)) {
        gone.computeIfAbsent(held.owner(), o -> new ArrayList<>()).add(held);
        if (now != null) {
          come.computeIfAbsent(now.owner(), o -> new ArrayList<>()).add(now);
        }
      }
    }
    locks.values().forEach(l -> come.computeIfAbsent(l.owner(), o -> new ArrayList<>()).add(l));
    gone.forEach((owner, removed) -> change(t, owner, new LockChange(removed, List.of(), null)));
    come.forEach((owner, added) -> change(t, owner, new LockChange(List.of(), added, null)));
    for (ShareReservation held : t.opens.all()) {
      ShareReservation now = opens.remove(held.id());
      if (!held.equals(now)) {
        t.opens.remove(held);
        if (now != null) {
          t.opens.add(now);
        }
      }
    }
    opens.values().forEach(t.opens::add);
    t.requireIdsAbove(newest);
    markRestored(t);
  }

  /**
   * While the cluster's grace period runs here, the records of an older epoch are the restored ones
   * (SPEC 11, docs/cluster.md): they are marked so that reclaims find them; outside grace none is.
   */
  private void markRestored(FileLockTable t) {
    if (!grace.active() && !t.hasRestored()) {
      return;
    }
    t.takeRestored();
    if (!grace.active()) {
      return;
    }
    for (Lock l : t.locks()) {
      if (l.epoch() < epoch) {
        t.markRestored(l.id());
      }
    }
    for (ShareReservation o : t.opens.all()) {
      if (o.epoch() < epoch) {
        t.markRestored(o.id());
      }
    }
    t.dropRestoredIfNone();
  }

  /** Rebuilds the queue from {@code rows}; {@code tx} null in a read (nothing deleted). */
  private void loadQueue(
      FileLockTable t, List<QueuedRequest> rows, FileTransaction tx, Deferred d) {
    List<QueuedRequest> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(r -> LockId.parse(r.id())));
    Map<LockId, Waiter> held = new HashMap<>();
    t.waiters().forEach(w -> held.put(w.id(), w));
    Set<LockId> seen = new HashSet<>();
    List<Waiter> queue = new ArrayList<>();
    for (QueuedRequest row : sorted) {
      LockId id = LockId.parse(row.id());
      if (id.epoch() == epoch) {
        t.requireIdsAbove(id.sequence()); // FIFO is id order: a new waiter must come after it
      }
      boolean mine = row.node().equals(node);
      Waiter live = mine ? waits.get(id) : null;
      if (row.state() == QueuedRequest.State.WAITING) {
        if (mine && live == null) {
          if (tx != null) {
            tx.deleteWaiter(row.id()); // left by an earlier incarnation of this node
          }
          continue;
        }
        Waiter w = mine ? live : held.get(id);
        queue.add(w == null || w.isLocal() != mine ? standIn(row) : w);
        seen.add(id);
      } else if (mine) {
        if (live != null) {
          answer(live, row, d);
          seen.add(id);
        }
        if (tx != null) {
          tx.deleteWaiter(row.id());
        }
      }
    }
    for (Waiter w : t.waiters()) {
      if (w.isLocal() && !seen.contains(w.id())) {
        w.cancelTimer();
        limits.giveBack(w.request().client(), w.takeReservation(), clients);
        d.later(() -> waits.unregister(w));
        d.fail(
            w,
            new StoreError(
                ErrorCode.CANCELLED,
                "blocking request "
                    + w
                    + " was cancelled: its node was taken for dead and its queue entry dropped",
                null,
                w.request().file().toHex(),
                null,
                null));
      }
    }
    t.replaceWaiters(queue);
  }

  /** Answers this node's waiter that another node granted or failed. */
  private void answer(Waiter w, QueuedRequest row, Deferred d) {
    w.cancelTimer();
    // the grant's records were counted by the load: the reservation made for them goes
    limits.giveBack(w.request().client(), w.takeReservation(), clients);
    d.later(() -> waits.unregister(w));
    Duration waited = Duration.ofNanos(Math.max(0, scheduler.nanoTime() - w.enqueuedNanos()));
    if (row.state() == QueuedRequest.State.GRANTED) {
      d.complete(w, row.granted().toLock());
      d.event(new LockEvent.Waited(w.request(), waited, LockEvent.WaitOutcome.GRANTED));
      return;
    }
    ErrorCode code = ErrorCode.valueOf(row.failureCode());
    d.fail(
        w,
        new StoreError(code, row.failureMessage(), null, w.request().file().toHex(), null, null));
    d.event(
        new LockEvent.Waited(
            w.request(),
            waited,
            switch (code) {
              case DEADLOCK -> LockEvent.WaitOutcome.DEADLOCK;
              case CANCELLED -> LockEvent.WaitOutcome.CANCELLED;
              case TIMED_OUT -> LockEvent.WaitOutcome.TIMED_OUT;
              default -> LockEvent.WaitOutcome.FAILED;
            }));
  }

  /** Another node's waiter, as this node's queue holds it. */
  private static Waiter standIn(QueuedRequest row) {
    PersistedLock r = row.request();
    LockRequest req =
        LockRequest.builder(r.file(), LockOwner.of(r.owner()))
            .share(r.share())
            .client(new LockClient(r.clientId(), r.adapter()))
            .flavour(r.flavour())
            .type(r.type())
            .range(r.range())
            .build();
    return Waiter.remote(LockId.parse(r.id()), req, r.acquiredAt(), r.epoch(), row.node());
  }

  /** Applies one owner's part of a load with its counters; removals never fail. */
  private void change(FileLockTable t, LockOwner owner, LockChange ch) {
    List<Lock> records = ch.removed().isEmpty() ? ch.added() : ch.removed();
    OwnerLocks index = t.ownerIndex(owner);
    owners.adjust(index, owner, records.get(0).flavour(), ch.delta());
    t.apply(ch);
    limits.countLoaded(index, ch, clients);
    if (!ch.added().isEmpty()) {
      // a recount of the client's count reloads this file too (RangeLocks)
      clients.state(ch.added().get(0).client()).files.add(ch.added().get(0).file());
    }
  }
}
