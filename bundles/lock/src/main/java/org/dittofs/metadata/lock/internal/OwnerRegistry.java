package org.dittofs.metadata.lock.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;

/**
 * Counts each owner's lock records over all files and enforces that an owner holds one flavour
 * (SPEC 1: an owner's flavour is fixed by its first request while it holds locks).
 *
 * <p><b>Concurrency.</b> Lock-free. Each owner has one {@link Entry} whose whole state, count and
 * flavour, is one {@code long} changed only by compare-and-set, so two requests of one owner with
 * different flavours on different files cannot both be admitted (only one of them can move the
 * count away from zero). The map {@code owners} is a {@link ConcurrentHashMap}; {@code sweepAt} is
 * atomic.
 *
 * <p><b>Idle entries.</b> An entry whose count returns to zero stands for no entry (it binds no
 * flavour) but stays in the map, and each file's {@link OwnerLocks} keeps a reference to it: an
 * owner that locks and unlocks over and over then touches no structure shared with other threads
 * but its own entry (inserting and removing a map entry on every pair wrote the map's table and
 * size counter, which every thread shares, and cost a map lookup each time). Idle entries are swept
 * when the map has grown past twice its size after the last sweep (at least {@value #MIN_SWEEP}),
 * checked when an entry is created (the only way it grows), so a grant pays nothing for it: each is
 * killed (count zero to {@link #DEAD}, by compare-and-set) and removed inside one atomic {@code
 * computeIfPresent}, so the map never holds a dead entry once the sweep's step for it is over; a
 * holder of a dead reference fetches the owner's current entry and retries.
 */
final class OwnerRegistry {
  static final int MIN_SWEEP = 1024;

  /** The state of an entry removed from the map; its holders must fetch the current one. */
  private static final long DEAD = -1L;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(EntryState.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One owner's count and flavour: {@code count << 1 | (WINDOWS ? 1 : 0)}, or {@link #DEAD}. */
  static class EntryState {
    volatile long state;
  }

  /**
   * An entry, padded behind its state: written by every grant and release of its owner, and small,
   * so without padding the collector's copying packs the entries of owners busy on different
   * threads into one cache line (false sharing; seen as a drop of two-thread throughput after the
   * entries were promoted). Subclass fields are laid out after the superclass's.
   */
  static final class Entry extends EntryState {
    long p1, p2, p3, p4, p5, p6, p7;
  }

  private final ConcurrentHashMap<LockOwner, Entry> owners = new ConcurrentHashMap<>();
  private final AtomicLong sweepAt = new AtomicLong(MIN_SWEEP);

  /** Fails with INVALID_ARGUMENT if the owner holds locks of the other flavour. */
  void checkFlavour(LockOwner owner, LockFlavour flavour) {
    checkFlavour(null, owner, flavour);
  }

  /**
   * As {@link #checkFlavour(LockOwner, LockFlavour)}, answered without a map lookup from the
   * owner's index on the file being worked on ({@code own}, under its table's monitor, may be null
   * or idle): its locks are of the owner's flavour, and its cached entry is the owner's entry
   * unless swept.
   */
  void checkFlavour(OwnerLocks own, LockOwner owner, LockFlavour flavour) {
    if (own != null && !own.isEmpty()) {
      LockFlavour held = own.first().flavour();
      if (held != flavour) {
        throw mismatch(owner, held, flavour);
      }
      return;
    }
    Entry e = own == null ? null : own.registryEntry;
    if (e == null || e.state == DEAD) {
      e = owners.get(owner);
    }
    if (e == null) {
      return;
    }
    long s = e.state;
    if (s != DEAD && s >>> 1 > 0 && flavourOf(s) != flavour) {
      throw mismatch(owner, flavourOf(s), flavour);
    }
  }

  /**
   * Adds {@code delta} to the owner's record count (on grant, release or restore).
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if the owner holds the other
   *     flavour; nothing changed then
   */
  void adjust(LockOwner owner, LockFlavour flavour, int delta) {
    adjust(null, owner, flavour, delta);
  }

  /**
   * As {@link #adjust(LockOwner, LockFlavour, int)}, through the entry cached in a file's index of
   * the owner's locks (fetched and cached there when missing or dead).
   */
  void adjust(OwnerLocks index, LockOwner owner, LockFlavour flavour, int delta) {
    if (delta == 0) {
      return;
    }
    Entry e = index == null ? null : index.registryEntry;
    while (true) {
      if (e == null) {
        e = owners.get(owner);
        if (e == null) {
          e = owners.computeIfAbsent(owner, k -> new Entry());
          if (owners.mappingCount() > sweepAt.get()) {
            sweep(); // the map grew: idle entries may be too many (e too may be gone: fetch again)
            e = null;
            continue;
          }
        }
        if (index != null) {
          index.registryEntry = e;
        }
      }
      long s = e.state;
      if (s == DEAD) {
        e = null; // swept meanwhile: fetch the owner's current entry
        continue;
      }
      long count = s >>> 1;
      if (count > 0 && flavourOf(s) != flavour) {
        throw mismatch(owner, flavourOf(s), flavour);
      }
      long next = count + delta;
      if (next < 0) {
        throw new IllegalStateException("negative lock count for owner " + owner);
      }
      if (STATE.compareAndSet(e, s, next << 1 | (flavour == LockFlavour.WINDOWS ? 1 : 0))) {
        return;
      }
    }
  }

  /** The owner's number of lock records over all files. */
  long count(LockOwner owner) {
    Entry e = owners.get(owner);
    long s = e == null ? DEAD : e.state;
    return s == DEAD ? 0 : s >>> 1;
  }

  /** Number of entries, idle ones included (for tests). */
  long entries() {
    return owners.mappingCount();
  }

  /** Removes the idle entries, each killed and removed atomically. */
  private void sweep() {
    for (LockOwner k : owners.keySet()) {
      owners.computeIfPresent(k, (key, e) -> kill(e) ? null : e);
    }
    sweepAt.set(Math.max(MIN_SWEEP, 2 * owners.mappingCount()));
  }

  /** Marks an idle entry dead; false if it holds locks (or a holder just made it hold some). */
  private static boolean kill(Entry e) {
    while (true) {
      long s = e.state;
      if (s == DEAD) {
        return true;
      }
      if (s >>> 1 != 0) {
        return false;
      }
      if (STATE.compareAndSet(e, s, DEAD)) {
        return true;
      }
    }
  }

  private static LockFlavour flavourOf(long state) {
    return (state & 1) != 0 ? LockFlavour.WINDOWS : LockFlavour.POSIX;
  }

  static RuntimeException mismatch(LockOwner owner, LockFlavour held, LockFlavour asked) {
    return StoreErrors.invalidArgument(
        "owner '"
            + owner
            + "' holds "
            + held
            + " locks; a "
            + asked
            + " request from it is refused (an owner has one flavour while it holds locks)");
  }
}
