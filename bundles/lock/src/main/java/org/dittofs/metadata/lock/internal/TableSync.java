package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * Cluster mode: brings a node's cached table of a file to the committed state of the file (its
 * records as the store holds them), moving the node's counters with it: each owner's count and
 * flavour ({@link OwnerRegistry}), each client's count and the total ({@link LockLimits}). Records
 * are matched by id and compared whole (an open's downgrade keeps its id), so a table that is
 * already current changes nothing, and a table left half-way by an earlier failure is finished by
 * the next load: each step keeps the table and the counters consistent with each other.
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

  TableSync(OwnerRegistry owners, LockLimits limits, ClientRegistry clients, long epoch) {
    this.owners = owners;
    this.limits = limits;
    this.clients = clients;
    this.epoch = epoch;
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
  }

  /** Applies one owner's part of a load with its counters; removals never fail. */
  private void change(FileLockTable t, LockOwner owner, LockChange ch) {
    List<Lock> records = ch.removed().isEmpty() ? ch.added() : ch.removed();
    owners.adjust(t.ownerIndex(owner), owner, records.get(0).flavour(), ch.delta());
    t.apply(ch);
    limits.count(t, ch, clients);
  }
}
