package org.dittofs.metadata.lock.internal;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.host.LockConfig;

/**
 * One owner's part of a contended file's lock state ({@link Lanes} has the protocol): a table of
 * its own holding every lock the owner has on the file, its own lock, and the owner's claim, the
 * bytes its locks cover, which the other lanes read to know they keep clear of it.
 *
 * <p><b>Concurrency.</b> {@code owner}, {@code table}, {@code lock} are final, so a lane read
 * through a data race is whole. Everything in {@code table} is guarded by {@code lock}. The claim
 * ({@code claimFirst}, {@code claimLast}, volatile) is written by the lane's fast path under {@code
 * lock}, which only ever widens it, or by a slow path holding every lane's lock (any value); other
 * lanes' fast paths read it without a lock. {@code budget}, {@code budgetFor} and {@code retired}
 * are written by slow paths only (every lane's lock held) and read under {@code lock}. {@code
 * score} is guarded by {@code lock}: a fast path lowers it, a slow path raises it.
 *
 * <p><b>Layout.</b> The fields sit between two runs of padding ({@link LanePadding}, {@link Lane}'s
 * own {@code q0..q7}): other threads read the claim on every request of theirs, so no field this
 * lane's owner writes often may share a cache line with it; the objects allocated next to the lane
 * would. The other objects a fast path writes on each request of an owner holding one lock here are
 * padded after their fields: the table ({@link FileLockTable.Padded}), its two trees ({@link
 * IntervalTree.Padded}, treaps at every size: an array's slots cannot be padded, and a request that
 * adds and removes one lock writes a new node and the tree, no old node) and the owner's index
 * ({@link OwnerLocks.Padded}). So where the collector copies two lanes' objects side by side, one's
 * state mostly ends before the other's begins. Not covered: what sits in front of an object (its
 * first bytes share a line with the end of whatever the collector put before it; only a superclass
 * could pad there), the lock's synchronizer (a {@code ReentrantLock}'s, a small object of its own),
 * old tree nodes an owner holding several locks rewrites, the array of an owner holding two or
 * more, event actions. Measured: two threads on disjoint bytes of one file did 7.6 to 17.4
 * lock+unlock pairs per microsecond unpadded, depending on where the objects landed in each JVM (3
 * of 8 JMH forks slower than one thread), and 10.3 to 17.4 padded over 20 forks, none slower than
 * one thread's 10.2 to 10.7 (benchmarks/README.md, sixth round). A padded synchronizer of our own
 * (an {@code AbstractQueuedSynchronizer} with the padding in the same object) took the hot file's
 * last slow mode away too, but readers of one range, whose slow paths take both lanes' locks, then
 * did 3 to 4 pairs per microsecond in most JMH forks instead of 5 to 9, for reasons not found: not
 * kept. Only lanes pay the padding (about 260 bytes each, at most {@value Lanes#MAX} per file): a
 * file's table is not padded. What slow draws are left (benchmarks/README.md, eighth round): a
 * lane's table or lock synchronizer copied into the line that ends one of the manager's parts every
 * request reads ({@code RequestChecks}, {@code PosixChanges}, {@code LockTables}), which happens
 * when the lanes are made before the manager's parts were first promoted (a benchmark's first
 * milliseconds, seldom a server's), or into the line that ends the file's own table.
 */
final class Lane extends LaneFields {
  /** The claim of a lane that holds nothing: first above last. */
  static final long NONE_FIRST = -1L; // unsigned maximum

  static final long NONE_LAST = 0L;

  /** Cache-line padding after the fields (see the class comment). */
  long q0, q1, q2, q3, q4, q5, q6, q7;

  /**
   * What a fast path throws to hand its request to the slow path (nothing changed yet): one shared
   * instance, no stack trace.
   */
  static final Detour DETOUR = new Detour("the request needs the whole file's table");

  /**
   * {@link #DETOUR} for a request whose records would reach another owner's ({@link #admit}): the
   * only detour that counts towards dissolving the file's lanes ({@link Lanes}, "colliding
   * owners").
   */
  static final Detour COLLISION = new Detour("the request's records reach another owner's");

