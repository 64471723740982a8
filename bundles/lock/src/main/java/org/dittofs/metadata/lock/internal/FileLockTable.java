package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockConfig;

/**
 * The lock state of one file: its locks, indexed twice, and its opens.
 *
 * <p>Indexes: {@code shared} and {@code exclusive} hold every lock by type in an {@link
 * IntervalTree} (an unsorted array for a few locks, a treap above; a lane's: a treap), so a SHARED
 * request searches only the EXCLUSIVE locks (nothing SHARED can conflict with it) and the
 * many-readers case stays O(log n); {@code byOwner} holds each owner's locks sorted ({@link
 * OwnerLocks} in an {@link OwnerIndex}), for POSIX replacement and WINDOWS exact-match release.
 * Invariant: a lock is in exactly one tree and in its owner's {@link OwnerLocks}, or in none of
 * them. An owner's index is kept when it empties (reused, with its cached registry entry, by the
 * owner's next lock here; an owner locking and unlocking one range allocates no index each time);
 * {@code idleOwners} counts the empty ones, which are swept when they are more than 8 and more than
 * half of all.
 *
 * <p>Concurrency: every field (the waiters' lease re-check moment and timer included) is guarded by
 * this object's monitor (a lane's table: by its lane's lock; see the lanes paragraph below) ({@code
 * synchronized (table)}), held by {@link LockTables#run} for the whole of each operation on the
 * file; other classes change the state only through these methods. {@code retired} is set, under
 * the monitor, when the empty table is removed from the map of tables; a caller that finds it set
 * after taking the monitor retries with the map's current table.
 *
 * <p>Lanes ({@link Lanes}, a contended file only): each lane owner's records are kept in its lane's
 * table (a {@code FileLockTable} of that owner alone, guarded by the lane's lock), and every method
 * here answers over the file's records and the lanes' together, routing each owner's records to its
 * lane; callers hold this monitor and every lane's lock ({@link #lockLanes}). A lane's fast path
 * works on its lane's table alone, holding the lane's lock only ({@link #admit}, {@link
 * #fitsFileLimit}, {@link #requireMain} send it to the slow path). {@code occupied} and {@code
 * contentions} note whether the monitor was found taken ({@link LockTables}); {@code occupied} is
 * read without the monitor, a hint.
 */
class FileLockTable {
  private final IntervalTree shared;
  private final IntervalTree exclusive;
  private final OwnerIndex byOwner = new OwnerIndex();

  /** Entries of {@code byOwner} whose owner holds nothing here (kept for reuse, swept). */
  private int idleOwners;

  /**
   * The last owner looked up in {@code byOwner} and its entry (null if it had none): one request
   * asks for its owner's index several times (conflict, coalescing, downgrade check, change,
   * counting), and a run of requests usually comes from one owner. Reset when entries are swept.
   */
  private LockOwner lastOwner;

  private OwnerLocks lastIndex;

  final OpenTable opens = new OpenTable();

  /** Pending blocking requests in FIFO order; null while there are none. */
  private List<Waiter> waiters;

  /** Ids of restored records (locks and opens) not reclaimed yet; null outside grace. */
  private Set<LockId> restored;

  private boolean retired;

  /**
   * Counts the changes that can clear or create a conflict for a queued request: locks added or
   * removed, waiters removed. {@link LockTables} compares it before and after an operation and has
   * the waiters re-checked when it moved (SPEC 5: after every change, not only releases).
   */
  private int changes;

  /** The next sequence number of this file's ids and the end of its block. */
  private long nextId;

  private long idLimit;

  /** Cluster mode: the highest sequence number of another node's id seen in this file (else 0). */
  private long idFloor;

  /** Cluster mode: a table that holds no known version of its file (reloaded before use). */
  static final long UNSYNCED = -1;

  /** Cluster mode: the version of the file's committed state held here ({@link TableSync}). */
  private long syncedVersion = UNSYNCED;

  /** What the operation under the monitor defers ({@link Deferred}); made by the first one. */
  private Deferred deferred;

  /**
   * When the waiters want a re-check because a lease runs out ({@link WaitQueue}: the first moment
   * a client blocking one of them becomes a courtesy client), or {@link ClientRegistry#NEVER}; and
   * the timer {@link LockTables} keeps set for that moment, or null.
   */
  private long leaseCheckAt = ClientRegistry.NEVER;

  private LockTables.LeaseTimer leaseTimer;

