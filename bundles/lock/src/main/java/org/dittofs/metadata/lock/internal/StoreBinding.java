package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.host.SwapReport;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.spi.StoreCopier;
import org.slf4j.Logger;

/**
 * The store the manager is bound to, and the hot swap to another one (DESIGN "Hot swap"): lock
 * traffic is held, every live record is copied into the new store, writes go there from then on,
 * and traffic resumes. At close, the clean-shutdown marker is set once every write has landed.
 *
 * <p>A node of a cluster (docs/cluster.md) is bound to the cluster's database for its life: it does
 * not swap, and at close it leaves the cluster.
 *
 * <p>Concurrency: {@code store} is volatile and written only while traffic is held (or at close);
 * the {@link StoreWriter} guards its own queue.
 */
final class StoreBinding {
  private static final Logger LOG = EventBus.LOG;

  private final LockScheduler scheduler;
  private final LockIdGenerator ids;
  private final EventBus events;
  private final StoreWriter writer;
  private final LockTables tables;
  private final LockCluster cluster; // cluster mode (docs/cluster.md); null on one node
  private volatile LockStore store; // null when running without persistence

  StoreBinding(
      LockStore store,
      LockScheduler scheduler,
      LockIdGenerator ids,
      EventBus events,
      StoreWriter writer,
      LockTables tables,
      LockCluster cluster) {
    this.cluster = cluster;
    this.store = store;
    this.scheduler = scheduler;
    this.ids = ids;
    this.events = events;
    this.writer = writer;
    this.tables = tables;
  }

  /**
   * Moves to {@code next} (null: no store; grants then fail with STORE_UNAVAILABLE) with traffic
   * held, copying the live records with {@code copier} (null: one plain commit that replaces what
   * {@code next} holds).
   *
   * @throws StoreError NOT_SUPPORTED in cluster mode: the cluster's database holds every node's
   *     state
   */
  SwapReport swap(LockStore next, StoreCopier copier) {
    if (cluster != null) {
      throw new StoreError(
          ErrorCode.NOT_SUPPORTED,
          "a node of a cluster does not swap stores: the cluster's database holds every node's"
              + " state (docs/cluster.md); stop the node and start it over the other store");
    }
    long start = scheduler.nanoTime();
    int[] copied = new int[1];
    tables.withTrafficHeld(
        live -> {
          if (next != null) {
            (copier != null ? copier : copyInto(next)).copy(ids.epoch(), live);
          }
          writer.switchTo(next == null ? UnavailableLockStore.INSTANCE : next);
          store = next;
          copied[0] = live.size();
        });
    Duration held = Duration.ofNanos(scheduler.nanoTime() - start);
    int reported = next == null ? 0 : copied[0];
    events.publish(new LockEvent.StoreSwapped(held, reported, next == null));
    LOG.info(
        (next == null ? "lock store detached" : "lock store swapped")
            + " in "
            + held.toMillis()
            + " ms, "
            + copied[0]
            + " records copied");
    return new SwapReport(held, reported);
  }

  /** The plain {@link LockStore} copy: one commit replacing every record, then the epoch. */
  private static StoreCopier copyInto(LockStore next) {
    return (epoch, records) -> {
      Set<String> keep = new HashSet<>();
      List<LockStoreOp> ops = new ArrayList<>();
      records.forEach(
          r -> {
            keep.add(r.id());
            ops.add(new LockStoreOp.Put(r));
          });
      for (PersistedLock old : next.listLocks(LockQuery.all())) {
        if (!keep.contains(old.id())) {
          ops.add(0, new LockStoreOp.Delete(old.id()));
        }
      }
      next.apply(ops);
      next.setServerEpoch(epoch);
      next.setCleanShutdown(false);
    };
  }

  /**
   * At close: flushes the pending writes and, if they all landed, marks the store cleanly shut
   * down; otherwise the next start enters grace. In cluster mode the node leaves the cluster
   * instead: the cluster's clean-shutdown marker is not this node's to set.
   */
  void shutDown() {
    if (cluster != null) {
      writer.close();
      cluster.leave();
      return;
    }
    boolean landed = writer.flush();
    writer.close(); // a round still waiting for the store ends after its attempt, retrying nothing
    LockStore s = store;
    if (s == null) {
      return;
    }
    if (landed) {
      try {
        s.setCleanShutdown(true);
      } catch (RuntimeException e) {
        LOG.warn("could not mark the lock store cleanly shut down", e);
      }
    } else {
      LOG.warn(writer.pending() + " lock store writes did not land; the next start enters grace");
    }
  }

  /**
   * What a single node's manager reads from its store at start: the next server epoch, whether the
   * last shutdown was clean, and the records to restore. The store is marked not cleanly shut down
   * from now on. Without a store: {@code epoch}, clean, nothing.
   *
   * @throws StoreError STORE_UNAVAILABLE if the store cannot be read (the manager does not start)
   */
  static Opening open(LockStore store, long epoch) {
    if (store == null) {
      return new Opening(epoch, true, List.of());
    }
    try {
      long ep = store.incrementServerEpoch();
      // a store that was never started (epoch 0 before this start) had no last shutdown
      boolean clean = ep == 1 || store.isCleanShutdown();
      List<PersistedLock> records = store.listLocks(LockQuery.all());
      store.setCleanShutdown(false);
      return new Opening(ep, clean, records);
    } catch (RuntimeException e) {
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE,
          "the lock manager cannot start: its store cannot be read: " + e.getMessage(),
          e);
    }
  }

  /** See {@link #open}. */
  record Opening(long epoch, boolean clean, List<PersistedLock> records) {}
}
