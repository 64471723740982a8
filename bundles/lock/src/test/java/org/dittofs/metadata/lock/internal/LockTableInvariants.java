package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockManager;

/**
 * Checks the invariants stated at the top of {@link DefaultLockManager} on a quiescent manager (no
 * operation running). Throws {@link AssertionError} naming the first violation.
 */
public final class LockTableInvariants {
  private LockTableInvariants() {}

  public static void check(LockManager manager) {
    DefaultLockManager m = (DefaultLockManager) manager;
    Map<LockOwner, Long> perOwner = new HashMap<>();
    Map<LockOwner, Long> pinned = new HashMap<>(); // empty pinned indexes: one count each
    Map<LockOwner, Set<FileHandle>> pinnedFiles = new HashMap<>();
    long total = 0;
    Set<Object> ids = new HashSet<>();
    for (Map.Entry<FileHandle, FileLockTable> e : m.lockTables().map().entrySet()) {
      FileLockTable t = e.getValue();
      synchronized (t) {
        t.lockLanes();
        try {
          if (t.isRetired()) {
            throw new AssertionError("retired table still mapped for " + e.getKey());
          }
          List<Lock> locks = t.locks();
          total += locks.size();
          t.forEachIndex(
              own -> {
                if (own.counted != own.size()) {
                  throw new AssertionError(
                      "owner "
                          + own.owner
                          + " has "
                          + own.size()
                          + " records on "
                          + e.getKey()
                          + " but counts "
                          + own.counted);
                }
                if (own.pinnedOn != null) {
                  if (!own.pinnedOn.equals(e.getKey())) {
                    throw new AssertionError("a pin of " + own.owner + " names another file");
                  }
                  if (own.isEmpty()) {
                    pinned.merge(own.owner, 1L, Long::sum);
                  }
                  pinnedFiles.computeIfAbsent(own.owner, o -> new HashSet<>()).add(e.getKey());
                }
              });
          if (t.isEmpty()) {
            continue; // idle: kept for reuse, only its pins are checked
          }
          checkTable(e.getKey(), t, locks);
          for (Lock l : locks) {
            if (!ids.add(l.id())) {
              throw new AssertionError("duplicate lock id " + l.id());
            }
            perOwner.merge(l.owner(), 1L, Long::sum);
          }
          for (ShareReservation r : t.opens.all()) {
            if (!ids.add(r.id())) {
              throw new AssertionError("duplicate open id " + r.id());
            }
          }
        } finally {
          t.unlockLanes();
        }
      }
    }
    if (total != m.lockCount()) {
      throw new AssertionError("lockCount " + m.lockCount() + " but tables hold " + total);
    }
    Set<LockOwner> counted = new HashSet<>(perOwner.keySet());
    counted.addAll(pinned.keySet());
    counted.addAll(m.owners().counted()); // an owner counted with no index left: a lost pin
    for (LockOwner o : counted) {
      long registered = m.owners().count(o);
      long held = perOwner.getOrDefault(o, 0L);
      long pins = pinned.getOrDefault(o, 0L);
      if (registered != held + pins) {
        throw new AssertionError(
            "owner "
                + o
                + " registered with "
                + registered
                + " locks, holds "
                + held
                + " and has "
                + pins
                + " pins on files where it holds nothing");
      }
    }
    // every pin is listed where a settle finds it, and only pins are (OwnerRegistry, "pins")
    Set<LockOwner> listed = new HashSet<>(pinnedFiles.keySet());
    listed.addAll(counted);
    for (LockOwner o : listed) {
      Set<FileHandle> expected = pinnedFiles.getOrDefault(o, Set.of());
      Set<FileHandle> actual = new HashSet<>(m.owners().pinnedFiles(o));
      if (!actual.equals(expected)) {
        throw new AssertionError(
            "owner " + o + " lists pins on " + actual + " but its indexes pin " + expected);
      }
    }
  }

  /**
   * Checks SPEC 10's promise: with the store up and nothing pending, the store holds exactly the
   * records in memory (same ids, same content).
   */
  /** The file's locks and opens in memory as the store records them, by id. */
  public static Map<String, org.dittofs.metadata.lock.spi.PersistedLock> records(
      LockManager manager, FileHandle file) {
    Map<String, org.dittofs.metadata.lock.spi.PersistedLock> m = new HashMap<>();
    manager
        .locks(file)
        .forEach(l -> m.put(l.id().toString(), org.dittofs.metadata.lock.spi.PersistedLock.of(l)));
    manager
        .opens(file)
        .forEach(o -> m.put(o.id().toString(), org.dittofs.metadata.lock.spi.PersistedLock.of(o)));
    return m;
  }

