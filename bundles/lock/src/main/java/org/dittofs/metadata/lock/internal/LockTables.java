package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * The per-file lock tables and the one way to work on them: {@link #run} takes the file's table
 * monitor for the whole of an operation, re-checks the file's waiters if the operation changed the
 * table, and then runs what the operation deferred (events, completions, work on other files).
 *
 * <p><b>State and its guards.</b> {@code files} is a {@link ConcurrentHashMap} from file to its
 * {@link FileLockTable}; a table exists while the file has locks, opens or waiters (or an operation
 * is running on it). Each table and everything in it is guarded by its own monitor. {@code gate}
 * holds traffic during a store swap or a change of the total limit ({@link TrafficGate} has the
 * protocol); this object's monitor lets one holder at a time close it. The removal of a file and
 * the cancelling of waiters at close are operations on the tables like any other ({@link #run}).
 * {@code laneAfter}, {@code dissolveAt} and {@code laneBackoff} are volatile (test settings).
 *
 * <p><b>Lanes.</b> A contended file's owners may get lanes ({@link Lanes}): {@link #runOwned} runs
 * their lock and unlock requests in the lane under its lock alone when it can; everything else on
 * the file, the "slow path", holds the table's monitor and every lane's lock ({@link
 * FileLockTable#enter}, {@link #whole} for reads), and so sees and changes the whole file. A table
 * counts the operations that found its monitor taken ({@link FileLockTable#occupied}, a hint read
 * without it): from {@code laneAfter} on, owners get lanes.
 *
 * <p><b>Idle and retired tables.</b> A table that an operation leaves empty stays in the map, idle:
 * a file locked and unlocked over and over (the common case of a file with few locks) then neither
 * creates nor drops a table each time, and keeps its owner indexes and client memo. Idle tables are
 * swept when the map has grown past twice its size after the last sweep (at least {@value
 * #MIN_SWEEP} tables), checked only when a table is created, so the map stays within a constant
 * factor of the files in use and the sweep costs O(1) per table created. The sweep retires each
 * empty table and removes it from {@code files} under the table's monitor. A thread that fetched a
 * table earlier sees it retired once it holds the monitor and retries with the current table, so no
 * grant lands in a table that is no longer reachable. {@code sweepAt} is atomic.
 *
 * <p><b>Lease timers.</b> Waiters blocked by a registered client are freed, without any change of
 * their file, when that client's lease runs out (SPEC 9: they then revoke its conflicting locks).
 * {@link WaitQueue} notes the first such moment in the table ({@link FileLockTable#leaseCheckAt});
 * at the end of every operation ({@link #keepLeaseTimer}, also in cluster mode) one timer per table
 * is kept set for it (part of the table's state, under its monitor), which re-checks the waiters
 * through {@link #run} when it fires, like Linux nfsd's laundromat but at the moment itself. A
 * client that renews its lease moves its moment later: the timer then fires early, the re-check
 * changes nothing and sets the timer again. Files without such waiters have no timer; nothing
 * polls.
 */
final class LockTables implements OwnerRegistry.Settler {
  /** The fewest tables at which idle ones are swept. */
  static final int MIN_SWEEP = 1024;

  /** How many times a file's monitor is found taken before its owners get lanes. */
  static final int LANE_AFTER = 4;

  /**
   * What {@link #inLane} answers when the owner has no lane or the request needs the whole file.
   */
  private static final Object NOT_IN_LANE = new Object();

  /** As {@link #NOT_IN_LANE}, for a request whose records would reach another owner's. */
  private static final Object COLLIDED = new Object();

  static {
    // loaded with this class, so that the JIT inlines the lane checks before any lane exists
    // (it does not inline a method whose signature names a class not loaded yet)
    java.util.List.of(Lane.class, Lanes.class, Lane.Detour.class);
  }

  private static final FileLockTable EMPTY = new FileLockTable();

  private final ConcurrentHashMap<FileHandle, FileLockTable> files = new ConcurrentHashMap<>();
  private final TrafficGate gate = new TrafficGate();
  private volatile int laneAfter = LANE_AFTER;
  private volatile int dissolveAt = Lanes.DISSOLVE_AT;
  private volatile int laneBackoff = Lanes.BACKOFF;
  private final AtomicLong sweepAt = new AtomicLong(MIN_SWEEP);
  private final EventBus events;
  private final LiveConfig config;
  private final LockScheduler scheduler;
  private final WaitQueue waiting;
  private final TableOps ops;
  private final StoreWriter writer;

  /** Cluster mode: where every operation runs instead (docs/cluster.md); null on one node. */
  private final CoordinatedTables coordinated;

  /**
   * Tables whose operations, in cluster mode, run through the {@link CoordinatedTables} that {@code
   * coordination} makes over them (null: one node).
   */
  LockTables(
      EventBus events,
      LiveConfig config,
      LockScheduler scheduler,
      WaitQueue waiting,
      TableOps ops,
      StoreWriter writer,
      Function<LockTables, CoordinatedTables> coordination) {
    this.events = events;
    this.config = config;
    this.scheduler = scheduler;
    this.waiting = waiting;
    this.ops = ops;
    this.writer = writer;
    this.coordinated = coordination == null ? null : coordination.apply(this);
  }

  /**
   * Runs {@code op} on the file's table under its monitor, retrying if the table was retired
   * meanwhile; re-checks the file's waiters if the operation changed the table (whether it returned
   * or threw: a courtesy revocation on the way to a refused grant stays); then, with the monitor
   * released, sweeps idle tables if this operation created a table and the map has grown enough,
   * and runs the deferred actions. Without {@code create}, a file with no table runs {@code op} on
   * a shared empty table, which {@code op} must not change. An {@code op} whose owner check asks
   * for its pins to be settled first ({@link OwnerRegistry.SettleFirst}, before it changed
   * anything) runs once more after {@link #settle}, with the monitor released in between.
   */
  <T> T run(FileHandle file, boolean create, BiFunction<FileLockTable, Deferred, T> op) {
    return run(file, create, null, false, op);
  }

  /**
   * Runs {@code op}, a lock ({@code create}) or unlock request of {@code owner}: in the owner's
   * lane if it has one and the fast path may run there ({@link Lanes}), else as {@link #run} does;
   * there a lock request of an owner that holds records on the file afterwards gets a lane if the
   * file's monitor has been found taken {@code laneAfter} times, or a new budget if it has one.
   */
  <T> T runOwned(
      FileHandle file, LockOwner owner, boolean create, BiFunction<FileLockTable, Deferred, T> op) {
    return run(file, create, owner, create, op);
  }

  /**
   * The fast path: {@code op} on the owner's lane's table under the lane's lock (see {@link
   * Lanes}); {@link #COLLIDED} if the request's records would reach another owner's, {@link
   * #NOT_IN_LANE} if the owner has no lane or the request needs the whole file otherwise.
   */
  @SuppressWarnings("unchecked")
  private <T> T inLane(
      FileLockTable t, LockOwner owner, boolean lock, BiFunction<FileLockTable, Deferred, T> op) {
    Lane lane = t.laneOf(owner);
    if (lane == null) {
      return (T) NOT_IN_LANE;
    }
    try {
      return inLane(t, lane, lock, op);
    } catch (Lane.Detour e) {
      return (T) (e == Lane.COLLISION ? COLLIDED : NOT_IN_LANE); // the whole file decides
    }
  }

  /**
   * {@code op} in {@code lane} (see above); a {@code lock} request run there takes one off the
   * lane's collision score ({@link Lane#served}: an unlock in the lane does not, it is the other
   * half of a pair whose lock may have stepped aside).
   */
  private <T> T inLane(
      FileLockTable t, Lane lane, boolean lock, BiFunction<FileLockTable, Deferred, T> op) {
    List<Runnable> after = null;
    lane.lock.lock();
    try {
      if (lane.retired
          || !t.laneMayRun()
          || gate.isClosed()
          || writer.persisting()
          || !lane.roomy(config.get())) {
        throw Lane.DETOUR;
      }
      Deferred d = lane.table.deferred(events);
      try {
        T result = op.apply(lane.table, d);
        if (lock) {
          lane.served();
        }
        return result;
      } finally {
        after = d.take();
      }
    } finally {
      lane.lock.unlock();
      Deferred.run(after);
    }
  }

  /**
   * As {@link #run(FileHandle, boolean, BiFunction)}, for a request of {@code owner} if not null:
   * in its lane if it has one ({@link #runOwned}); with {@code offer}, a lock request whose owner
   * may get a lane when {@code op} returns. (One method, not inlined anywhere for its size: the
   * request path's callers stay small enough for the JIT to inline them and their lambdas.)
   */
  private <T> T run(
      FileHandle file,
      boolean create,
      LockOwner owner,
      boolean offer,
      BiFunction<FileLockTable, Deferred, T> op) {
    if (coordinated != null) {
      return coordinated.run(file, true, op);
    }
    List<Runnable> after = null;
    boolean created = false;
    boolean settled = false;
    try {
      while (true) {
        try {
          if (gate.isClosed()) {
            gate.awaitOpen(config.get().lockTimeout());
          }
          FileLockTable t = files.get(file);
          boolean collided = false;
          if (owner != null && t != null && t.lanes() != null) {
            T r = inLane(t, owner, offer, op);
            collided = r == COLLIDED;
            if (r != NOT_IN_LANE && !collided) {
              return r;
            }
          }
          if (t == null) {
            if (!create) {
              return onNoTable(op); // nothing to change: reads only, allowed during a swap
            }
            t = files.computeIfAbsent(file, f -> new FileLockTable());
            created = true;
          }
          boolean waited = t.occupied(); // a hint, read without the monitor: someone holds it
          synchronized (t) {
            if (t.isRetired() || gate.isClosed()) {
              continue; // see TrafficGate: read under the monitor, before anything is looked at
            }
            t.enter(waited); // and its lanes
            Deferred d = t.deferred(events);
            int seen = t.changes();
            try {
              if (collided) {
                t.laneCollided(owner, dissolveAt, laneBackoff); // may dissolve the lanes
              }
              T result = op.apply(t, d);
              if (offer && (t.lanes() != null || t.contentions() >= laneAfter)) {
                offerLane(t, owner);
              }
              return result;
            } finally {
              try {
                afterChange(file, t, seen, d);
              } finally {
                after = d.take(); // the table's collector is the next operation's
                t.exit(); // and its lanes
              }
            }
          }
        } catch (OwnerRegistry.SettleFirst s) {
          // the owner's pins elsewhere are in the way (OwnerRegistry, "pins"): nothing changed
          if (settled) {
            throw s.refusal();
          }
          settled = true;
          Deferred.run(after);
          after = null;
          settle(s.owner());
        }
      }
    } finally {
      if (created) {
        sweepIfGrown();
      }
      Deferred.run(after);
    }
  }

  /** {@code op} on the shared empty table, for a file that has none (it must change nothing). */
  private <T> T onNoTable(BiFunction<FileLockTable, Deferred, T> op) {
    Deferred d = new Deferred(events);
    try {
      return op.apply(EMPTY, d);
    } finally {
      Deferred.run(d.take());
    }
  }

  /**
   * The end of an operation on table {@code t}, under its monitor: re-checks the waiters if the
   * table changed since {@code seen}, and keeps the lease timer.
   */
  private void afterChange(FileHandle file, FileLockTable t, int seen, Deferred d) {
    if (t.hasWaiters() && t.changes() != seen) {
      waiting.recheck(t, d);
    }
    keepLeaseTimer(file, t);
  }

  /**
   * After a lock request on a contended file (granted or not), gives its owner a lane, or its lane
   * a new budget (see {@link Lanes}, "when"): not with a store being written, waiters or restored
   * records, nor to an owner that holds nothing here.
   */
  private void offerLane(FileLockTable t, LockOwner owner) {
    if (!writer.persisting() && t.laneMayRun() && t.ownerLocks(owner) != null) {
      t.laneFor(owner, config.get());
    }
  }

  /**
   * How many times a file's monitor must have been found taken before its owners get lanes: {@value
   * #LANE_AFTER} by default; 0 in tests that run every file with lanes, {@link Integer#MAX_VALUE}
   * for none.
   */
  void laneAfter(int contentions) {
    laneAfter = contentions;
  }

  /**
   * A test's lane policy: lanes after {@code contentions} ({@link #laneAfter}), dissolved when a
   * lane's count of collisions reaches {@code dissolveAt}, then none for {@code backoff} lock
   * requests (doubling; {@link Lanes}, "colliding owners").
   */
  void lanePolicy(int contentions, int dissolveAt, int backoff) {
    this.laneAfter = contentions;
    this.dissolveAt = dissolveAt;
    this.laneBackoff = backoff;
  }

  /**
   * Runs {@code op}, which changes nothing, on the file's table as {@link #run} does without
   * creating one. In cluster mode it reads the file's latest committed state without holding the
   * file (a test, an I/O check, a snapshot).
   */
  <T> T read(FileHandle file, BiFunction<FileLockTable, Deferred, T> op) {
    return coordinated != null ? coordinated.run(file, false, op) : run(file, false, op);
  }

  /**
   * The files where {@code client} may have locks, opens or waiters: {@code known} (the client's
   * file set on this node, may be null) and, in cluster mode, the files where the cluster holds
   * records of the client (some may have been made at another node).
   */
  Set<FileHandle> clientFiles(LockClient client, Set<FileHandle> known) {
    Set<FileHandle> out = known == null ? new HashSet<>() : new HashSet<>(known);
    if (coordinated != null) {
      out.addAll(coordinated.filesOf(client));
    }
    return out;
  }

  /** Whether the file's table has waiters now (read under its monitor). */
  boolean hasWaiters(FileHandle file) {
    FileLockTable t = files.get(file);
    if (t == null) {
      return false;
    }
    synchronized (t) {
      return t.hasWaiters(); // not a lane's: no lane needed
    }
  }

  /**
   * Runs {@code read} on the whole of table {@code t}: its monitor and its lanes held ({@link
   * Lanes}).
   */
  static <T> T whole(FileLockTable t, Supplier<T> read) {
    synchronized (t) {
      t.lockLanes();
      try {
        return read.get();
      } finally {
        t.unlockLanes();
      }
    }
  }

  /**
   * Removes everything the file holds (locks, opens, waiters) for {@link
   * org.dittofs.metadata.lock.host.LockManager#removeFile}, running {@code storeWork} (the host's
   * deletion of the file) under the file's table monitor first; with {@code refuseIfHeld}, a file
   * that has locks or opens is refused with LOCKED and nothing changes.
   *
   * @return the number of locks and opens removed
   */
  int removeFile(FileHandle file, boolean refuseIfHeld, Runnable storeWork) {
    return run(
        file,
        true,
        (t, d) -> {
          List<Lock> held = t.locks();
          List<ShareReservation> opened = t.opens.all();
          if (refuseIfHeld && !held.isEmpty()) {
            throw LockErrors.locked(null, held.get(0));
          }
          if (refuseIfHeld && !opened.isEmpty()) {
            throw new StoreError(
                ErrorCode.LOCKED,
                "file is open "
                    + opened.size()
                    + " time(s), first by '"
                    + opened.get(0).owner()
                    + "'",
                null,
                file.toHex(),
                null,
                null);
          }
          storeWork.run();
          if (coordinated != null) {
            // the other nodes learn it from the file's version, which a write moves
            writer.writeAsync(TableOps.deletes(held, opened));
          }
          waiting.cancelAll(t, w -> true, "its file was removed", d);
          ops.forgetEach(t, held, LockEvent.ReleaseReason.FILE_REMOVED, d);
          opened.forEach(o -> ops.forget(t, o, LockEvent.ReleaseReason.FILE_REMOVED, d));
          return held.size() + opened.size();
        });
  }

  /**
   * At close: cancels this node's waiters on every file. In cluster mode the queues also hold other
   * nodes' waiters, which wait on, and a file without waiters is skipped (no round trip to the
   * database).
   */
  void cancelLocalWaiters(String why) {
    for (FileHandle f : files()) {
      if (coordinated != null && !hasWaiters(f)) {
        continue;
      }
      run(
          f,
          false,
          (t, d) -> {
            waiting.cancelAll(t, Waiter::isLocal, why, d);
            return null;
          });
    }
  }

  /**
   * Re-checks the file's waiters now, if it has any: when a lease runs out ({@link
   * FileLockTable#leaseCheckAt}), or when one may run out earlier than the waiters last counted on
   * (a client registered, the lease time changed). A re-check changes nothing unless something
   * changed that can free a waiter, so an early or needless one is harmless. If it cannot run (a
   * store swap holds traffic longer than the lock timeout; in cluster mode, the database is away),
   * it is tried again every store retry interval.
   */
  @Override
  public void recheck(FileHandle file) {
    recheck(file, ClientRegistry.NEVER);
  }

  /** As {@link #recheck(FileHandle)}; {@code timerAt}: the moment of the lease timer that fired. */
  private void recheck(FileHandle file, long timerAt) {
    if (!hasWaiters(file)) {
      return; // nothing waits (the last waiter took the timer with it)
    }
    try {
      run(
          file,
          false,
          (t, d) -> {
            LeaseTimer fired = t.leaseTimer();
            if (timerAt != ClientRegistry.NEVER && fired != null && fired.at() == timerAt) {
              t.leaseTimer(null); // it fired; the re-check sets the next
            }
            if (t.hasWaiters()) {
              waiting.recheck(t, d);
            }
            return null;
          });
    } catch (StoreError e) {
      if (e.code() != ErrorCode.STORE_UNAVAILABLE) {
        throw e;
      }
      scheduler.schedule(() -> recheck(file, timerAt), config.get().storeRetryInterval());
    }
  }

  /**
   * Sets (or cancels) the table's lease timer for the moment its waiters want, unless it is set for
   * it already; under the table's monitor, at the end of every operation. Only files whose waiters
   * wait on a registered client that is not a courtesy client yet have one, one each.
   */
  void keepLeaseTimer(FileHandle file, FileLockTable t) {
    LeaseTimer set = t.leaseTimer();
    long at = t.leaseCheckAt();
    if (set == null ? at == ClientRegistry.NEVER : set.at() == at) {
      return;
    }
    if (set != null) {
      set.timer().cancel();
    }
    Duration delay = Duration.ofNanos(Math.max(0, at - scheduler.nanoTime()));
    t.leaseTimer(
        at == ClientRegistry.NEVER
            ? null
            : new LeaseTimer(at, scheduler.schedule(() -> recheck(file, at), delay)));
  }

  /** A table's lease timer: the moment it is set for and its handle. */
  record LeaseTimer(long at, LockScheduler.Timer timer) {}

  /** The gate, for {@link CoordinatedTables}. */
  TrafficGate gate() {
    return gate;
  }

  /** The file's table, or null, for {@link CoordinatedTables}. */
  FileLockTable existing(FileHandle file) {
    return files.get(file);
  }

  /** The file's table, created if missing, for {@link CoordinatedTables}. */
  FileLockTable create(FileHandle file) {
    return files.computeIfAbsent(file, f -> new FileLockTable());
  }

  /** After a table was created: sweeps idle ones if the map has grown enough (see the class). */
  void sweepIfGrown() {
    if (files.mappingCount() > sweepAt.get()) {
      sweepIdle();
    }
  }

  /**
   * Retires and removes every idle (empty) table, each under its own monitor, one at a time. Called
   * with no table monitor held.
   */
  void sweepIdle() {
    retireEmpty();
    sweepAt.set(Math.max(MIN_SWEEP, 2 * files.mappingCount()));
  }

  /** Retires and removes every empty table (its pins taken back), each under its own monitor. */
  private void retireEmpty() {
    for (Map.Entry<FileHandle, FileLockTable> e : files.entrySet()) {
      FileLockTable t = e.getValue();
      whole(
          t,
          () -> {
            if (!t.isRetired() && t.isEmpty()) {
              t.retire(); // its lanes' fast paths see it (laneMayRun) and step aside
              files.remove(e.getKey(), t);
            }
            return null;
          });
    }
  }

  /**
   * The table of a file for restoring records at start (before any traffic): created if missing.
   * {@link #dropEmpty} removes those left empty.
   */
  FileLockTable restoring(FileHandle file) {
    return files.computeIfAbsent(file, f -> new FileLockTable());
  }

  /** Removes tables left empty by a restore (retired: their pins taken back). */
  void dropEmpty() {
    retireEmpty();
  }

  /**
   * Takes back {@code owner}'s pins on the files where it holds nothing ({@link OwnerRegistry},
   * "pins"), each as an operation on its file; called with no table held.
   */
  @Override
  public void settle(LockOwner owner) {
    for (FileHandle f : ops.owners().pinnedFiles(owner)) {
      run(
          f,
          false,
          (t, d) -> {
            t.letGoPinIfIdle(owner);
            return null;
          });
    }
  }

  /** The files that have a table now, idle ones included. */
  List<FileHandle> files() {
    return List.copyOf(files.keySet());
  }

  /** The files whose tables hold locks, opens or waiters now (not the idle ones). A snapshot. */
  List<FileHandle> busyFiles() {
    return List.copyOf(busyTables().keySet());
  }

  /** The tables holding locks, opens or waiters now, each checked under its monitor. A snapshot. */
  Map<FileHandle, FileLockTable> busyTables() {
    Map<FileHandle, FileLockTable> out = new LinkedHashMap<>();
    files.forEach(
        (f, t) -> {
          if (!whole(t, t::isEmpty)) {
            out.put(f, t);
          }
        });
    return out;
  }

  /**
   * Holds lock traffic, collects every record in memory (locks and opens) and hands them to {@code
   * work}, then lets traffic through again, whether {@code work} returned or threw. Walked after
   * the gate closed: taking each table's monitor waits for the operation inside it (TrafficGate);
   * nobody else gets in meanwhile.
   */
  void withTrafficHeld(Consumer<List<PersistedLock>> work) {
    withTrafficHeld(
        () -> {
          List<PersistedLock> live = new ArrayList<>();
          for (FileLockTable t : List.copyOf(files.values())) {
            t.locks().forEach(l -> live.add(PersistedLock.of(l)));
            t.opens.all().forEach(o -> live.add(PersistedLock.of(o)));
          }
          work.accept(live);
        });
  }

  /**
   * Holds lock traffic, runs {@code work} and lets traffic through again, whether {@code work}
   * returned or threw. The gate is closed first, then every table's monitor is taken in turn, which
   * waits for the operation inside it (TrafficGate); nobody changes a table until the gate opens,
   * so {@code work} may read them without their monitors. One holder at a time (the gate has one
   * state): a second waits here.
   */
  synchronized void withTrafficHeld(Runnable work) {
    gate.close();
    try {
      for (FileLockTable t : List.copyOf(files.values())) {
        // nothing: the operations that held it and its lanes are over; the next back out at the
        // gate
        whole(t, () -> null);
      }
      work.run();
    } finally {
      gate.open();
    }
  }

  /** Every lock record, table by table, each read under its monitor. */
  List<Lock> allLocks() {
    List<Lock> out = new ArrayList<>();
    for (FileLockTable t : files.values()) {
      out.addAll(whole(t, t::locks));
    }
    return out;
  }

  /**
   * The number of lock records in every table, each read under its monitor (or as it is while
   * traffic is held).
   */
  long lockCount() {
    return sum(FileLockTable::lockCount);
  }

  /** The sum of {@code count} over every table, each read under its monitor. */
  long sum(java.util.function.ToIntFunction<FileLockTable> count) {
    long n = 0;
    for (FileLockTable t : files.values()) {
      n += whole(t, () -> count.applyAsInt(t));
    }
    return n;
  }

  /** Every mapped table, idle ones included (for tests). */
  Map<FileHandle, FileLockTable> map() {
    return files;
  }
}
