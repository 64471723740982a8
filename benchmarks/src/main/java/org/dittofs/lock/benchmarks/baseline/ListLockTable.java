package org.dittofs.lock.benchmarks.baseline;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;

/**
 * The baseline: the lock table design that the common implementations use (the Linux kernel's
 * per-inode {@code flc_posix} list, the Go original's map of slices, most user-space NLM servers),
 * written here from that description only. One unsorted list of lock records per file; the files
 * are spread over a fixed number of stripes, each a plain map guarded by one mutex; every operation
 * scans the whole list of its file.
 *
 * <ul>
 *   <li>{@link #lock}: one full scan for the conflict to report (lowest first byte, then oldest)
 *       and for a same-type lock of the owner that already covers the range; a second full scan
 *       that removes the owner's locks the grant replaces (coalescing same-type neighbours,
 *       splitting other-type ones), then the new record is appended.
 *   <li>{@link #unlock}: one full scan that removes or splits the owner's locks in the range.
 *   <li>{@link #test}: one full scan.
 * </ul>
 *
 * <p>It keeps the same immutable {@link Lock} records as the lock manager (same id, owner, client,
 * range, type and acquisition time), so it answers the same questions with the same objects and the
 * memory comparison is about the index, not the record. POSIX only: the benchmarks exercise POSIX
 * locks, and nothing else of the manager (limits, clients, waiters, events, stores) is reproduced.
 * Thread-safe: every access to a file's list holds its stripe's mutex.
 */
public final class ListLockTable {
  private static final int STRIPES = 64; // a power of two

  private final Object[] mutexes = new Object[STRIPES];

  @SuppressWarnings("unchecked")
  private final Map<FileHandle, ArrayList<Lock>>[] files = new Map[STRIPES];

  private final AtomicLong sequence = new AtomicLong();
  private final long epoch;
  private final Clock clock;

  /** A table stamping records with {@code epoch} and the system UTC clock. */
  public ListLockTable(long epoch) {
    this(epoch, Clock.systemUTC());
  }

  public ListLockTable(long epoch, Clock clock) {
    this.epoch = epoch;
    this.clock = clock;
    for (int i = 0; i < STRIPES; i++) {
      mutexes[i] = new Object();
      files[i] = new HashMap<>();
    }
  }

  /** Grants the request or answers with the conflicting lock (lowest first byte, then oldest). */
  public LockResult lock(LockRequest req) {
    requirePosix(req.flavour());
    int s = stripe(req.file());
    synchronized (mutexes[s]) {
      ArrayList<Lock> list = files[s].computeIfAbsent(req.file(), f -> new ArrayList<>(4));
      ByteRange r = req.range();
      Lock conflict = null;
      Lock covering = null; // the owner's same-type record that already holds the whole range
      for (int i = 0, n = list.size(); i < n; i++) {
        Lock held = list.get(i);
        if (!held.range().overlaps(r)) {
          continue;
        }
        if (held.owner().equals(req.owner())) {
          if (held.type() == req.type() && held.range().encloses(r)) {
            covering = held;
          }
        } else if ((held.exclusive() || req.type() == LockType.EXCLUSIVE)
            && (conflict == null || before(held, conflict))) {
          conflict = held;
        }
      }
      if (conflict != null) {
        return new LockResult.Denied(conflict);
      }
      if (covering != null) {
        return new LockResult.Granted(List.of(covering));
      }
      Lock granted = replaceOwnBytes(list, req);
      return new LockResult.Granted(List.of(granted));
    }
  }

  /** Removes the owner's bytes in the range, splitting as needed; releasing nothing succeeds. */
  public void unlock(UnlockRequest req) {
    requirePosix(req.flavour());
    int s = stripe(req.file());
    synchronized (mutexes[s]) {
      ArrayList<Lock> list = files[s].get(req.file());
      if (list == null) {
        return;
      }
      long f = req.range().first();
      long l = req.range().last();
      List<Lock> pieces = null;
      int w = 0;
      for (int i = 0, n = list.size(); i < n; i++) {
        Lock held = list.get(i);
        if (held.owner().equals(req.owner()) && held.range().overlaps(req.range())) {
          pieces = keepOutside(held, f, l, pieces);
        } else {
          list.set(w++, held);
        }
      }
      truncate(list, w);
      if (pieces != null) {
        list.addAll(pieces);
      }
      if (list.isEmpty()) {
        files[s].remove(req.file());
      }
    }
  }

