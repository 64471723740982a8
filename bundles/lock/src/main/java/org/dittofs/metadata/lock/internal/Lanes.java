package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.host.LockConfig;

/**
 * The lanes of a contended file: up to {@value #MAX} owners whose requests on the file run without
 * the file table's monitor, each in its own {@link Lane}, so that threads working on disjoint bytes
 * of one hot file write no common cache line (a monitor, a tree, a counter moving between cores
 * made two threads on one file slower than one: benchmarks/README.md, "hot file").
 *
 * <p><b>Slow path.</b> {@link LockTables#run} holds the file table's monitor and, for the whole
 * operation, every lane's lock ({@link #lockAll}, {@link #unlockAll}); it sees and may change
 * everything, lanes included: {@link FileLockTable} keeps each lane owner's records in its lane and
 * answers every question (conflicts, listings, counts) over all of them, so the operations that run
 * there are the ones of a file without lanes. Lanes are made and dropped only there.
 *
 * <p><b>Fast path</b> ({@link LockTables#runOwned}, lock and unlock requests): a request of an
 * owner with a lane, holding only the lane's lock, runs on the lane's table if (checked under that
 * lock) the lane and the file's table are live, the file has no waiters and no restored records,
 * traffic is not held, no store is written and the lane's budget has room. It changes the owner's
 * records only. A change that adds records passes {@link FileLockTable#admit} first: the lane's
 * claim is widened to the new records, then every other lane's claim and the file table's trees
 * (which only slow paths change, holding this lane's lock too) are searched for anything the new
 * records reach; if there is, the request takes the slow path, which decides conflicts over the
 * whole file. Two fast paths each write their claim before reading the other's (volatile accesses,
 * so in one total order): at least one of them sees the other's claim and steps aside. So records
 * of different owners that overlap, and every conflict, are made by slow paths only.
 *
 * <p><b>Ids</b> ("the oldest first" orders records of one file that start at the same byte, and
 * such records overlap): a lane takes its own blocks ({@link LockIdGenerator}), so its fast path
 * writes no shared counter. A slow path hands out ids above every id its table and its lanes handed
 * out (a lane is dropped only when it holds nothing, or when the file's lanes are dissolved, after
 * which the file's table takes its ids above every lane's; the table and each lane take a new block
 * when theirs is behind, {@link FileLockTable#nextSequence}); a fast path adds records that overlap
 * none of another owner's; a lane's own ids grow. So of two records starting at one byte, the later
 * has the larger id.
 *
 * <p><b>Per-file limit</b> (exact, SPEC 8): a lane may grow in its fast path up to its budget,
 * given by a slow path out of the room left under the limit ({@link #refill}); slow paths count the
 * budgets' unused part as taken ({@link #slack}) and take it back when they need it. A budget holds
 * for the configuration it was given under only (any reconfiguration voids it).
 *
 * <p><b>When.</b> A file gets lanes when its monitor was found taken by another thread ({@link
 * LockTables}, "contention"); an owner gets one on a lock request after which it holds records here
 * (granted or not), while a slot is free or held by an owner with nothing left here. Lanes go with
 * the file's table (swept when idle) or are dissolved (below), and are never made in cluster mode,
 * with a store being written, or while the file has waiters or restored records (the fast path
 * would step aside anyway).
 *
 * <p><b>Colliding owners.</b> Lanes pay only while owners keep clear of each other's bytes; where
 * their records meet (readers of a database file holding SHARED locks on one range, say) requests
 * try their lanes, step aside and take the monitor with every lane's lock, which costs more than
 * the plain table. So each lane counts its owner's requests that stepped aside because their
 * records would reach another owner's ({@link Lane#COLLISION}; not those that stepped aside for
 * waiters, a store, a budget), {@value #COLLISION_WEIGHT} each, less 1 for each lock request its
 * fast path ran ({@link Lane#score}, not below 0; unlocks run in the lane are not counted: a
 * reader's unlock runs there even when its lock did not). Lanes thus stay while fewer than about a
 * quarter of the lock requests collide (two readers of one range: a collision costs about 2.5 times
 * what a pair run in a lane saves; benchmarks/README.md, fifth round). When the count reaches
 * {@value #DISSOLVE_AT} the slow path the request stepped aside to dissolves the file's lanes
 * ({@link FileLockTable#dissolveLanes}): every lane's records go back to the file's table, which
 * then hands out ids above every id the lanes did, and the lanes are retired. The file makes no
 * lane for the next {@value #BACKOFF} lock requests after which their owner holds records here (the
 * dissolving one included), twice as many after each dissolution (up to {@code BACKOFF << }{@value
 * #MAX_BACKOFF_SHIFT}), then tries again: a file whose owners meet all the time spends a small
 * share of its requests on lanes. Lanes that paid before they were dissolved (their tables changed
 * at least {@value #BACKOFF} times, and 8 times as often as their owners' requests collided) reset
 * the doubling: the workload changed.
 *
 * <p><b>Concurrency.</b> {@code slots} is written by slow paths only (the file table's monitor and
 * every lane's lock held: a new lane is locked before it is put in) and read by fast paths without
 * a lock, which check what they found under the lane's lock ({@link Lane#retired}). The rest is the
 * lanes' own state (see {@link Lane}). Not reentrant: one slow path per thread per file.
 */
final class Lanes {
  /** The most lanes of one file. */
  static final int MAX = 4;

  /** The most records a slow path lets a lane add in its fast path before asking again. */
  static final int CHUNK = 16;

