package org.dittofs.metadata.lock.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Predicate;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockManager;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;

/**
 * The lock manager over per-file lock tables.
 *
 * <p><b>State and its guards.</b>
 *
 * <ul>
 *   <li>{@code files}: a {@link ConcurrentHashMap} from file to its {@link FileLockTable}; a table
 *       exists while the file has locks or opens (or an operation is running on it).
 *   <li>Each {@link FileLockTable} and everything in it is guarded by the table's own monitor.
 *       Every operation on a file runs entirely inside {@code synchronized (table)}: it computes a
 *       {@link LockChange}, checks it, and applies it, so observers see all of it or none of it.
 *   <li>{@code owners} ({@link OwnerRegistry}) and {@code lockCount} are lock-free and updated
 *       while the table monitor is held.
 * </ul>
 *
 * <p><b>Lock order.</b> A thread holds at most one table monitor, never two, and takes the
 * registry's per-key lock ({@code compute}) only inside a table monitor. There is no global mutex:
 * operations on different files never wait for each other.
 *
 * <p><b>Retiring tables.</b> When an operation leaves its table empty it marks it retired and
 * removes it from {@code files}, under the monitor. A thread that fetched the table earlier sees
 * {@code retired} once it holds the monitor and retries with the current table, so no grant lands
 * in a table that is no longer reachable.
 *
 * <p><b>Invariants</b> (checked by the tests after every step): no two locks of different owners
 * conflict; an owner's POSIX locks on a file are disjoint and same-type ones do not touch; every
 * lock is reachable through its type's interval tree and its owner's index; the open counters equal
 * a recount of the opens; the registry's count per owner equals its records.
 */
public final class DefaultLockManager implements LockManager {
  private static final FileLockTable EMPTY = new FileLockTable();
  private static final Predicate<Lock> ALL = l -> true;
  private static final Predicate<Lock> WINDOWS_ONLY = l -> l.flavour() == LockFlavour.WINDOWS;

  private final ConcurrentHashMap<FileHandle, FileLockTable> files = new ConcurrentHashMap<>();
  private final OwnerRegistry owners = new OwnerRegistry();
  private final LongAdder lockCount = new LongAdder();
  private final LockIdGenerator ids;
  private final PosixChanges posix;
  private final WindowsChanges windows;
  private final Clock clock;
  private final int maxOwnerIdBytes;

  /**
   * Use {@link org.dittofs.metadata.lock.LockManagers#builder()}.
   *
   * @param epoch server epoch for new ids and records
   * @param clock source of acquisition times
   * @param maxOwnerIdBytes longest owner id in UTF-8 bytes; {@code <= 0} disables the check
   */
  public DefaultLockManager(long epoch, Clock clock, int maxOwnerIdBytes) {
    this.ids = new LockIdGenerator(epoch);
    this.posix = new PosixChanges(ids);
    this.windows = new WindowsChanges(ids);
    this.clock = clock;
    this.maxOwnerIdBytes = maxOwnerIdBytes;
  }

  @Override
  public LockResult lock(LockRequest req) {
    validate(req);
    return onTable(
        req.file(),
        true,
        t -> {
          Lock c =
              t.firstConflict(req.owner(), req.type(), req.range(), Conflicts.Purpose.LOCK, ALL);
          if (c != null) {
            return new LockResult.Denied(c);
          }
          LockChange ch =
              req.flavour() == LockFlavour.POSIX
                  ? posix.grant(t, req, now())
                  : windows.grant(req, now());
          commit(t, req.owner(), req.flavour(), ch);
          return new LockResult.Granted(List.of(ch.result()));
        });
  }

  @Override
  public LockResult lockAll(List<LockRequest> requests) {
    if (requests == null || requests.isEmpty()) {
      throw StoreErrors.invalidArgument("lockAll needs at least one request");
    }
    LockRequest head = requests.get(0);
    if (requests.size() == 1) {
      return lock(head);
    }
    for (LockRequest r : requests) {
      validate(r);
      if (!r.file().equals(head.file()) || !r.owner().equals(head.owner())) {
        throw StoreErrors.invalidArgument(
            "a multi-range lock request must name one file and one owner");
      }
      if (r.flavour() != LockFlavour.WINDOWS) {
        throw StoreErrors.invalidArgument(
            "multi-range lock requests are WINDOWS only; send POSIX ranges one by one");
      }
    }
    return onTable(
        head.file(),
        true,
        t -> {
          List<LockChange> applied = new ArrayList<>(requests.size());
          for (LockRequest r : requests) {
            Lock c = t.firstConflict(r.owner(), r.type(), r.range(), Conflicts.Purpose.LOCK, ALL);
            if (c != null) {
              undoAll(t, applied);
              return new LockResult.Denied(c);
            }
            LockChange ch = windows.grant(r, now());
            t.apply(ch);
            applied.add(ch);
          }
          try {
            owners.adjust(head.owner(), LockFlavour.WINDOWS, applied.size());
          } catch (RuntimeException e) {
            undoAll(t, applied);
            throw e;
          }
          lockCount.add(applied.size());
          List<Lock> granted = new ArrayList<>(applied.size());
          applied.forEach(ch -> granted.add(ch.result()));
          return new LockResult.Granted(granted);
        });
  }