  /** A lane's table: its lane; null for a file's table. */
  private final Lane lane;

  /**
   * A file's table: its lanes, null until the first and after they are dissolved. Written under the
   * monitor (and every lane's lock); read without it by fast paths, whose lane is checked under its
   * lock (a dissolved file's lanes are retired).
   */
  private Lanes lanes;

  /**
   * Lock requests to let pass before the file makes lanes again, after its lanes were dissolved
   * ({@link Lanes}, "colliding owners").
   */
  private int laneBackoff;

  /**
   * The backoff's doubling (at most {@link Lanes#MAX_BACKOFF_SHIFT}); see {@link #dissolveLanes}.
   */
  private int backoffShift;

  /** How many times the file's lanes were dissolved (saturating; for tests). */
  private int dissolved;

  /** Requests that collided in the file's lanes since they were last dissolved (saturating). */
  private int collisions;

  /** Whether an operation holds the monitor now (read without it: a hint of contention). */
  private boolean occupied;

  /** How many operations found the monitor taken (saturating). */
  private int contentions;

  /** A file's table. */
  FileLockTable() {
    this.lane = null;
    this.shared = new IntervalTree();
    this.exclusive = new IntervalTree();
  }

  /** The table of {@code lane}: its owner's records on the file ({@link Padded}). */
  private FileLockTable(Lane lane) {
    this.lane = lane;
    this.shared = new IntervalTree.Padded();
    this.exclusive = new IntervalTree.Padded();
  }

  /**
   * A lane's table, padded after its fields, with padded trees and owner indexes ({@link Lane},
   * "layout"); a file's table is not (a few hundred bytes per file for nothing).
   */
  static final class Padded extends FileLockTable {
    long q0, q1, q2, q3, q4, q5, q6, q7;

    Padded(Lane lane) {
      super(lane);
    }
  }

  /**
   * The conflicting lock with the lowest first byte, then the oldest, among the locks that {@code
   * applies} accepts; null if none conflicts.
   */
  Lock firstConflict(
      LockOwner owner,
      LockType type,
      ByteRange range,
      Conflicts.Purpose purpose,
      Predicate<Lock> applies) {
    long qFirst;
    long qLast = range.last();
    if (range.isZeroLength()) {
      if (range.first() == 0) {
        return null; // a zero-length range at 0 never conflicts
      }
      qFirst = range.first() - 1;
    } else {
      qFirst = range.first();
    }
    Lock c = exclusive.firstConflict(qFirst, qLast, owner, type, range, purpose, applies);
    if (type == LockType.EXCLUSIVE) {
      c = earlier(c, shared.firstConflict(qFirst, qLast, owner, type, range, purpose, applies));
    }
    return lanes == null ? c : inLanes(c, owner, type, range, purpose, applies);
  }

  /** {@link #firstConflict} over the lanes too: the earliest of {@code c} and theirs. */
  private Lock inLanes(
      Lock c,
      LockOwner owner,
      LockType type,
      ByteRange range,
      Conflicts.Purpose purpose,
      Predicate<Lock> applies) {
    Lock[] in = {c};
    lanes.forEach(
        l -> in[0] = earlier(in[0], l.table.firstConflict(owner, type, range, purpose, applies)));
    return in[0];
  }

  /** The earlier of two locks in {@link #order} (either may be null). */
  private static Lock earlier(Lock a, Lock b) {
    return a == null || (b != null && order(b, a) < 0) ? b : a;
  }

  /** Calls {@code action} for every lock that conflicts, in (first, id) order per type. */
  void forEachConflict(
      LockOwner owner,
      LockType type,
      ByteRange range,
      Conflicts.Purpose purpose,
      Consumer<Lock> action) {
    if (range.isZeroLength() && range.first() == 0) {
      return;
    }
    long qFirst = range.isZeroLength() ? range.first() - 1 : range.first();
    Consumer<Lock> filter =
        held -> {
          if (Conflicts.conflicts(held, owner, type, range, purpose)) {
            action.accept(held);
          }
        };
    if (lanes == null) {
      exclusive.forEachOverlapping(qFirst, range.last(), filter);
      if (type == LockType.EXCLUSIVE) {
        shared.forEachOverlapping(qFirst, range.last(), filter);
      }
      return;
    }
    // the file's records and the lanes', each type in order as without lanes
    overlapping(true, qFirst, range.last()).forEach(filter);
    if (type == LockType.EXCLUSIVE) {
      overlapping(false, qFirst, range.last()).forEach(filter);
    }
  }

