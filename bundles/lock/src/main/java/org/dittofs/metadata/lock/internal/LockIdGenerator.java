package org.dittofs.metadata.lock.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.spi.LockCluster;

/**
 * Cheap unique ids: the server epoch plus a sequence number. Epochs are incremented at every start,
 * so ids never repeat across restarts; within an epoch, ids are unique.
 *
 * <p>Sequence numbers are handed to each file table in blocks of {@value #BLOCK} taken from one
 * atomic counter, and the table hands them out one by one under its monitor: ids of one file are
 * ordered by creation (a table takes its next block only when its current one is used up, and every
 * block is above all earlier ones), which is the order conflicts and listings of a file need ("the
 * oldest first"); ids of different files are unique but their order says nothing. So threads
 * working on different files do not write one shared counter for every lock (at most one
 * compare-and-set per {@value #BLOCK} ids per file). A retired table's unused numbers are skipped.
 *
 * <p>A hot file's lanes ({@link Lanes}) each take blocks of their own, so that their fast paths
 * share no counter; the order a file's ids need is kept there as {@link Lanes} explains (the table
 * and its lanes skip to a new block when theirs is behind an id handed out elsewhere in the file,
 * {@link FileLockTable#requireIdsAbove}).
 *
 * <p>In cluster mode (docs/cluster.md) the epoch is the cluster's, the same at every node, and the
 * blocks are cut from larger ones ({@value #CLUSTER_BLOCK} numbers) that the cluster hands out in
 * increasing order to all nodes. A table that finds in its file an id of another node at or above
 * its own next one takes a new block above it ({@link #takeBlock(long)}), so ids of one file stay
 * ordered by creation at whatever node they are made.
 *
 * <p>Concurrency: {@code sequence} is atomic; the cluster block ({@code clusterNext}, {@code
 * clusterEnd}) is guarded by this object's monitor; each table's position in its block is the
 * table's own state, guarded by its monitor (a lane's table: by the lane's lock), held by every
 * caller of {@link #next(FileLockTable)}.
 */
final class LockIdGenerator {
  static final int BLOCK = 64;

  /** Sequence numbers a node takes from the cluster at once. */
  static final int CLUSTER_BLOCK = 64 * BLOCK;

  private final long epoch;
  private final AtomicLong sequence = new AtomicLong();
  private final LockCluster cluster; // null on one node
  private long clusterNext = 1;
  private long clusterEnd; // clusterNext > clusterEnd: no block held

  LockIdGenerator(long epoch) {
    this(epoch, null);
  }

  /** Ids of a cluster node ({@code cluster} not null): blocks come from the cluster. */
  LockIdGenerator(long epoch, LockCluster cluster) {
    this.epoch = epoch;
    this.cluster = cluster;
  }

  /** The next id of a record (lock, open or waiter) of the file of {@code t}. */
  LockId next(FileLockTable t) {
    return new LockId(epoch, t.nextSequence(this));
  }

  /** Takes the next block of {@value #BLOCK} sequence numbers; returns its last number. */
  long takeBlock() {
    return cluster == null ? sequence.addAndGet(BLOCK) : takeBlock(0);
  }

  /**
   * Takes the next block of {@value #BLOCK} sequence numbers, all above {@code above}; returns its
   * last number. On one node every block is above every id made, so {@code above} changes nothing.
   */
  long takeBlock(long above) {
    if (cluster == null) {
      return takeBlock();
    }
    synchronized (this) {
      if (clusterNext <= above || clusterEnd - clusterNext + 1 < BLOCK) {
        long first = cluster.idBlock(CLUSTER_BLOCK);
        if (first <= above) {
          throw new IllegalStateException(
              "the cluster handed out id block " + first + " not above id " + above);
        }
        clusterNext = first;
        clusterEnd = first + CLUSTER_BLOCK - 1;
      }
      clusterNext += BLOCK;
      return clusterNext - 1;
    }
  }

  long epoch() {
    return epoch;
  }
}