  @Override
  public void unlock(UnlockRequest req) {
    requireNonNull(req, "unlock request");
    owners.checkFlavour(req.owner(), req.flavour());
    onTable(
        req.file(),
        false,
        t -> {
          LockChange ch =
              req.flavour() == LockFlavour.POSIX ? posix.release(t, req) : windows.release(t, req);
          if (ch == null) {
            throw LockErrors.lockNotFound(
                req.file(), req.range() + " is not locked by owner '" + req.owner() + "'");
          }
          if (!ch.isEmpty()) {
            commit(t, req.owner(), req.flavour(), ch);
          }
          return null;
        });
  }

  @Override
  public void unlockAll(List<UnlockRequest> requests) {
    if (requests == null || requests.isEmpty()) {
      throw StoreErrors.invalidArgument("unlockAll needs at least one request");
    }
    for (int i = 0; i < requests.size(); i++) {
      try {
        unlock(requests.get(i));
      } catch (StoreError e) {
        throw new StoreError(
            e.code(),
            "unlock element "
                + (i + 1)
                + " of "
                + requests.size()
                + " failed ("
                + i
                + " before it were released): "
                + e.getMessage(),
            e.path().orElse(null),
            e.file().orElse(null),
            e.detail().orElse(null),
            e);
      }
    }
  }

  @Override
  public Optional<Lock> test(LockRequest req) {
    validate(req);
    return onTable(
        req.file(),
        false,
        t ->
            Optional.ofNullable(
                t.firstConflict(
                    req.owner(), req.type(), req.range(), Conflicts.Purpose.LOCK, ALL)));
  }

  @Override
  public ShareReservation open(OpenRequest req) {
    requireNonNull(req, "open request");
    checkOwnerLength(req.owner());
    return onTable(
        req.file(),
        true,
        t -> {
          ShareReservation r =
              new ShareReservation(
                  ids.next(),
                  req.owner(),
                  req.client(),
                  req.share(),
                  req.file(),
                  req.access(),
                  req.deny(),
                  now(),
                  ids.epoch());
          String clash = t.opens.conflict(r.accessMask(), r.denyMask());
          if (clash != null) {
            throw LockErrors.shareDenied(
                req.file(),
                "open by '"
                    + req.owner()
                    + "' with access "
                    + req.access()
                    + " and deny "
                    + req.deny()
                    + ": "
                    + clash);
          }
          t.opens.add(r);
          return r;
        });
  }

  @Override
  public ShareReservation downgrade(
      FileHandle file, LockId open, Set<ShareAccess> access, Set<ShareAccess> deny) {
    requireNonNull(file, "file");
    requireNonNull(open, "open id");
    requireNonNull(access, "access");
    requireNonNull(deny, "deny");
    return onTable(
        file,
        false,
        t -> {
          ShareReservation old = existingOpen(t, file, open);
          if (!old.access().containsAll(access) || !old.deny().containsAll(deny)) {
            throw StoreErrors.invalidArgument(
                "open "
                    + open
                    + " holds access "
                    + old.access()
                    + " and deny "
                    + old.deny()
                    + "; a downgrade to access "
                    + access
                    + " and deny "
                    + deny
                    + " is not a subset of both");
          }
          ShareReservation r =
              new ShareReservation(
                  old.id(),
                  old.owner(),
                  old.client(),
                  old.share(),
                  old.file(),
                  access.isEmpty() ? Set.of() : EnumSet.copyOf(access),
                  deny.isEmpty() ? Set.of() : EnumSet.copyOf(deny),
                  now(),
                  ids.epoch());
          t.opens.remove(old);
          t.opens.add(r);
          return r;
        });
  }