  /** The locks of one type overlapping {@code [qFirst, qLast]} here and in the lanes, in order. */
  private List<Lock> overlapping(boolean exclusiveOnes, long qFirst, long qLast) {
    List<Lock> out = new ArrayList<>();
    (exclusiveOnes ? exclusive : shared).forEachOverlapping(qFirst, qLast, out::add);
    lanes.forEach(
        l ->
            (exclusiveOnes ? l.table.exclusive : l.table.shared)
                .forEachOverlapping(qFirst, qLast, out::add));
    out.sort(FileLockTable::order);
    return out;
  }

  boolean isRestored(LockId id) {
    return restored != null && restored.contains(id);
  }

  /** Marks a record restored (loaded at start, not reclaimed yet). */
  void markRestored(LockId id) {
    if (restored == null) {
      restored = new HashSet<>();
    }
    restored.add(id);
  }

  /** Removes a restored mark; returns whether the record was marked. */
  boolean unmarkRestored(LockId id) {
    return restored != null && restored.remove(id);
  }

  /** Whether any record of this file is still marked restored. */
  boolean hasRestored() {
    return restored != null;
  }

  /** Drops the set of restored marks once it is empty. */
  void dropRestoredIfNone() {
    if (restored != null && restored.isEmpty()) {
      restored = null;
    }
  }

  /** Takes every restored mark away (the end of grace): the ids that were marked, or none. */
  Set<LockId> takeRestored() {
    Set<LockId> out = restored == null ? Set.of() : restored;
    restored = null;
    return out;
  }

  /** The ids still marked restored (a copy, for tests). */
  Set<LockId> restoredIds() {
    return restored == null ? Set.of() : Set.copyOf(restored);
  }

  /** The table's collector of deferred actions, for the operation holding the monitor. */
  Deferred deferred(EventBus events) {
    Deferred d = deferred;
    if (d == null) {
      d = deferred = new Deferred(events);
    }
    return d;
  }

  /** The changes so far (see {@code changes}). */
  int changes() {
    return changes;
  }

  /**
   * Sets the change count back to {@code count}, after a trial that changed the table and put it
   * back as it was (no waiter needs a re-check for it).
   */
  void changesBackTo(int count) {
    changes = count;
  }

  boolean isRetired() {
    return retired;
  }

  /**
   * Marks the table unreachable: callers that fetched it earlier retry with the map's current. Its
   * indexes (and its lanes') are let go, their pins taken back. The whole table is held.
   */
  void retire() {
    letGoPins(); // first: a table marked retired must leave the map
    retired = true;
  }

  /** Takes back the owner's pin here if it holds nothing here ({@link LockTables#settle}). */
  void letGoPinIfIdle(LockOwner owner) {
    OwnerLocks own = lookup(owner);
    if (own != null && own.isEmpty()) {
      OwnerRegistry.unpin(own);
    }
  }

  /** Takes back the pins of every index here and in the lanes (they are let go). */
  void letGoPins() {
    forEachIndex(OwnerRegistry::unpin);
  }

  /**
   * The next sequence number of a record of this file: handed out from the table's block, taking a
   * new block from {@code ids} when it is used up ({@link LockIdGenerator}).
   */
  long nextSequence(LockIdGenerator ids) {
    return lanes == null ? next(ids) : nextOverLanes(ids);
  }

  private long next(LockIdGenerator ids) {
    long s = nextId;
    if (s == idLimit) {
      long end = idFloor == 0 ? ids.takeBlock() : ids.takeBlock(idFloor);
      s = end - LockIdGenerator.BLOCK + 1;
      idLimit = end + 1;
    }
    nextId = s + 1;
    return s;
  }

  /**
   * {@link #nextSequence} of a file with lanes: above every id the file's table and its lanes
   * handed out, and every lane's next one above it ({@link Lanes}, "ids").
   */
  private long nextOverLanes(LockIdGenerator ids) {
    requireIdsAbove(lanes.maxIssued());
    long s = next(ids);
    lanes.idsAbove(s);
    return s;
  }

  /** The last sequence number handed out here (0 if none). */
  long issuedSequence() {
    return Math.max(0, nextId - 1);
  }

