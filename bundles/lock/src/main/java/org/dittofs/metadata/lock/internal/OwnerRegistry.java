package org.dittofs.metadata.lock.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.FileHandle;
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
 *
 * <p><b>Pins</b> (one node; not in cluster mode, where no {@link Settler} is attached). An owner's
 * index on a file that a release empties keeps the count of its last record as a <i>pin</i> ({@link
 * OwnerLocks#pinnedOn}, the file): the owner's next lock there, of the same flavour, finds its unit
 * counted already and the release after it leaves it so, so an owner locking and unlocking one file
 * over and over writes no shared counter at all (two compare-and-sets per pair before: about 6% of
 * an uncontended pair, benchmarks/README.md). The count is then the owner's records plus its pins
 * on files where it holds nothing. A pin binds the flavour as a record does while it stands, so it
 * is taken back before a request of the other flavour is refused for it: the entry lists the files
 * of its pins ({@code pins}); a check under a file's monitor that finds the other flavour counted
 * while pins stand throws {@link SettleFirst}, and {@link LockTables#run} then, holding no monitor,
 * has the {@link Settler} take back the pins of files where the owner holds nothing ({@link
 * #unpin}, under each file's monitor) and runs the request once more; a check with no monitor held
 * settles in place. A pin is guarded by its file's table (the index's guard): it is made, used and
 * taken back under it, and taken back too when the index is let go (an idle index swept, a table
 * retired, an idle lane retired), so every pin is in an index that some file's table holds. A pin's
 * file is put in {@code pins} before the pin is set and taken out after its unit is given back, so
 * a counted pin is always listed.
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
    /**
     * The files of the owner's pins (see the class comment), made with the first; a concurrent set,
     * written under the pinned file's table.
     */
    volatile Set<FileHandle> pins;

    long p1, p2, p3, p4, p5, p6;

    Set<FileHandle> pins() {
      Set<FileHandle> p = pins;
      if (p == null) {
        synchronized (this) {
          p = pins;
          if (p == null) {
            pins = p = ConcurrentHashMap.newKeySet();
          }
        }
      }
      return p;
    }
  }

  /**
   * Takes back pins from outside every table ({@link LockTables}): pins are made only once one is
   * attached ({@link #settleThrough}).
   */
  interface Settler {
    /**
     * Takes back the owner's pins on files where it holds nothing, each under its file's table;
     * called with no table held.
     */
    void settle(LockOwner owner);

    /** Re-checks the file's waiters (after a settle a waiter asked for, {@link SettleFirst}). */
    void recheck(FileHandle file);
  }

  /**
   * A check under a table found the owner's other flavour counted while it has pins: nothing has
   * changed; settle ({@link Settler#settle}) with no table held and try once more, then give {@link
   * #refusal} if it is thrown again. Every caller of a check under a table catches it ({@link
   * LockTables#run}, {@link WaitQueue#recheck}).
   */
  static final class SettleFirst extends RuntimeException {
    private final transient LockOwner owner;
    private final LockFlavour held;
    private final LockFlavour asked;

    SettleFirst(LockOwner owner, LockFlavour held, LockFlavour asked) {
      super("settle the pins of owner '" + owner + "' first", null, false, false);
      this.owner = owner;
      this.held = held;
      this.asked = asked;
    }

    LockOwner owner() {
      return owner;
    }

    /** The refusal (INVALID_ARGUMENT) once the owner's pins were settled and it is in the way. */
    StoreError refusal() {
      return mismatch(owner, held, asked);
    }
  }

  private final ConcurrentHashMap<LockOwner, Entry> owners = new ConcurrentHashMap<>();
  private final AtomicLong sweepAt = new AtomicLong(MIN_SWEEP);

  /** Where pins are settled; null (no pins) until attached, and in cluster mode. */
  private volatile Settler settler;

  /** Attaches the settler: from now on releases leave pins (see the class comment). */
  void settleThrough(Settler s) {
    settler = s;
  }

  /** The settler (not null once a {@link SettleFirst} was thrown). */
  Settler settler() {
    return settler;
  }

  /**
   * Fails with INVALID_ARGUMENT if the owner holds locks of the other flavour. Called with no table
   * held: pins in the way are settled here first.
   */
  void checkFlavour(LockOwner owner, LockFlavour flavour) {
    try {
      checkFlavour(null, owner, flavour);
    } catch (SettleFirst s) {
      settler.settle(owner);
      try {
        checkFlavour(null, owner, flavour);
      } catch (SettleFirst again) {
        throw again.refusal();
      }
    }
  }

  /**
   * As {@link #checkFlavour(LockOwner, LockFlavour)}, answered without a map lookup from the
   * owner's index on the file being worked on ({@code own}, under its table's monitor, may be null
   * or idle): its locks are of the owner's flavour, and its cached entry is the owner's entry
   * unless swept. Its pin, if the index is empty, answers for the owner when of the request's
   * flavour, and is taken back when not.
   *
   * @throws SettleFirst if the other flavour is counted while the owner has pins (the caller
   *     settles them with no table held and tries once more)
   */
  void checkFlavour(OwnerLocks own, LockOwner owner, LockFlavour flavour) {
    if (own != null && !own.isEmpty()) {
      LockFlavour held = own.first().flavour();
      if (held != flavour) {
        throw mismatch(owner, held, flavour);
      }
      return;
    }
    if (own != null && own.pinnedOn != null) {
      if (flavourOf(own.registryEntry.state) == flavour) {
        return; // the pin's unit is of this flavour: so is the owner
      }
      unpin(own); // ours to take back: this file's table is held
    }
    Entry e = own == null ? null : own.registryEntry;
    if (e == null || e.state == DEAD) {
      e = owners.get(owner);
    }
    if (e == null) {
      return;
    }
    // the list first: a counted pin is listed (before it stands, until its unit is given back), so
    // with none listed the count read after it is records, or pins made since from records the
    // owner released meanwhile: a refusal stands for a moment it held them
    Set<FileHandle> pins = e.pins;
    boolean pinned = pins != null && !pins.isEmpty();
    long s = e.state;
    if (s != DEAD && s >>> 1 > 0 && flavourOf(s) != flavour) {
      if (pinned && settler != null) {
        throw new SettleFirst(owner, flavourOf(s), flavour); // settled, then asked once more
      }
      throw mismatch(owner, flavourOf(s), flavour);
    }
  }

  /**
   * Counts a grant's change of {@code delta} records of the owner in {@code index}, before it is
   * applied there (a pin's unit stands for the first record: an owner re-locking a file where it
   * has a pin changes no count). Undone by {@link #undo} with the same {@code delta}.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if the owner holds the other
   *     flavour; nothing changed then
   */
  void granting(OwnerLocks index, LockOwner owner, LockFlavour flavour, int delta) {
    if (delta == 0) {
      return;
    }
    if (index.pinnedOn != null && flavourOf(index.registryEntry.state) != flavour) {
      unpin(index); // a pin of the other flavour (a grant that skipped the check): given back first
    }
    change(index, owner, flavour, delta);
  }

  /** Takes back what {@link #granting} counted for a grant of {@code delta} that failed. */
  void undo(OwnerLocks index, LockOwner owner, LockFlavour flavour, int delta) {
    change(index, owner, flavour, -delta);
  }

  /**
   * Counts a release of {@code -delta} records of the owner from {@code index} on {@code file}: an
   * index left holding no counted record keeps its last unit as a pin (see the class comment).
   */
  void released(
      OwnerLocks index, LockOwner owner, LockFlavour flavour, int delta, FileHandle file) {
    if (delta == 0) {
      return;
    }
    if (index.pinnedOn == null && index.counted + delta == 0 && settler != null) {
      Entry e = liveEntry(index, owner); // counts the records released: live
      e.pins().add(file); // listed before it stands
      index.pinnedOn = file; // it stands for one unit of the count from now on
    }
    change(index, owner, flavour, delta);
  }

  /**
   * Counts {@code delta} records more in {@code index}: the index stands for {@code counted} units,
   * or one if it has a pin and counts no record.
   */
  private void change(OwnerLocks index, LockOwner owner, LockFlavour flavour, int delta) {
    if (index.pinnedOn == null) {
      adjust(index, owner, flavour, delta);
      return;
    }
    int before = index.counted;
    int after = before + delta;
    if (after < 0) {
      throw new IllegalStateException("negative lock count for owner " + owner + " on a file");
    }
    addToCount(index, owner, flavour, Math.max(after, 1) - Math.max(before, 1));
    index.counted = after;
  }

  /**
   * Takes back the pin of {@code index} (if it has one), under the table that holds the index: its
   * unit is given back if the index counts no record (a pin is counted only then), then its file
   * leaves the entry's list.
   */
  static void unpin(OwnerLocks index) {
    FileHandle file = index.pinnedOn;
    if (file == null) {
      return;
    }
    Entry e = index.registryEntry;
    index.pinnedOn = null;
    while (index.counted == 0) {
      long s = e.state;
      if (s == DEAD || s >>> 1 == 0) {
        throw new IllegalStateException("a pin of owner " + index.owner + " was not counted");
      }
      if (STATE.compareAndSet(e, s, s - 2)) {
        break;
      }
    }
    e.pins.remove(file);
  }

  /** The files where the owner has pins now (a copy; empty if none). */
  List<FileHandle> pinnedFiles(LockOwner owner) {
    Entry e = owners.get(owner);
    Set<FileHandle> pins = e == null ? null : e.pins;
    return pins == null ? List.of() : List.copyOf(pins);
  }

  /** The owner's entry as cached in {@code index}, fetched if missing or dead; the owner counts. */
  private Entry liveEntry(OwnerLocks index, LockOwner owner) {
    Entry e = index.registryEntry;
    if (e == null || e.state == DEAD) {
      e = owners.get(owner);
      if (e == null || e.state == DEAD) {
        throw new IllegalStateException("owner " + owner + " releases records it was not counted");
      }
      index.registryEntry = e;
    }
    return e;
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
    addToCount(index, owner, flavour, delta);
    if (index != null) {
      index.counted += delta;
    }
  }

  /** Adds {@code delta} to the owner's count, through the entry cached in {@code index}. */
  private void addToCount(OwnerLocks index, LockOwner owner, LockFlavour flavour, int delta) {
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

  /** The owners counted (records or pins) or listing pins now (invariant checks). */
  List<LockOwner> counted() {
    List<LockOwner> out = new java.util.ArrayList<>();
    owners.forEach(
        (o, e) -> {
          long s = e.state;
          Set<FileHandle> pins = e.pins;
          if ((s != DEAD && s >>> 1 > 0) || (pins != null && !pins.isEmpty())) {
            out.add(o);
          }
        });
    return out;
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

  static StoreError mismatch(LockOwner owner, LockFlavour held, LockFlavour asked) {
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