  /** See {@link #DETOUR}. */
  static final class Detour extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private Detour(String why) {
      super(why, null, false, false);
    }
  }

  Lane(LockOwner owner, FileLockTable main) {
    super(owner, main);
  }

  /**
   * A lock request ran here: the collision score goes down by 1 ({@link Lanes}, "colliding
   * owners"); no write while it is 0, the usual case of owners that keep clear of each other.
   */
  void served() {
    if (score > 0) {
      score--;
    }
  }

  /**
   * A request of the owner stepped aside because its records would have reached another owner's
   * ({@link #COLLISION}): the score goes up by {@link Lanes#COLLISION_WEIGHT}; whether it reached
   * {@code dissolveAt}. A slow path.
   */
  boolean collided(int dissolveAt) {
    score = (int) Math.min(Integer.MAX_VALUE, (long) score + Lanes.COLLISION_WEIGHT);
    return score >= dissolveAt;
  }

  /** Whether the lane is its owner's (identity first: the usual caller passes the same object). */
  boolean of(LockOwner o) {
    return owner == o || owner.equals(o);
  }

  /**
   * Widens the claim to cover {@code [first, last]}; a volatile write only if it grows. Called by
   * the fast path (under {@code lock}) and by slow paths.
   */
  void cover(long first, long last) {
    long f = claimFirst;
    long l = claimLast;
    boolean none = Long.compareUnsigned(f, l) > 0;
    if (none || Long.compareUnsigned(first, f) < 0) {
      claimFirst = first;
    }
    if (none || Long.compareUnsigned(last, l) > 0) {
      claimLast = last;
    }
  }

  /** Widens the claim to cover {@code l} ({@link #reach}). */
  void cover(Lock l) {
    ByteRange r = l.range();
    cover(reachFirst(r), r.last());
  }

  /** Empties the claim (a slow path, the lane holding nothing). */
  void clearClaim() {
    if (Long.compareUnsigned(claimFirst, claimLast) <= 0) {
      claimFirst = NONE_FIRST;
      claimLast = NONE_LAST;
    }
  }

  /** Whether the claim meets {@code [first, last]} (read without the lane's lock). */
  boolean claims(long first, long last) {
    long f = claimFirst;
    long l = claimLast;
    return Long.compareUnsigned(f, l) <= 0
        && Long.compareUnsigned(f, last) <= 0
        && Long.compareUnsigned(first, l) <= 0;
  }

  /**
   * The first byte of the bytes a record reaches: its range, and for a WINDOWS zero-length range at
   * X (kept as [X, X]) also X-1, whose holder together with X's conflicts with it.
   */
  static long reachFirst(ByteRange r) {
    return r.isZeroLength() && r.first() != 0 ? r.first() - 1 : r.first();
  }

  /**
   * The fast path's check of a change before it is applied ({@link FileLockTable#admit}): widens
   * the claim to the records it adds, then sends the request to the slow path ({@link #COLLISION})
   * if another lane claims, or the file's table holds, any byte they reach (see {@link Lanes}).
   */
  void admit(LockChange ch) {
    List<Lock> added = ch.added();
    for (int i = 0; i < added.size(); i++) {
      cover(added.get(i));
    }
    for (int i = 0; i < added.size(); i++) {
      ByteRange r = added.get(i).range();
      long first = reachFirst(r);
      if (main.lanes().othersClaim(this, first, r.last()) || main.holdsAny(first, r.last())) {
        throw COLLISION;
      }
    }
  }

  /**
   * The fast path's per-file limit ({@link FileLockTable#fitsFileLimit}): {@code delta} more
   * records fit in the budget given under configuration {@code c}; else the slow path decides.
   */
  void fits(int delta, LockConfig c) {
    if (budgetFor != c || table.lockCount() + delta > budget) {
      throw DETOUR;
    }
  }

  /**
   * Whether the fast path may add up to 2 records here (a POSIX grant adds at most 2, a WINDOWS one
   * 1) under configuration {@code c} (its per-file limit off when not positive).
   */
  boolean roomy(LockConfig c) {
    return c.maxLocksPerFile() <= 0 || (budgetFor == c && table.lockCount() + 2 <= budget);
  }
}

/** Cache-line padding before the fields (see the class comment). */
abstract class LanePadding {
  long p0, p1, p2, p3, p4, p5, p6, p7;
}

/** The lane's state (see the class comment). */
abstract class LaneFields extends LanePadding {
  final LockOwner owner;

  /** The file's table, whose lane this is. */
  final FileLockTable main;

  /** The owner's records on the file. */
  final FileLockTable table;

  final ReentrantLock lock = new ReentrantLock();

  volatile long claimFirst = Lane.NONE_FIRST;
  volatile long claimLast = Lane.NONE_LAST;

  /**
   * While the configuration is {@code budgetFor} (the very instance: any change of configuration,
   * the per-file limit's included, voids the budget): how many records this lane may hold before it
   * must ask the whole table again ({@link Lanes#refill}).
   */
  int budget;

  LockConfig budgetFor;

  boolean retired;

  /**
   * The collision score: {@link Lanes#COLLISION_WEIGHT} for each request of the owner whose records
   * would have reached another owner's ({@link #COLLISION}), less 1 for each of its lock requests
   * run in the lane since, not below 0: the file's lanes are dissolved when it reaches the
   * threshold ({@link Lanes}, "colliding owners").
   */
  int score;

  LaneFields(LockOwner owner, FileLockTable main) {
    this.owner = owner;
    this.main = main;
    this.table = new FileLockTable.Padded((Lane) this);
  }
}