  /**
   * The file holds an id with sequence number {@code seq} of this epoch, made elsewhere (cluster
   * mode: at another node; lanes: in another part of the file's table); the next id made here must
   * be above it. Drops the rest of the current block if it is not.
   */
  void requireIdsAbove(long seq) {
    if (seq >= nextId && seq > idFloor) {
      idFloor = seq;
      idLimit = nextId; // the next id takes a new block, above idFloor
    }
  }

  /**
   * Cluster mode: the version of the file's committed state this table holds, or {@link #UNSYNCED}.
   */
  long syncedVersion() {
    return syncedVersion;
  }

  void syncedVersion(long version) {
    syncedVersion = version;
  }

  /**
   * Forgets every owner's client memo ({@link OwnerLocks#client}): the file just left a client's
   * file set.
   */
  void forgetClients() {
    byOwner.forEach(own -> own.client = null);
    if (lanes != null) {
      lanes.forEach(l -> l.table.forgetClients());
    }
  }

  long leaseCheckAt() {
    return leaseCheckAt;
  }

  void leaseCheckAt(long at) {
    leaseCheckAt = at;
  }

  LockTables.LeaseTimer leaseTimer() {
    return leaseTimer;
  }

  void leaseTimer(LockTables.LeaseTimer timer) {
    leaseTimer = timer;
  }

  List<Waiter> waiters() {
    return waiters == null ? List.of() : waiters;
  }

  boolean hasWaiters() {
    return waiters != null;
  }

  void addWaiter(Waiter w) {
    if (waiters == null) {
      waiters = new ArrayList<>(2);
    }
    waiters.add(w);
  }

  /**
   * Cluster mode: the queue as the file's committed state has it ({@link TableSync}); one change of
   * the table if it differs from the queue held.
   */
  void replaceWaiters(List<Waiter> queue) {
    if (queue.equals(waiters())) {
      return;
    }
    changes++;
    waiters = queue.isEmpty() ? null : new ArrayList<>(queue);
    if (waiters == null) {
      leaseCheckAt = ClientRegistry.NEVER;
    }
  }

  boolean removeWaiter(Waiter w) {
    if (waiters == null || !waiters.remove(w)) {
      return false;
    }
    changes++;
    if (waiters.isEmpty()) {
      waiters = null;
      leaseCheckAt = ClientRegistry.NEVER;
    }
    return true;
  }

  /** The owner's index on this file, kept even when it holds nothing here (idle), or null. */
  OwnerLocks existingIndex(LockOwner owner) {
    return lookup(owner);
  }

  /** The owner's locks on this file, or null if it holds none. */
  OwnerLocks ownerLocks(LockOwner owner) {
    OwnerLocks own = lookup(owner);
    return own == null || own.isEmpty() ? null : own;
  }

  private OwnerLocks lookup(LockOwner owner) {
    if (owner != lastOwner) { // kept this small: the JIT inlines it everywhere
      lastIndex = indexOf(owner);
      lastOwner = owner;
    }
    return lastIndex;
  }

  /**
   * The owner's index: its lane's if it has one (the same object for as long as the lane is its:
   * {@link #laneFor} forgets the memo when lanes change), else this table's, or null.
   */
  private OwnerLocks indexOf(LockOwner owner) {
    Lane l = lanes == null ? null : lanes.find(owner);
    return l != null ? l.table.byOwner.get(owner) : byOwner.get(owner);
  }

  /**
   * A new index for {@code owner}, after sweeping the idle ones if they are more than 8 and half of
   * all (checked here, where the index grows, and not where an index empties: a release that
   * empties an index still counts through it, {@link OwnerRegistry#released}); a swept index's pin
   * is taken back.
   */
  private OwnerLocks create(LockOwner owner) {
    if (idleOwners > 8 && 2 * idleOwners > byOwner.size()) {
      byOwner.removeIf(FileLockTable::letGoIfIdle);
      idleOwners = 0;
    }
    OwnerLocks own = newIndex(owner);
    byOwner.add(own);
    lastOwner = owner;
    lastIndex = own;
    return own;
  }

  /** Whether the index is idle (empty), then with its pin taken back: it is let go. */
  private static boolean letGoIfIdle(OwnerLocks own) {
    if (!own.isEmpty()) {
      return false;
    }
    OwnerRegistry.unpin(own);
    return true;
  }

  /**
   * The owner's index on this file, created (empty) if missing: where a grant or release finds the
   * owner's cached registry entry.
   */
  OwnerLocks ownerIndex(LockOwner owner) {
    OwnerLocks own = lookup(owner);
    if (own == null) {
      own = create(owner);
      idleOwners++;
    }
    return own;
  }