  /** The conflict {@link #lock} would report, or empty; changes nothing. */
  public Optional<Lock> test(LockRequest req) {
    requirePosix(req.flavour());
    int s = stripe(req.file());
    synchronized (mutexes[s]) {
      ArrayList<Lock> list = files[s].get(req.file());
      if (list == null) {
        return Optional.empty();
      }
      Lock conflict = null;
      for (int i = 0, n = list.size(); i < n; i++) {
        Lock held = list.get(i);
        if (held.range().overlaps(req.range())
            && !held.owner().equals(req.owner())
            && (held.exclusive() || req.type() == LockType.EXCLUSIVE)
            && (conflict == null || before(held, conflict))) {
          conflict = held;
        }
      }
      return Optional.ofNullable(conflict);
    }
  }

  /** Puts a record back as it was persisted (restart recovery): no checks, no merging. */
  public void restore(Lock lock) {
    int s = stripe(lock.file());
    synchronized (mutexes[s]) {
      files[s].computeIfAbsent(lock.file(), f -> new ArrayList<>(4)).add(lock);
    }
  }

  /** A copy of the records held on {@code file}, in no particular order. */
  public List<Lock> locks(FileHandle file) {
    int s = stripe(file);
    synchronized (mutexes[s]) {
      ArrayList<Lock> list = files[s].get(file);
      return list == null ? List.of() : List.copyOf(list);
    }
  }

  /** The number of records held on all files. */
  public long lockCount() {
    long n = 0;
    for (int s = 0; s < STRIPES; s++) {
      synchronized (mutexes[s]) {
        for (ArrayList<Lock> list : files[s].values()) {
          n += list.size();
        }
      }
    }
    return n;
  }

  /**
   * Removes the owner's records that the grant replaces (same type overlapping or touching: merged
   * into the new record; other type overlapping: split around the range), appends the pieces and
   * the new record, and returns the new record.
   */
  private Lock replaceOwnBytes(ArrayList<Lock> list, LockRequest req) {
    LockOwner owner = req.owner();
    long f = req.range().first();
    long l = req.range().last();
    long lo = f == 0 ? 0 : f - 1; // touching neighbours merge
    long hi = l == ByteRange.MAX ? l : l + 1;
    long newFirst = f;
    long newLast = l;
    List<Lock> pieces = null;
    int w = 0;
    for (int i = 0, n = list.size(); i < n; i++) {
      Lock held = list.get(i);
      ByteRange hr = held.range();
      if (held.owner().equals(owner)) {
        if (held.type() == req.type()
            && Long.compareUnsigned(hr.first(), hi) <= 0
            && Long.compareUnsigned(hr.last(), lo) >= 0) {
          if (Long.compareUnsigned(hr.first(), newFirst) < 0) {
            newFirst = hr.first();
          }
          if (Long.compareUnsigned(hr.last(), newLast) > 0) {
            newLast = hr.last();
          }
          continue; // merged into the new record
        }
        if (held.type() != req.type() && hr.overlaps(req.range())) {
          pieces = keepOutside(held, f, l, pieces);
          continue;
        }
      }
      list.set(w++, held);
    }
    truncate(list, w);
    if (pieces != null) {
      list.addAll(pieces);
    }
    Lock granted =
        new Lock(
            nextId(),
            owner,
            req.client(),
            req.share(),
            req.file(),
            ByteRange.of(newFirst, newLast),
            req.type(),
            req.flavour(),
            clock.instant(),
            epoch);
    list.add(granted);
    return granted;
  }

  private List<Lock> keepOutside(Lock c, long f, long l, List<Lock> out) {
    ByteRange cr = c.range();
    if (Long.compareUnsigned(cr.first(), f) < 0) {
      out = out == null ? new ArrayList<>(2) : out;
      out.add(piece(c, ByteRange.of(cr.first(), f - 1)));
    }
    if (Long.compareUnsigned(cr.last(), l) > 0) {
      out = out == null ? new ArrayList<>(2) : out;
      out.add(piece(c, ByteRange.of(l + 1, cr.last())));
    }
    return out;
  }

  private Lock piece(Lock c, ByteRange range) {
    return new Lock(
        nextId(),
        c.owner(),
        c.client(),
        c.share(),
        c.file(),
        range,
        c.type(),
        c.flavour(),
        c.acquiredAt(),
        epoch);
  }

  private LockId nextId() {
    return new LockId(epoch, sequence.incrementAndGet());
  }

  private static boolean before(Lock a, Lock b) {
    int c = Long.compareUnsigned(a.range().first(), b.range().first());
    return c != 0 ? c < 0 : a.id().compareTo(b.id()) < 0;
  }

  private static void truncate(ArrayList<Lock> list, int size) {
    if (size < list.size()) {
      list.subList(size, list.size()).clear();
    }
  }

  private static int stripe(FileHandle file) {
    int h = file.hashCode();
    h ^= h >>> 16;
    return h & (STRIPES - 1);
  }

  private static void requirePosix(LockFlavour flavour) {
    if (flavour != LockFlavour.POSIX) {
      throw new UnsupportedOperationException("the baseline table is POSIX only");
    }
  }
}