  /** A lane's count of collisions at which the file's lanes are dissolved ("colliding owners"). */
  static final int DISSOLVE_AT = 64;

  /**
   * What one collision adds to its lane's count; a lock request run in the lane takes 1 off: lanes
   * stay while fewer than about a quarter of the lock requests collide ("colliding owners").
   */
  static final int COLLISION_WEIGHT = 3;

  /** Lock requests without a new lane after the file's first dissolution ("colliding owners"). */
  static final int BACKOFF = 1024;

  /** The backoff doubles with each dissolution, this many times at most. */
  static final int MAX_BACKOFF_SHIFT = 8;

  private final Lane[] slots = new Lane[MAX];

  /** The owner's lane, or null: read without a lock, to be checked under the lane's. */
  Lane find(LockOwner owner) {
    Lane[] s = slots;
    for (int i = 0; i < s.length; i++) {
      Lane l = s[i];
      if (l != null && l.of(owner)) {
        return l;
      }
    }
    return null;
  }

  /** Takes every lane's lock (a slow path, under the file table's monitor). */
  void lockAll() {
    for (Lane l : slots) {
      if (l != null) {
        l.lock.lock();
      }
    }
  }

  /**
   * Empties the claims of lanes holding nothing and lets every lane go (the end of a slow path).
   */
  void unlockAll() {
    for (Lane l : slots) {
      if (l != null) {
        if (l.table.lockCount() == 0) {
          l.clearClaim();
        }
        l.lock.unlock();
      }
    }
  }

  /**
   * A new lane for {@code owner} on {@code main} (its file's table), locked by the caller and put
   * in a free slot or in that of a lane holding nothing (which is retired and let go); null if
   * every slot holds records. A slow path.
   */
  Lane add(LockOwner owner, FileLockTable main) {
    int free = -1;
    for (int i = 0; i < slots.length && free < 0; i++) {
      if (slots[i] == null) {
        free = i;
      }
    }
    for (int i = 0; i < slots.length && free < 0; i++) {
      if (slots[i].table.lockCount() == 0) {
        Lane idle = slots[i];
        if (idle.lock.getHoldCount() != 1) {
          throw new IllegalStateException("a slow path nested on one file's table");
        }
        idle.retired = true;
        idle.table.letGoPins(); // its owner's index goes with it
        slots[i] = null;
        idle.lock.unlock(); // a fast path waiting for it finds it retired and takes the slow path
        free = i;
      }
    }
    if (free < 0) {
      return null;
    }
    Lane l = new Lane(owner, main);
    l.lock.lock();
    slots[free] = l;
    return l;
  }

  /**
   * Retires every lane and lets it go: their records went back to the file's table ({@link
   * FileLockTable#dissolveLanes}); a fast path waiting for a lane finds it retired and takes the
   * slow path. A slow path, which took every lane's lock.
   */
  void retireAll() {
    for (Lane l : slots) {
      if (l != null) {
        l.retired = true;
        l.lock.unlock();
      }
    }
  }

  /** Whether a lane other than {@code self} claims any of {@code [first, last]}. */
  boolean othersClaim(Lane self, long first, long last) {
    Lane[] s = slots;
    for (int i = 0; i < s.length; i++) {
      Lane l = s[i];
      if (l != null && l != self && l.claims(first, last)) {
        return true;
      }
    }
    return false;
  }

  /** The lanes, in slot order (a slow path). */
  List<Lane> all() {
    List<Lane> out = new ArrayList<>(MAX);
    forEach(out::add);
    return out;
  }

  /** Calls {@code action} for each lane (a slow path). */
  void forEach(Consumer<Lane> action) {
    for (Lane l : slots) {
      if (l != null) {
        action.accept(l);
      }
    }
  }

  /** The records in the lanes (a slow path). */
  int lockCount() {
    int n = 0;
    for (Lane l : slots) {
      if (l != null) {
        n += l.table.lockCount();
      }
    }
    return n;
  }

  /**
   * The unused part of the lanes' budgets under configuration {@code c}: records they may still add
   * without asking, which a slow path counts as taken.
   */
  int slack(LockConfig c) {
    int n = 0;
    for (Lane l : slots) {
      if (l != null && l.budgetFor == c) {
        n += Math.max(0, l.budget - l.table.lockCount());
      }
    }
    return n;
  }

  /** Takes back every lane's unused budget (a slow path that needs the room). */
  void dropBudgets() {
    forEach(l -> l.budget = l.table.lockCount());
  }

  /**
   * Gives {@code lane} a budget under configuration {@code c} for a file holding {@code records}
   * records: up to {@value #CHUNK} more than it holds, out of the room under the per-file limit
   * that the other lanes' budgets leave. A slow path.
   */
  void refill(Lane lane, LockConfig c, int records) {
    lane.budgetFor = c;
    lane.budget = lane.table.lockCount(); // its own unused part is not the others'
    int max = c.maxLocksPerFile();
    if (max <= 0) {
      return;
    }
    int room = max - records - slack(c);
    lane.budget += Math.max(0, Math.min(CHUNK, room));
  }

  /** The largest sequence number any lane has handed out (0 if none). */
  long maxIssued() {
    long m = 0;
    for (Lane l : slots) {
      if (l != null) {
        m = Math.max(m, l.table.issuedSequence());
      }
    }
    return m;
  }

  /** Makes every lane take its next id above {@code seq} (a slow path handed out {@code seq}). */
  void idsAbove(long seq) {
    forEach(l -> l.table.requireIdsAbove(seq));
  }
}