  /** Applies a change computed against the current state. */
  void apply(LockChange change) {
    List<Lock> removed = change.removed(); // indexed loops: no iterator on the request path
    for (int i = 0; i < removed.size(); i++) {
      remove(removed.get(i));
    }
    List<Lock> added = change.added();
    for (int i = 0; i < added.size(); i++) {
      add(added.get(i));
    }
  }

  /** Reverts a change applied by {@link #apply}. */
  void undo(LockChange change) {
    for (Lock l : change.added()) {
      remove(l);
    }
    for (Lock l : change.removed()) {
      add(l);
    }
  }

  void add(Lock l) {
    changes++;
    if ((lane != null || lanes != null) && routed(l, true)) {
      return;
    }
    (l.exclusive() ? exclusive : shared).insert(l);
    OwnerLocks own = lookup(l.owner());
    if (own == null) {
      own = create(l.owner());
    } else if (own.isEmpty()) {
      idleOwners--;
    }
    own.add(l);
  }

  void remove(Lock l) {
    changes++;
    if (lanes != null && routed(l, false)) {
      return;
    }
    if (!(l.exclusive() ? exclusive : shared).remove(l)) {
      throw new IllegalStateException("lock table corrupt: " + l + " missing from its tree");
    }
    OwnerLocks own = lookup(l.owner());
    own.remove(l);
    if (own.isEmpty()) {
      // kept: an owner that locks and unlocks here again reuses it (no allocation, its cached
      // registry entry and its pin); swept when an index is created ({@link #create})
      idleOwners++;
    }
  }

  /**
   * Lanes: whether {@code l} (added with {@code add}, else removed) is a lane owner's record, then
   * added to or removed from its lane's table; a lane's table keeps its claim over what it adds.
   */
  private boolean routed(Lock l, boolean add) {
    if (lane != null) {
      lane.cover(l);
      return false;
    }
    Lane in = lanes.find(l.owner());
    if (in == null) {
      return false;
    }
    if (add) {
      in.table.add(l);
    } else {
      in.table.remove(l);
    }
    return true;
  }

  int lockCount() {
    return shared.size() + exclusive.size() + (lanes == null ? 0 : lanes.lockCount());
  }

  boolean isEmpty() {
    return lockCount() == 0 && opens.isEmpty() && waiters == null;
  }

