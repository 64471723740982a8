package org.dittofs.metadata.lock.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * An in-memory {@link LockStore} with fault injection, for tests. It follows the whole store
 * contract (every method atomic, {@link #apply} all-or-nothing, values kept exactly, failures as
 * {@link StoreError}s) and adds:
 *
 * <ul>
 *   <li>{@link #failEveryNthWrite}: every n-th write call fails with STORE_UNAVAILABLE and changes
 *       nothing. Write calls are putLock, deleteLock, deleteLocksByClient, deleteLocksByFile,
 *       incrementServerEpoch, commit and setCleanShutdown; the count starts at the call that sets
 *       the fault and covers only calls made while the store is up with valid arguments.
 *   <li>{@link #failNthWrite}: once, the n-th write call from now fails with STORE_UNAVAILABLE;
 *       with {@code landsFirst} an apply call makes its changes before it throws (a commit whose
 *       outcome the caller cannot know: the database committed, the acknowledgement was lost).
 *       Other write calls fail without changing anything either way.
 *   <li>{@link #down} / {@link #up}: while down, every store method, reads included, fails with
 *       STORE_UNAVAILABLE.
 *   <li>{@link #beforeEachCommit}: a test's own step before every {@link #apply}, run outside the
 *       store's lock: it may take time, wait, or throw (a commit that never reached the store).
 *   <li>{@link #reopen}: a new instance with the same durable content (records, epoch, clean
 *       marker) and no faults, as after a process restart.
 * </ul>
 *
 * <p>Null arguments fail with INVALID_ARGUMENT. The inspection methods ({@link #records}, the
 * counters) are never subject to faults.
 *
 * <p>Thread-safe: every public method but {@link #apply} is {@code synchronized}, which is simple
 * and plenty for a fixture; it also makes each method trivially atomic. {@link #apply} runs the
 * {@link #beforeEachCommit} step (a volatile field) unlocked, then commits under the lock.
 */
public final class FaultyLockStore implements LockStore {
  private Map<String, PersistedLock> records; // replaced whole by commit
  private long epoch;
  private boolean cleanShutdown;

  private boolean isDown;
  private int failEvery; // 0: off
  private long failIn; // 0: off; else the one-shot fault hits the failIn-th write call from now
  private boolean landsFirst;
  private long writesSinceFault;
  private long writes;
  private long commits;
  private long failedWrites;
  private volatile Consumer<List<LockStoreOp>> beforeCommit = ops -> {};

  /** An empty store that was never started: epoch 0, no clean-shutdown marker. */
  public FaultyLockStore() {
    this(Map.of(), 0, false);
  }

  private FaultyLockStore(Map<String, PersistedLock> records, long epoch, boolean clean) {
    this.records = new ConcurrentHashMap<>(records);
    this.epoch = epoch;
    this.cleanShutdown = clean;
  }

  // ---- fault injection and inspection

  /**
   * Runs {@code step} with the ops before every later {@link #apply}, outside the store's lock;
   * what it throws is what apply throws, and the commit is then not made.
   */
  public void beforeEachCommit(Consumer<List<LockStoreOp>> step) {
    beforeCommit = step;
  }

  /**
   * From now on every {@code n}-th write call fails with STORE_UNAVAILABLE (1: every write fails);
   * 0 turns the fault off.
   */
  public synchronized void failEveryNthWrite(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be 0 (off) or positive, got " + n);
    }
    failEvery = n;
    writesSinceFault = 0;
  }

  /**
   * Once: the {@code n}-th write call from now (1: the next one) fails with STORE_UNAVAILABLE. With
   * {@code landsFirst}, if that call is an {@link #apply}, its operations are applied before it
   * throws. Replaces an earlier one-shot fault that has not hit yet.
   */
  public synchronized void failNthWrite(int n, boolean landsFirst) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be positive, got " + n);
    }
    failIn = n;
    this.landsFirst = landsFirst;
  }

  /** Whether a fault set by {@link #failNthWrite} has not hit yet. */
  public synchronized boolean oneShotArmed() {
    return failIn > 0;
  }

  /** Ends every injected fault: up, no periodic and no one-shot failure. */
  public synchronized void clearFaults() {
    isDown = false;
    failEvery = 0;
    failIn = 0;
  }

  /** Makes every call fail with STORE_UNAVAILABLE until {@link #up}. */
  public synchronized void down() {
    isDown = true;
  }

  /** Ends {@link #down}. */
  public synchronized void up() {
    isDown = false;
  }

  /** Number of write calls that returned normally. */
  public synchronized long writeCount() {
    return writes;
  }

  /** Number of {@link #apply} calls that returned normally. */
  public synchronized long commitCount() {
    return commits;
  }

  /** Number of write calls that failed with STORE_UNAVAILABLE (down or injected). */
  public synchronized long failedWriteCount() {
    return failedWrites;
  }

  /** A snapshot of the records, by id. */
  public synchronized Map<String, PersistedLock> records() {
    return Map.copyOf(records);
  }

  /** A new store with this one's durable content and no faults; the two share nothing after. */
  public synchronized FaultyLockStore reopen() {
    return new FaultyLockStore(records, epoch, cleanShutdown);
  }

  // ---- reads

  @Override
  public synchronized Optional<PersistedLock> getLock(String id) {
    checkUp();
    return Optional.ofNullable(records.get(required(id, "id")));
  }

  @Override
  public synchronized List<PersistedLock> listLocks(LockQuery query) {
    checkUp();
    LockQuery q = required(query, "query");
    return records.values().stream().filter(q::matches).toList();
  }

  @Override
  public synchronized long getServerEpoch() {
    checkUp();
    return epoch;
  }

  @Override
  public synchronized boolean isCleanShutdown() {
    checkUp();
    return cleanShutdown;
  }

  // ---- writes

  @Override
  public synchronized void putLock(PersistedLock lock) {
    checkUpForWrite();
    required(lock, "lock");
    injectFault();
    records.put(lock.id(), lock);
    writes++;
  }

  @Override
  public synchronized boolean deleteLock(String id) {
    checkUpForWrite();
    required(id, "id");
    injectFault();
    writes++;
    return records.remove(id) != null;
  }

  @Override
  public synchronized int deleteLocksByClient(String clientId) {
    checkUpForWrite();
    required(clientId, "clientId");
    injectFault();
    writes++;
    return deleteWhere(r -> r.clientId().equals(clientId));
  }

  @Override
  public synchronized int deleteLocksByFile(FileHandle file) {
    checkUpForWrite();
    required(file, "file");
    injectFault();
    writes++;
    return deleteWhere(r -> r.file().equals(file));
  }

  @Override
  public synchronized long incrementServerEpoch() {
    checkUpForWrite();
    injectFault();
    writes++;
    return ++epoch;
  }

  /**
   * Runs the {@link #beforeEachCommit} step, then applies the ops to a copy of the records and
   * installs the copy only if all went through.
   */
  @Override
  public void apply(List<LockStoreOp> ops) {
    beforeCommit.accept(ops);
    commit(ops);
  }

  private synchronized void commit(List<LockStoreOp> ops) {
    checkUpForWrite();
    List<LockStoreOp> batch = copyOps(ops);
    boolean lands = failIn == 1 && landsFirst;
    if (!lands) {
      injectFault();
    }
    Map<String, PersistedLock> next = new HashMap<>(records);
    for (LockStoreOp op : batch) {
      if (op instanceof LockStoreOp.Put p) {
        next.put(p.record().id(), p.record());
      } else if (op instanceof LockStoreOp.Delete d) {
        next.remove(d.id());
      }
    }
    records = new ConcurrentHashMap<>(next);
    if (lands) {
      injectFault(); // applied, then the caller hears of a failure
    }
    writes++;
    commits++;
  }

  @Override
  public synchronized void setCleanShutdown(boolean clean) {
    checkUpForWrite();
    injectFault();
    writes++;
    cleanShutdown = clean;
  }

  // ---- helpers

  private int deleteWhere(Predicate<PersistedLock> doomed) {
    List<String> ids = new ArrayList<>();
    records.forEach(
        (id, r) -> {
          if (doomed.test(r)) {
            ids.add(id);
          }
        });
    ids.forEach(records::remove);
    return ids.size();
  }

  private void checkUpForWrite() {
    if (isDown) {
      failedWrites++;
      throw unavailable("the lock store is down");
    }
  }

  /** Fails the call if it is the n-th write since the fault was set. Runs after argument checks. */
  private void injectFault() {
    if (failIn > 0 && --failIn == 0) {
      failedWrites++;
      throw landsFirst
          ? new StoreError(
              ErrorCode.STORE_UNAVAILABLE,
              "injected failure of a write whose outcome is unknown (a commit applied it)")
          : unavailable("injected one-shot failure");
    }
    if (failEvery > 0 && ++writesSinceFault % failEvery == 0) {
      failedWrites++;
      throw unavailable("injected failure of every " + failEvery + "th write");
    }
  }

  private static List<LockStoreOp> copyOps(List<LockStoreOp> ops) {
    required(ops, "ops");
    List<LockStoreOp> copy = new ArrayList<>(ops.size());
    for (LockStoreOp op : ops) {
      if (op == null) {
        throw StoreErrors.invalidArgument(
            "commit: operation " + copy.size() + " of " + ops.size() + " is null");
      }
      copy.add(op);
    }
    return copy;
  }

  private void checkUp() {
    if (isDown) {
      throw unavailable("the lock store is down");
    }
  }

  private static <T> T required(T arg, String name) {
    if (arg == null) {
      throw StoreErrors.invalidArgument("lock store: " + name + " must not be null");
    }
    return arg;
  }

  private static StoreError unavailable(String why) {
    return new StoreError(ErrorCode.STORE_UNAVAILABLE, why + "; nothing was changed");
  }
}