  @Override
  public void close(FileHandle file, LockId open) {
    requireNonNull(file, "file");
    requireNonNull(open, "open id");
    onTable(
        file,
        false,
        t -> {
          t.opens.remove(existingOpen(t, file, open));
          return null;
        });
  }

  @Override
  public void checkRead(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode) {
    checkIo(file, owner, range, mode, LockType.SHARED, "read");
  }

  @Override
  public void checkWrite(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode) {
    checkIo(file, owner, range, mode, LockType.EXCLUSIVE, "write");
  }

  @Override
  public List<Lock> locks(FileHandle file) {
    requireNonNull(file, "file");
    return onTable(file, false, FileLockTable::locks);
  }

  @Override
  public List<ShareReservation> opens(FileHandle file) {
    requireNonNull(file, "file");
    return onTable(file, false, t -> t.opens.all());
  }

  @Override
  public long lockCount() {
    return lockCount.sum();
  }

  @Override
  public long epoch() {
    return ids.epoch();
  }

  /** The live tables, for invariant checks in tests. */
  Map<FileHandle, FileLockTable> tables() {
    return files;
  }

  /** The owner registry, for invariant checks in tests. */
  OwnerRegistry owners() {
    return owners;
  }

  private void checkIo(
      FileHandle file,
      LockOwner owner,
      ByteRange range,
      LockingMode mode,
      LockType as,
      String what) {
    requireNonNull(file, "file");
    requireNonNull(owner, "owner");
    requireNonNull(range, "range");
    requireNonNull(mode, "locking mode");
    Predicate<Lock> applies = mode == LockingMode.MANDATORY ? ALL : WINDOWS_ONLY;
    onTable(
        file,
        false,
        t -> {
          Lock c = t.firstConflict(owner, as, range, Conflicts.Purpose.IO, applies);
          if (c != null) {
            throw LockErrors.lockConflict(what + " of " + range + " by '" + owner + "'", c);
          }
          return null;
        });
  }

  private static ShareReservation existingOpen(FileLockTable t, FileHandle file, LockId id) {
    ShareReservation r = t.opens.get(id);
    if (r == null) {
      throw new StoreError(
          ErrorCode.NOT_FOUND, "no open " + id + " on this file", null, file.toHex(), null, null);
    }
    return r;
  }

  /**
   * Runs {@code op} on the file's table under its monitor, retrying if the table was retired
   * meanwhile, and retires the table if the operation left it empty. Without {@code create}, a file
   * with no table runs {@code op} on a shared empty table, which {@code op} must not change.
   */
  private <T> T onTable(FileHandle file, boolean create, Function<FileLockTable, T> op) {
    while (true) {
      FileLockTable t =
          create ? files.computeIfAbsent(file, f -> new FileLockTable()) : files.get(file);
      if (t == null) {
        return op.apply(EMPTY);
      }
      synchronized (t) {
        if (t.retired) {
          continue;
        }
        try {
          return op.apply(t);
        } finally {
          if (t.isEmpty()) {
            t.retired = true;
            files.remove(file, t);
          }
        }
      }
    }
  }

  /** Counts the change for its owner (re-checking the flavour atomically), then applies it. */
  private void commit(FileLockTable t, LockOwner owner, LockFlavour flavour, LockChange ch) {
    owners.adjust(owner, flavour, ch.delta());
    t.apply(ch);
    lockCount.add(ch.delta());
  }

  private static void undoAll(FileLockTable t, List<LockChange> applied) {
    for (int i = applied.size() - 1; i >= 0; i--) {
      t.undo(applied.get(i));
    }
  }

  private void validate(LockRequest req) {
    requireNonNull(req, "lock request");
    checkOwnerLength(req.owner());
    owners.checkFlavour(req.owner(), req.flavour());
  }

  private void checkOwnerLength(LockOwner owner) {
    if (maxOwnerIdBytes > 0 && owner.utf8Length() > maxOwnerIdBytes) {
      throw new StoreError(
          ErrorCode.INVALID_ARGUMENT,
          "owner id is "
              + owner.utf8Length()
              + " UTF-8 bytes long; at most "
              + maxOwnerIdBytes
              + " are allowed",
          null,
          null,
          new ErrorDetail.Limit("owner-id-length", owner.utf8Length(), maxOwnerIdBytes),
          null);
    }
  }

  private static void requireNonNull(Object v, String what) {
    if (v == null) {
      throw StoreErrors.invalidArgument(what + " must not be null");
    }
  }

  private Instant now() {
    return clock.instant();
  }
}