  /** Every lock, ordered by first byte, then id. */
  List<Lock> locks() {
    if (lanes != null) {
      List<Lock> out = new ArrayList<>(lockCount());
      shared.forEach(out::add);
      exclusive.forEach(out::add);
      lanes.forEach(l -> out.addAll(l.table.locks()));
      out.sort(FileLockTable::order);
      return out;
    }
    List<Lock> a = new ArrayList<>(shared.size());
    shared.forEach(a::add);
    List<Lock> b = new ArrayList<>(exclusive.size());
    exclusive.forEach(b::add);
    List<Lock> out = new ArrayList<>(a.size() + b.size());
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (j == b.size() || (i < a.size() && order(a.get(i), b.get(j)) < 0)) {
        out.add(a.get(i++));
      } else {
        out.add(b.get(j++));
      }
    }
    return out;
  }

  /** The number of this file's locks that came through {@code client}. */
  int lockCountOf(LockClient client) {
    int n = 0;
    for (Lock l : locks()) {
      if (l.client().equals(client)) {
        n++;
      }
    }
    return n;
  }

  /** Every index of an owner holding locks here, for invariant checks. */
  Map<LockOwner, OwnerLocks> owners() {
    Map<LockOwner, OwnerLocks> out = new HashMap<>();
    byOwner.forEach(
        own -> {
          if (!own.isEmpty()) {
            out.put(own.owner, own);
          }
        });
    if (lanes != null) {
      lanes.forEach(l -> out.putAll(l.table.owners()));
    }
    return out;
  }

  /** Every owner index, idle ones and lanes' included. */
  void forEachIndex(Consumer<OwnerLocks> action) {
    byOwner.forEach(action);
    if (lanes != null) {
      lanes.forEach(l -> l.table.forEachIndex(action));
    }
  }

  /** Number of kept indexes of owners holding nothing here, lanes included (for tests). */
  int idleOwners() {
    int[] n = {idleOwners};
    if (lanes != null) {
      lanes.forEach(l -> n[0] += l.table.idleOwners());
    }
    return n[0];
  }

  /** Number of owner indexes, idle ones and lanes' included (for tests). */
  int ownerIndexes() {
    int[] n = {byOwner.size()};
    if (lanes != null) {
      lanes.forEach(l -> n[0] += l.table.ownerIndexes());
    }
    return n[0];
  }

  // ---- lanes (see Lanes) ----------------------------------------------------------------------

  /** The file's lanes, or null (read by fast paths without the monitor). */
  Lanes lanes() {
    return lanes;
  }

  /** The owner's lane, or null: read without the monitor, to be checked under the lane's lock. */
  Lane laneOf(LockOwner owner) {
    Lanes l = lanes;
    return l == null ? null : l.find(owner);
  }

  /** Takes every lane's lock: with the monitor, the whole file (a slow path). */
  void lockLanes() {
    if (lanes != null) {
      lanes.lockAll();
    }
  }

  /** Lets the lanes go at the end of a slow path. */
  void unlockLanes() {
    if (lanes != null) {
      lanes.unlockAll();
    }
  }

  /**
   * Whether a fast path may run on a lane of this file now: the table is live and the file has no
   * waiters and no restored records. Read under a lane's lock, which every writer of these holds.
   */
  boolean laneMayRun() {
    return !retired && waiters == null && restored == null;
  }

  /**
   * A lane's fast path: lets a change that adds records go on only if no other owner's record or
   * lane's claim reaches them (the lane's claim widened first; see {@link Lanes}), else sends the
   * request to the slow path ({@link Lane#DETOUR}). Nothing to check on a file's table.
   */
  void admit(LockChange ch) {
    if (lane != null) {
      lane.admit(ch);
    }
  }

  /** Whether a record of this table (not its lanes') covers any of {@code [first, last]}. */
  boolean holdsAny(long first, long last) {
    return shared.first(first, last, ANY) != null || exclusive.first(first, last, ANY) != null;
  }

  private static final Predicate<Lock> ANY = l -> true;

  /** On a lane's table, sends the request to the slow path: the answer needs the whole file. */
  void requireMain() {
    if (lane != null) {
      throw Lane.DETOUR;
    }
  }

  /**
   * Whether {@code delta} more records fit under the per-file limit of {@code c} (on): on a file's
   * table, counting the lanes' unused budgets as taken unless the room is needed ({@link Lanes});
   * on a lane's table (fast path), within its budget, else the slow path decides.
   */
  boolean fitsFileLimit(int delta, LockConfig c) {
    if (lane != null) {
      lane.fits(delta, c);
      return true;
    }
    int n = lockCount();
    int max = c.maxLocksPerFile();
    if (n + delta > max) {
      return false;
    }
    if (lanes != null && n + delta + lanes.slack(c) > max) {
      lanes.dropBudgets();
    }
    return true;
  }

  /**
   * An operation now holds the monitor: notes whether it found it taken ({@code waited}) and takes
   * every lane's lock ({@link #lockLanes}).
   */
  void enter(boolean waited) {
    occupied = true;
    if (waited && contentions < Integer.MAX_VALUE) {
      contentions++;
    }
    lockLanes();
  }

  /** How many operations found the monitor taken so far. */
  int contentions() {
    return contentions;
  }

  /** The operation holding the monitor ends: lets the lanes go ({@link #unlockLanes}). */
  void exit() {
    unlockLanes();
    occupied = false;
  }

  /** Whether an operation holds the monitor (read without it: a hint). */
  boolean occupied() {
    return occupied;
  }

  /**
   * Gives {@code owner} a lane, moving its records there, if a slot is free (or held by a lane with
   * nothing left) and the owner has none; the new lane is locked until the slow path ends ({@link
   * Lanes#unlockAll}); gives the owner's lane (new or not) a budget under configuration {@code c}.
   * While the file's lanes are backing off after a dissolution ({@link #dissolveLanes}), counts the
   * request down and gives none.
   */
  void laneFor(LockOwner owner, LockConfig c) {
    if (lanes == null) {
      if (laneBackoff > 0) {
        laneBackoff--; // the file's lanes were dissolved not long ago
        return;
      }
      lanes = new Lanes();
    }
    Lane l = lanes.find(owner);
    if (l == null) {
      l = lanes.add(owner, this);
      if (l == null) {
        return;
      }
      OwnerLocks own = byOwner.get(owner);
      if (own != null) {
        OwnerLocks moving = own;
        byOwner.removeIf(o -> o == moving);
        if (own.isEmpty()) {
          idleOwners--;
        }
        for (Lock x : own.all()) {
          (x.exclusive() ? exclusive : shared).remove(x);
        }
      }
      l.table.adopt(owner, own);
      lastOwner = null; // the owner's index is the lane's now
      lastIndex = null;
    }
    lanes.refill(l, c, lockCount());
  }

  /**
   * A request of {@code owner} stepped aside from its lane to this slow path because its records
   * would have reached another owner's ({@link Lane#COLLISION}): counts it on the lane ({@link
   * Lane#collided}) and dissolves the file's lanes ({@link #dissolveLanes}) if the lane's score
   * reaches {@code dissolveAt}; {@code backoff} as there. A slow path (the monitor and every lane's
   * lock held).
   */
  void laneCollided(LockOwner owner, int dissolveAt, int backoff) {
    Lane l = lanes == null ? null : lanes.find(owner);
    if (l == null) {
      return;
    }
    if (collisions < Integer.MAX_VALUE) {
      collisions++;
    }
    if (l.collided(dissolveAt)) {
      dissolveLanes(backoff);
    }
  }

  /**
   * Dissolves the file's lanes ({@link Lanes}, "colliding owners"): every lane's owner index and
   * records go back to this table, whose next id is then above every id the lanes handed out; the
   * lanes are retired and let go (this slow path took their locks). The file then makes no lane for
   * the next {@code backoff} lock requests that could make one, twice as many after each
   * dissolution (up to {@link Lanes#MAX_BACKOFF_SHIFT} times), except after lanes that paid: their
   * tables changed at least {@code backoff} times and 8 times as often as their owners' requests
   * collided (the workload changed), which resets the doubling. A slow path.
   */
  void dissolveLanes(int backoff) {
    Lanes gone = lanes;
    List<Lane> all = gone.all();
    long served = 0;
    for (Lane l : all) { // checked before anything moves
      if (byOwner.get(l.owner) != null) {
        throw new IllegalStateException(
            "lock table corrupt: owner " + l.owner + " indexed in its lane and its file");
      }
      served += l.table.changes();
    }
    requireIdsAbove(gone.maxIssued());
    for (Lane l : all) {
      OwnerLocks own = l.table.byOwner.get(l.owner);
      if (own != null) {
        take(own);
      }
    }
    lanes = null;
    lastOwner = null; // the owner's index is this table's again
    lastIndex = null;
    gone.retireAll();
    if (served >= backoff && served >= 8L * collisions) {
      backoffShift = 0;
    }
    collisions = 0;
    laneBackoff = (int) Math.min(Integer.MAX_VALUE, (long) backoff << backoffShift);
    if (backoffShift < Lanes.MAX_BACKOFF_SHIFT) {
      backoffShift++;
    }
    if (dissolved < Integer.MAX_VALUE) {
      dissolved++;
    }
  }

  /** How many times this file's lanes were dissolved (tests). */
  int dissolved() {
    return dissolved;
  }

  /**
   * A lane's table takes its owner's index (as a lane's, {@link OwnerLocks#padded}; a new one if
   * {@code from} is null) and records, and claims them.
   */
  private void adopt(LockOwner owner, OwnerLocks from) {
    OwnerLocks own = from == null ? newIndex(owner) : from.padded();
    take(own);
    for (Lock x : own.all()) {
      lane.cover(x);
    }
  }

  /** A new, empty index for {@code owner}: padded in a lane's table ({@link Lane}, "layout"). */
  private OwnerLocks newIndex(LockOwner owner) {
    return lane != null ? new OwnerLocks.Padded(owner) : new OwnerLocks(owner);
  }

  /** Takes an owner's index that another part of the file held, with its records. */
  private void take(OwnerLocks own) {
    byOwner.add(own);
    if (own.isEmpty()) {
      idleOwners++;
    }
    for (Lock x : own.all()) {
      (x.exclusive() ? exclusive : shared).insert(x);
    }
  }

  /** The order of reports and snapshots: first byte (unsigned), then id (oldest first). */
  static int order(Lock a, Lock b) {
    int c = Long.compareUnsigned(a.range().first(), b.range().first());
    return c != 0 ? c : a.id().compareTo(b.id());
  }
}