  public static void checkStoreMatches(
      LockManager manager, org.dittofs.metadata.lock.spi.LockStore store) {
    if (manager.pendingStoreWrites() != 0) {
      throw new AssertionError(manager.pendingStoreWrites() + " store writes still pending");
    }
    DefaultLockManager m = (DefaultLockManager) manager;
    Map<String, org.dittofs.metadata.lock.spi.PersistedLock> memory = new HashMap<>();
    for (FileHandle f : List.copyOf(m.tables().keySet())) {
      for (Lock l : m.locks(f)) {
        memory.put(l.id().toString(), org.dittofs.metadata.lock.spi.PersistedLock.of(l));
      }
      for (ShareReservation r : m.opens(f)) {
        memory.put(r.id().toString(), org.dittofs.metadata.lock.spi.PersistedLock.of(r));
      }
    }
    Map<String, org.dittofs.metadata.lock.spi.PersistedLock> stored = new HashMap<>();
    for (org.dittofs.metadata.lock.spi.PersistedLock p :
        store.listLocks(org.dittofs.metadata.lock.spi.LockQuery.all())) {
      stored.put(p.id(), p);
    }
    if (!memory.equals(stored)) {
      Set<String> onlyMemory = new HashSet<>(memory.keySet());
      onlyMemory.removeAll(stored.keySet());
      Set<String> onlyStore = new HashSet<>(stored.keySet());
      onlyStore.removeAll(memory.keySet());
      throw new AssertionError(
          "store differs from memory: only in memory "
              + onlyMemory
              + ", only in store "
              + onlyStore
              + ", memory "
              + memory.size()
              + " records, store "
              + stored.size());
    }
  }

  /** A lane holds its owner's records only, and its claim covers every one of them. */
  private static void checkLane(FileHandle file, Lane lane) {
    if (lane.retired) {
      throw new AssertionError("retired lane of " + lane.owner + " still in place on " + file);
    }
    for (Lock l : lane.table.locks()) {
      if (!l.owner().equals(lane.owner)) {
        throw new AssertionError("lock " + l + " in the lane of " + lane.owner);
      }
      if (!lane.claims(Lane.reachFirst(l.range()), Lane.reachFirst(l.range()))
          || !lane.claims(l.range().last(), l.range().last())) {
        throw new AssertionError("lane of " + lane.owner + " does not claim " + l);
      }
    }
  }

  private static void checkTable(FileHandle file, FileLockTable t, List<Lock> locks) {
    if (t.isEmpty()) {
      throw new AssertionError("empty table left mapped for " + file);
    }
    if (t.lanes() != null) {
      t.lanes().forEach(lane -> checkLane(file, lane));
    }
    for (int i = 1; i < locks.size(); i++) {
      if (FileLockTable.order(locks.get(i - 1), locks.get(i)) >= 0) {
        throw new AssertionError("locks out of order on " + file + ": " + locks);
      }
    }
    // owner index equals tree content
    List<Lock> fromOwners = new ArrayList<>();
    Map<LockOwner, OwnerLocks> holding = t.owners();
    if (t.ownerIndexes() - holding.size() != t.idleOwners()) {
      throw new AssertionError(
          "idle owner indexes on "
              + file
              + ": counted "
              + t.idleOwners()
              + ", found "
              + (t.ownerIndexes() - holding.size()));
    }
    for (Map.Entry<LockOwner, OwnerLocks> o : holding.entrySet()) {
      if (o.getValue().isEmpty()) {
        throw new AssertionError("empty owner index kept for " + o.getKey());
      }
      for (Lock l : o.getValue().all()) {
        if (!l.owner().equals(o.getKey()) || !l.file().equals(file)) {
          throw new AssertionError("lock " + l + " indexed under wrong owner or file");
        }
        fromOwners.add(l);
      }
      checkOwner(t, o.getValue().all());
    }
    if (fromOwners.size() != locks.size()
        || !new HashSet<>(fromOwners).equals(new HashSet<>(locks))) {
      throw new AssertionError("owner index and trees differ on " + file);
    }
    // every lock reachable through an interval search of its own range, and pairwise conflicts
    for (Lock l : locks) {
      long qf = l.range().first();
      long ql = l.range().last();
      Lock found =
          t.firstConflict(
              LockOwner.of("\u0000invariant-probe"),
              LockType.EXCLUSIVE,
              org.dittofs.metadata.lock.ByteRange.of(qf, ql),
              Conflicts.Purpose.LOCK,
              x -> x == l);
      if (found != l && !l.range().isZeroLength()) {
        throw new AssertionError("lock " + l + " not reachable through the interval index");
      }
      for (Lock o : locks) {
        if (o != l
            && !o.owner().equals(l.owner())
            && o.range().overlaps(l.range())
            && (o.exclusive() || l.exclusive())) {
          throw new AssertionError("conflicting locks of different owners: " + l + " and " + o);
        }
      }
    }
    // open counters equal a recount
    int[] expect = new int[6];
    for (ShareReservation r : t.opens.all()) {
      for (ShareAccess a : r.access()) {
        expect[a.ordinal()]++;
      }
      for (ShareAccess a : r.deny()) {
        expect[3 + a.ordinal()]++;
      }
    }
    if (!java.util.Arrays.equals(expect, t.opens.counters())) {
      throw new AssertionError("open counters disagree with the opens on " + file);
    }
  }

  private static void checkOwner(FileLockTable t, List<Lock> own) {
    if (own.get(0).flavour() != LockFlavour.POSIX) {
      return;
    }
    for (int i = 1; i < own.size(); i++) {
      Lock a = own.get(i - 1);
      Lock b = own.get(i);
      if (Long.compareUnsigned(a.range().last(), b.range().first()) >= 0) {
        throw new AssertionError("POSIX locks of one owner overlap: " + a + " and " + b);
      }
      if (a.type() == b.type()
          && a.range().last() + 1 == b.range().first()
          && !t.isRestored(a.id())
          && !t.isRestored(b.id())) {
        throw new AssertionError("POSIX same-type locks of one owner touch: " + a + " and " + b);
      }
    }
  }
}
