package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockEventListener;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.slf4j.Logger;

/**
 * The lock manager over per-file lock tables.
 *
 * <p><b>State and its guards.</b>
 *
 * <ul>
 *   <li>{@code files}: a {@link ConcurrentHashMap} from file to its {@link FileLockTable}; a table
 *       exists while the file has locks, opens or waiters (or an operation is running on it).
 *   <li>Each {@link FileLockTable} and everything in it (locks, opens, waiters, restored marks) is
 *       guarded by the table's own monitor. Every operation on a file runs entirely inside {@code
 *       synchronized (table)}: it computes a {@link LockChange}, checks it, persists it and applies
 *       it, so observers see all of it or none of it.
 *   <li>{@code owners}, {@code limits}' counters and the client map are lock-free; the {@link
 *       ClientRegistry}, {@link GracePeriod}, {@link WaitForGraph} and {@link StoreWriter} each
 *       guard their own fields with their own monitor.
 *   <li>{@code config} and {@code closed} are volatile.
 * </ul>
 *
 * <p><b>Lock order.</b> A thread holds at most one table monitor, never two. Inside it, it may take
 * the leaf monitors of the wait-for graph, the grace period and the store writer (never nested with
 * each other). The client registry's monitor is never taken inside a table monitor. Events and
 * completions of pending requests run after the table monitor is released ({@link Deferred}). There
 * is no global mutex on the request path: operations on different files never wait for each other
 * (the store writer's group commit is shared, but only by writes that must reach the store).
 *
 * <p><b>Retiring tables.</b> When an operation leaves its table empty it marks it retired and
 * removes it from {@code files}, under the monitor. A thread that fetched the table earlier sees
 * {@code retired} once it holds the monitor and retries with the current table, so no grant lands
 * in a table that is no longer reachable.
 *
 * <p><b>Invariants</b> (checked by the tests): no two locks of different owners conflict; an
 * owner's POSIX locks on a file are disjoint and same-type ones do not touch (except a restored,
 * unreclaimed record); every lock is reachable through its type's interval tree and its owner's
 * index; the open counters equal a recount of the opens; the registry's count per owner and the
 * limit counters equal the records; with a store up and nothing pending, the store holds exactly
 * the records in memory.
 */
public final class DefaultLockManager implements LockManager {
  private static final Logger LOG = EventBus.LOG;
  private static final FileLockTable EMPTY = new FileLockTable();
  private static final Predicate<Lock> ALL = l -> true;
  private static final Predicate<Lock> WINDOWS_ONLY = l -> l.flavour() == LockFlavour.WINDOWS;

  private final ConcurrentHashMap<FileHandle, FileLockTable> files = new ConcurrentHashMap<>();
  private final OwnerRegistry owners = new OwnerRegistry();
  private final EventBus events = new EventBus();
  private final LockScheduler scheduler;
  private final boolean ownsScheduler;
  private volatile LockStore store; // the bound store; null when running without persistence
  private final LockIdGenerator ids;
  private final LockLimits limits;
  private final ClientRegistry clients;
  private final StoreWriter writer;
  private final WaitForGraph graph = new WaitForGraph();
  private final TrafficGate gate = new TrafficGate();
  private final GracePeriod grace;
  private final TableOps ops;
  private volatile LockConfig config;
  private volatile boolean closed;

  private DefaultLockManager(
      LockConfig config,
      LockScheduler scheduler,
      boolean ownsScheduler,
      LockStore store,
      long epoch) {
    this.config = config;
    this.scheduler = scheduler;
    this.ownsScheduler = ownsScheduler;
    this.store = store;
    this.ids = new LockIdGenerator(epoch);
    this.limits = new LockLimits(() -> this.config);
    this.clients =
        new ClientRegistry(
            scheduler,
            () -> this.config.maxConnectionsPerAdapter(),
            () -> this.config.leaseTime().toNanos());
    this.writer =
        new StoreWriter(
            store,
            scheduler,
            () -> this.config.storeRetryInterval(),
            events,
            scheduler instanceof SystemLockScheduler ? StoreWriter.retryThread() : Runnable::run);
    this.grace = new GracePeriod(scheduler);
    this.ops =
        new TableOps(
            () -> this.config,
            scheduler,
            ids,
            owners,
            limits,
            clients,
            writer,
            graph,
            grace,
            () -> endGrace(true));
  }

  /**
   * Creates and starts a manager: takes the next epoch from the store, restores its records and
   * enters the grace period if it held any or was not shut down cleanly. A store that was never
   * started (server epoch 0) had no last shutdown: an empty one starts without grace. Use {@link
   * org.dittofs.metadata.lock.host.LockManagers}.
   */
  public static DefaultLockManager start(
      LockConfig config,
      LockScheduler scheduler,
      boolean ownsScheduler,
      LockStore store,
      long epoch,
      List<LockEventListener> listeners) {
    long ep = epoch;
    boolean clean = true;
    List<PersistedLock> records = List.of();
    if (store != null) {
      try {
        ep = store.incrementServerEpoch();
        // a store that was never started (epoch 0 before this start) had no last shutdown
        clean = ep == 1 || store.isCleanShutdown();
        records = store.listLocks(org.dittofs.metadata.lock.spi.LockQuery.all());
        store.setCleanShutdown(false);
      } catch (RuntimeException e) {
        throw new StoreError(
            ErrorCode.STORE_UNAVAILABLE,
            "the lock manager cannot start: its store cannot be read: " + e.getMessage(),
            e);
      }
    }
    DefaultLockManager m = new DefaultLockManager(config, scheduler, ownsScheduler, store, ep);
    listeners.forEach(m.events::add);
    m.restore(records, clean);
    return m;
  }

  // ---- byte-range locks ----------------------------------------------------------------------

  @Override
  public LockResult lock(LockRequest req) {
    try {
      return lockNow(req);
    } catch (StoreError e) {
      throw refused(req, e);
    }
  }

  @Override
  public LockResult lockAll(List<LockRequest> requests) {
    try {
      return lockAllNow(requests);
    } catch (StoreError e) {
      throw refused(requests == null || requests.isEmpty() ? null : requests.get(0), e);
    }
  }

  @Override
  public PendingLock lockBlocking(LockRequest req, Duration timeout) {
    try {
      return lockBlockingNow(req, timeout);
    } catch (StoreError e) {
      throw refused(req, e);
    }
  }

  /**
   * Publishes a lock request's refusal by error (SPEC 12: every decision is an event) and returns
   * the error to throw. A malformed request (INVALID_ARGUMENT) was not decided: nothing published.
   */
  private StoreError refused(LockRequest req, StoreError e) {
    if (req != null && e.code() != ErrorCode.INVALID_ARGUMENT) {
      events.publish(new LockEvent.Refused(req, e.code()));
    }
    return e;
  }

  private LockResult lockNow(LockRequest req) {
    long now = validate(req);
    refuseInGrace();
    return onTable(
        req.file(),
        true,
        (t, d) -> {
          Lock c = ops.conflict(t, req, null, d, true);
          if (c != null) {
            d.event(new LockEvent.Denied(req, c));
            return new LockResult.Denied(c);
          }
          LockChange ch = ops.changeFor(t, req, now);
          return new LockResult.Granted(List.of(ops.grant(t, req, ch, false, d)));
        });
  }

  private LockResult lockAllNow(List<LockRequest> requests) {
    if (requests == null || requests.isEmpty()) {
      throw StoreErrors.invalidArgument("lockAll needs at least one request");
    }
    LockRequest head = requests.get(0);
    if (requests.size() == 1) {
      return lockNow(head);
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
    refuseInGrace();
    return onTable(
        head.file(),
        true,
        (t, d) -> {
          // check each element against the table and the elements before it, then grant all at once
          List<LockChange> tentative = new ArrayList<>(requests.size());
          Lock conflict = null;
          int trial = 0; // counted changes of the tentative grants, which are taken back below
          for (LockRequest r : requests) {
            conflict = ops.conflict(t, r, null, d, true);
            if (conflict != null) {
              d.event(new LockEvent.Denied(r, conflict));
              break;
            }
            LockChange ch = ops.windows().grant(t, r, scheduler.now());
            int before = t.changes;
            t.apply(ch);
            trial += t.changes - before;
            tentative.add(ch);
          }
          int before = t.changes;
          for (int i = tentative.size() - 1; i >= 0; i--) {
            t.undo(tentative.get(i));
          }
          // the table is as it was: no re-check of the waiters for the trial (a courtesy
          // revocation on the way was a real change and stays counted)
          t.changes -= trial + (t.changes - before);
          if (conflict != null) {
            return new LockResult.Denied(conflict);
          }
          List<Lock> added = new ArrayList<>();
          tentative.forEach(ch -> added.add(ch.result()));
          ops.grant(t, head, new LockChange(List.of(), added, added.get(0)), false, d);
          return new LockResult.Granted(added);
        });
  }

  private PendingLock lockBlockingNow(LockRequest req, Duration timeout) {
    validate(req);
    Duration wait = timeout == null ? config.lockTimeout() : timeout;
    if (wait.isNegative() || wait.isZero()) {
      throw StoreErrors.invalidArgument("a blocking lock timeout must be positive, got " + wait);
    }
    refuseInGrace();
    return onTable(
        req.file(),
        true,
        (t, d) -> {
          Lock c = ops.conflict(t, req, null, d, true);
          if (c == null) {
            return Waiter.granted(req, ops.grant(t, req, ops.changeFor(t, req), false, d));
          }
          Waiter w = ops.enqueue(t, req, wait, this::cancelWaiter, d);
          w.timer = scheduler.schedule(() -> timeOut(w), wait);
          return w;
        });
  }

  @Override
  public void unlock(UnlockRequest req) {
    requireNonNull(req, "unlock request");
    ensureOpen();
    owners.checkFlavour(req.owner(), req.flavour());
    onTable(
        req.file(),
        false,
        (t, d) -> {
          LockChange ch =
              req.flavour() == LockFlavour.POSIX
                  ? ops.posix().release(t, req)
                  : ops.windows().release(t, req);
          if (ch == null) {
            throw LockErrors.lockNotFound(
                req.file(), req.range() + " is not locked by owner '" + req.owner() + "'");
          }
          if (!ch.isEmpty()) {
            ops.release(t, req.owner(), req.flavour(), ch, LockEvent.ReleaseReason.EXPLICIT, d);
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
        req.file(), false, (t, d) -> Optional.ofNullable(ops.conflict(t, req, null, d, false)));
  }

  // ---- opens ---------------------------------------------------------------------------------

  @Override
  public ShareReservation open(OpenRequest req) {
    requireNonNull(req, "open request");
    ensureOpen();
    checkOwnerLength(req.owner());
    clients.touch(req.client());
    refuseInGrace();
    return onTable(
        req.file(),
        true,
        (t, d) -> {
          ShareReservation r =
              new ShareReservation(
                  ids.next(t),
                  req.owner(),
                  req.client(),
                  req.share(),
                  req.file(),
                  req.access(),
                  req.deny(),
                  scheduler.now(),
                  ids.epoch());
          String clash = t.opens.conflict(r.accessMask(), r.denyMask());
          if (clash != null && revokeCourtesyOpens(t, r, d)) {
            clash = t.opens.conflict(r.accessMask(), r.denyMask());
          }
          if (clash != null) {
            d.event(new LockEvent.OpenDenied(req));
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
          writer.writeSync(
              List.of(new LockStoreOp.Put(PersistedLock.of(r))),
              List.of(new LockStoreOp.Delete(r.id().toString())));
          t.opens.add(r);
          clients.touch(req.client()).files.add(req.file());
          d.event(new LockEvent.OpenGranted(r, false));
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
    ensureOpen();
    return onTable(
        file,
        false,
        (t, d) -> {
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
                  scheduler.now(),
                  ids.epoch());
          t.opens.remove(old);
          t.opens.add(r);
          writer.writeAsync(List.of(new LockStoreOp.Put(PersistedLock.of(r))));
          return r;
        });
  }

  @Override
  public void close(FileHandle file, LockId open) {
    requireNonNull(file, "file");
    requireNonNull(open, "open id");
    ensureOpen();
    onTable(
        file,
        false,
        (t, d) -> {
          ops.close(t, existingOpen(t, file, open), LockEvent.ReleaseReason.EXPLICIT, d);
          return null;
        });
  }

  // ---- I/O checks ----------------------------------------------------------------------------

  @Override
  public void checkRead(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode) {
    checkIo(file, owner, range, mode, LockType.SHARED, "read");
  }

  @Override
  public void checkWrite(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode) {
    checkIo(file, owner, range, mode, LockType.EXCLUSIVE, "write");
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
        (t, d) -> {
          Lock c = t.firstConflict(owner, as, range, Conflicts.Purpose.IO, applies);
          if (c != null) {
            throw LockErrors.lockConflict(what + " of " + range + " by '" + owner + "'", c);
          }
          return null;
        });
  }

  // ---- grace and reclaim ---------------------------------------------------------------------

  @Override
  public LockResult reclaim(LockRequest req) {
    try {
      return reclaimNow(req);
    } catch (StoreError e) {
      throw refused(req, e);
    }
  }

  private LockResult reclaimNow(LockRequest req) {
    validate(req);
    refuseOutsideGrace();
    return onTable(
        req.file(),
        false,
        (t, d) -> {
          // best fit: a restored lock of the requested type before a stronger one, so that a
          // weaker reclaim does not take the record a later reclaim of the same type needs
          // (stacked WINDOWS locks of one range)
          Lock restored = null;
          org.dittofs.metadata.lock.internal.OwnerLocks own = t.ownerLocks(req.owner());
          for (Lock l : own == null ? List.<Lock>of() : own.all()) {
            if (t.isRestored(l.id())
                && l.client().equals(req.client())
                && l.range().equals(req.range())
                && (l.exclusive() || req.type() == LockType.SHARED)
                && (restored == null || l.type() == req.type())) {
              restored = l;
              if (l.type() == req.type()) {
                break;
              }
            }
          }
          if (restored == null) {
            throw LockErrors.lockNotFound(
                req.file(),
                "no restored "
                    + req.type()
                    + " lock on "
                    + req.range()
                    + " of owner '"
                    + req.owner()
                    + "' and client "
                    + req.client()
                    + " to reclaim");
          }
          LockChange wanted = reclaimChange(t, restored, req);
          if (!wanted.result().range().equals(req.range())) {
            // SPEC 3, as for any grant: the record the merge leaves must not conflict (another
            // owner's zero-length lock on the boundary it closes); nothing changes then
            Lock c =
                t.firstConflict(
                    req.owner(),
                    req.type(),
                    wanted.result().range(),
                    Conflicts.Purpose.LOCK,
                    x -> true);
            if (c != null) {
              d.event(new LockEvent.Denied(req, c));
              return new LockResult.Denied(c);
            }
          }
          Lock l = ops.grant(t, req, wanted, true, d);
          t.restored.remove(restored.id());
          if (grace.reclaimed()) {
            d.later(() -> endGrace(true));
          }
          ops.settleRestored(t, 0, d);
          return new LockResult.Granted(List.of(l));
        });
  }

  /**
   * The change that replaces a restored record by the reclaimed lock, coalescing with live ones.
   */
  private LockChange reclaimChange(FileLockTable t, Lock restored, LockRequest req) {
    int changes = t.changes; // a trial: the table is put back as it was, waiters need no re-check
    t.remove(restored);
    t.restored.remove(restored.id());
    try {
      LockChange g = ops.changeFor(t, req);
      List<Lock> removed = new ArrayList<>(g.removed());
      removed.add(0, restored);
      return new LockChange(removed, g.added(), g.result());

    } finally {
      t.add(restored);
      t.restored.add(restored.id());
      t.changes = changes;
    }
  }

  @Override
  public ShareReservation reclaimOpen(OpenRequest req) {
    requireNonNull(req, "open request");
    ensureOpen();
    clients.touch(req.client());
    refuseOutsideGrace();
    return onTable(
        req.file(),
        false,
        (t, d) -> {
          // best fit: the covering restored open with the fewest modes beyond the request's (an
          // exact match first), so that a smaller reclaim does not take the open a later, larger
          // reclaim of the same owner needs
          ShareReservation old = null;
          for (ShareReservation o : t.opens.all()) {
            if (t.isRestored(o.id())
                && o.owner().equals(req.owner())
                && o.client().equals(req.client())
                && o.access().containsAll(req.access())
                && o.deny().containsAll(req.deny())
                && (old == null || modes(o) < modes(old))) {
              old = o;
            }
          }
          if (old == null) {
            throw LockErrors.lockNotFound(
                req.file(),
                "no restored open of owner '"
                    + req.owner()
                    + "' and client "
                    + req.client()
                    + " covering access "
                    + req.access()
                    + " and deny "
                    + req.deny());
          }
          ShareReservation r =
              new ShareReservation(
                  ids.next(t),
                  req.owner(),
                  req.client(),
                  req.share(),
                  req.file(),
                  req.access(),
                  req.deny(),
                  scheduler.now(),
                  ids.epoch());
          writer.writeSync(
              List.of(
                  new LockStoreOp.Delete(old.id().toString()),
                  new LockStoreOp.Put(PersistedLock.of(r))),
              List.of(
                  new LockStoreOp.Delete(r.id().toString()),
                  new LockStoreOp.Put(PersistedLock.of(old))));
          t.opens.remove(old);
          t.opens.add(r);
          t.restored.remove(old.id());
          clients.touch(req.client()).files.add(req.file());
          d.event(new LockEvent.OpenGranted(r, true));
          if (grace.reclaimed()) {
            d.later(() -> endGrace(true));
          }
          ops.settleRestored(t, 0, d);
          return r;
        });
  }

  private static int modes(ShareReservation o) {
    return Integer.bitCount(o.accessMask()) + Integer.bitCount(o.denyMask());
  }

  @Override
  public void reclaimComplete(LockClient client) {
    requireNonNull(client, "client");
    if (grace.complete(client)) {
      endGrace(true);
    }
  }

  @Override
  public GraceStatus graceStatus() {
    return grace.status();
  }

  private void restore(List<PersistedLock> records, boolean clean) {
    Set<LockClient> expected = new HashSet<>();
    Set<FileHandle> restoredFiles = new HashSet<>();
    int locks = 0;
    int opens = 0;
    for (PersistedLock r : records) {
      try {
        FileLockTable t = files.computeIfAbsent(r.file(), f -> new FileLockTable());
        if (r.kind() == PersistedLock.Kind.LOCK) {
          Lock l = r.toLock();
          owners.adjust(l.owner(), l.flavour(), 1);
          t.add(l);
          limits.count(new LockChange(List.of(), List.of(l), null), clients);
          markRestored(t, l.id(), l.client(), l.file());
          locks++;
        } else {
          ShareReservation o = r.toReservation();
          t.opens.add(o);
          markRestored(t, o.id(), o.client(), o.file());
          opens++;
        }
        expected.add(new LockClient(r.clientId(), r.adapter()));
        restoredFiles.add(r.file());
      } catch (StoreError e) {
        LOG.error("skipping unreadable lock record " + r.id() + ": " + e);
      }
    }
    files.values().removeIf(FileLockTable::isEmpty);
    if (records.isEmpty() && clean) {
      return;
    }
    Duration length = config.gracePeriod();
    grace.enter(expected, restoredFiles, locks + opens, length, () -> endGrace(false));
    events.publish(new LockEvent.GraceEntered(locks, opens, expected, length));
    LOG.info(
        "grace period of "
            + length
            + " entered: "
            + locks
            + " locks and "
            + opens
            + " opens restored for "
            + expected.size()
            + " clients"
            + (clean ? "" : " (last shutdown was not clean)"));
    if (length.isZero()) {
      endGrace(false);
    } else if (locks + opens == 0) {
      // SPEC 11: grace ends once every restored record is reclaimed; with none restored (an
      // unclean shutdown that left nothing behind) that holds at once, so no lock is refused
      endGrace(true);
    }
  }

  private void markRestored(FileLockTable t, LockId id, LockClient client, FileHandle file) {
    if (t.restored == null) {
      t.restored = new HashSet<>();
    }
    t.restored.add(id);
    clients.touch(client).files.add(file);
  }

  /** Ends the grace period once: restored records nobody reclaimed are released. */
  private void endGrace(boolean early) {
    Set<FileHandle> restoredFiles = grace.end();
    if (restoredFiles == null) {
      return;
    }
    int expired = 0;
    for (FileHandle f : restoredFiles) {
      expired +=
          onTable(
              f,
              false,
              (t, d) -> {
                if (t.restored == null) {
                  return 0;
                }
                Set<LockId> gone = t.restored;
                t.restored = null;
                int n =
                    releaseWhere(
                        t, l -> gone.contains(l.id()), LockEvent.ReleaseReason.GRACE_EXPIRED, d);
                for (ShareReservation o : t.opens.all()) {
                  if (gone.contains(o.id())) {
                    ops.close(t, o, LockEvent.ReleaseReason.GRACE_EXPIRED, d);
                    n++;
                  }
                }
                return n;
              });
    }
    events.publish(new LockEvent.GraceEnded(early, grace.reclaimedCount(), expired));
    LOG.info(
        "grace period ended"
            + (early ? " early" : "")
            + ": "
            + grace.reclaimedCount()
            + " records reclaimed, "
            + expired
            + " released");
  }

  // ---- clients -------------------------------------------------------------------------------

  @Override
  public void registerClient(LockClient client, String remoteAddress, Duration ttl) {
    requireNonNull(client, "client");
    ensureOpen();
    if (ttl != null && ttl.isNegative()) {
      throw StoreErrors.invalidArgument("client ttl must not be negative, got " + ttl);
    }
    boolean renewal;
    try {
      renewal = clients.register(client, remoteAddress, ttl);
    } catch (StoreError e) {
      if (e.detail().orElse(null) instanceof ErrorDetail.Limit l) {
        events.publish(new LockEvent.LimitHit(l.limit(), l.current(), l.max()));
      }
      throw e;
    }
    events.publish(
        new LockEvent.ClientRegistered(
            client, remoteAddress == null ? "" : remoteAddress, renewal));
  }

  @Override
  public void unregisterClient(LockClient client) {
    requireNonNull(client, "client");
    long gen = clients.unregister(client, this::ttlExpired);
    if (gen != -2) {
      events.publish(new LockEvent.ConnectionEnded(client));
    }
    if (gen >= 0) {
      releaseClient(client, LockEvent.ReleaseReason.DISCONNECT);
    }
  }

  @Override
  public void clientRebooted(LockClient client) {
    requireNonNull(client, "client");
    releaseClient(client, LockEvent.ReleaseReason.DISCONNECT);
  }

  @Override
  public void keepAlive(LockClient client) {
    requireNonNull(client, "client");
    clients.touch(client);
  }

  @Override
  public List<ClientInfo> clients() {
    return clients.list();
  }

  private void ttlExpired(LockClient client, long generation) {
    if (clients.releaseDue(client, generation)) {
      releaseClient(client, LockEvent.ReleaseReason.TIMEOUT);
    }
  }

  /** Releases every lock, open and waiter of a client, file by file. */
  private void releaseClient(LockClient client, LockEvent.ReleaseReason reason) {
    ClientState s = clients.get(client);
    int released = 0;
    if (s != null) {
      for (FileHandle f : Set.copyOf(s.files)) {
        s.files.remove(
            f); // before the table: state the client adds meanwhile re-registers the file
        released +=
            onTable(
                f,
                false,
                (t, d) -> {
                  TableOps.forgetClients(t); // the file just left s.files
                  for (Waiter w : new ArrayList<>(t.waiters())) {
                    if (w.request().client().equals(client)) {
                      ops.finish(
                          t,
                          w,
                          TableOps.waitEnded(
                              w, ErrorCode.CANCELLED, "was cancelled: its client went away"),
                          LockEvent.WaitOutcome.CANCELLED,
                          d);
                    }
                  }
                  int n = releaseWhere(t, l -> l.client().equals(client), reason, d);
                  for (ShareReservation o : t.opens.all()) {
                    if (o.client().equals(client)) {
                      ops.close(t, o, reason, d);
                      n++;
                    }
                  }
                  return n;
                });
      }
      clients.forgetIfIdle(client);
    }
    events.publish(new LockEvent.ClientUnregistered(client, released));
  }

  /** Releases the locks of a table that match, owner by owner. Returns how many. */
  private int releaseWhere(
      FileLockTable t, Predicate<Lock> which, LockEvent.ReleaseReason reason, Deferred d) {
    Map<LockOwner, List<Lock>> byOwner = new LinkedHashMap<>();
    for (Lock l : t.locks()) {
      if (which.test(l)) {
        byOwner.computeIfAbsent(l.owner(), o -> new ArrayList<>()).add(l);
      }
    }
    int n = 0;
    for (Map.Entry<LockOwner, List<Lock>> e : byOwner.entrySet()) {
      List<Lock> victims = e.getValue();
      ops.release(
          t,
          e.getKey(),
          victims.get(0).flavour(),
          new LockChange(victims, List.of(), null),
          reason,
          d);
      n += victims.size();
    }
    return n;
  }

  // ---- waiting -------------------------------------------------------------------------------

  private boolean cancelWaiter(Waiter w) {
    return endWait(w, ErrorCode.CANCELLED, "was cancelled", LockEvent.WaitOutcome.CANCELLED);
  }

  private void timeOut(Waiter w) {
    endWait(w, ErrorCode.TIMED_OUT, "timed out", LockEvent.WaitOutcome.TIMED_OUT);
  }

  private boolean endWait(Waiter w, ErrorCode code, String why, LockEvent.WaitOutcome outcome) {
    return onTable(
        w.request().file(),
        false,
        (t, d) -> {
          if (!t.waiters().contains(w)) {
            return false;
          }
          ops.finish(t, w, TableOps.waitEnded(w, code, why), outcome, d);
          return true;
        });
  }

  @Override
  public int removeFile(FileHandle file, boolean refuseIfHeld, Runnable storeWork) {
    requireNonNull(file, "file");
    requireNonNull(storeWork, "store work");
    ensureOpen();
    return onTable(
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
          for (Waiter w : new ArrayList<>(t.waiters())) {
            ops.finish(
                t,
                w,
                TableOps.waitEnded(w, ErrorCode.CANCELLED, "was cancelled: its file was removed"),
                LockEvent.WaitOutcome.CANCELLED,
                d);
          }
          Map<LockOwner, List<Lock>> byOwner = new LinkedHashMap<>();
          held.forEach(l -> byOwner.computeIfAbsent(l.owner(), o -> new ArrayList<>()).add(l));
          byOwner.forEach(
              (owner, mine) ->
                  ops.forget(
                      t,
                      owner,
                      mine.get(0).flavour(),
                      new LockChange(mine, List.of(), null),
                      LockEvent.ReleaseReason.FILE_REMOVED,
                      d));
          opened.forEach(o -> ops.forget(t, o, LockEvent.ReleaseReason.FILE_REMOVED, d));
          return held.size() + opened.size();
        });
  }

  // ---- configuration, listing, lifecycle -----------------------------------------------------

  @Override
  public List<Lock> locks(FileHandle file) {
    requireNonNull(file, "file");
    return onTable(file, false, (t, d) -> t.locks());
  }

  @Override
  public List<FileHandle> files() {
    return List.copyOf(files.keySet());
  }

  @Override
  public List<Lock> waiters(FileHandle file) {
    requireNonNull(file, "file");
    return onTable(file, false, (t, d) -> t.waiters().stream().map(Waiter::asLock).toList());
  }

  @Override
  public void endGrace() {
    endGrace(true);
  }

  @Override
  public List<ShareReservation> opens(FileHandle file) {
    requireNonNull(file, "file");
    return onTable(file, false, (t, d) -> t.opens.all());
  }

  @Override
  public long lockCount() {
    return limits.total();
  }

  @Override
  public long epoch() {
    return ids.epoch();
  }

  @Override
  public LockConfig config() {
    return config;
  }

  @Override
  public void reconfigure(LockConfig newConfig) {
    requireNonNull(newConfig, "configuration");
    this.config = newConfig;
  }

  @Override
  public void addListener(LockEventListener listener) {
    requireNonNull(listener, "listener");
    events.add(listener);
  }

  @Override
  public void removeListener(LockEventListener listener) {
    events.remove(listener);
  }

  @Override
  public org.dittofs.metadata.lock.host.SwapReport swapStore(
      LockStore next, org.dittofs.metadata.lock.spi.StoreCopier copier) {
    ensureOpen();
    long start = scheduler.nanoTime();
    List<PersistedLock> live = new ArrayList<>();
    gate.close();
    try {
      // walked after the gate closed: waits for the operation inside each table (TrafficGate)
      for (FileLockTable t : List.copyOf(files.values())) {
        synchronized (t) { // nobody else gets in: the gate holds every operation
          t.locks().forEach(l -> live.add(PersistedLock.of(l)));
          t.opens.all().forEach(o -> live.add(PersistedLock.of(o)));
        }
      }
      if (next != null) {
        (copier != null ? copier : copyInto(next)).copy(ids.epoch(), live);
      }
      writer.switchTo(next == null ? UnavailableLockStore.INSTANCE : next);
      store = next;
    } finally {
      gate.open();
    }
    Duration held = Duration.ofNanos(scheduler.nanoTime() - start);
    int copied = next == null ? 0 : live.size();
    events.publish(new LockEvent.StoreSwapped(held, copied, next == null));
    LOG.info(
        (next == null ? "lock store detached" : "lock store swapped")
            + " in "
            + held.toMillis()
            + " ms, "
            + live.size()
            + " records copied");
    return new org.dittofs.metadata.lock.host.SwapReport(held, copied);
  }

  /** The plain {@link LockStore} copy: one commit replacing every record, then the epoch. */
  private static org.dittofs.metadata.lock.spi.StoreCopier copyInto(LockStore next) {
    return (epoch, records) -> {
      Set<String> keep = new HashSet<>();
      List<LockStoreOp> ops = new ArrayList<>();
      records.forEach(
          r -> {
            keep.add(r.id());
            ops.add(new LockStoreOp.Put(r));
          });
      for (PersistedLock old : next.listLocks(org.dittofs.metadata.lock.spi.LockQuery.all())) {
        if (!keep.contains(old.id())) {
          ops.add(0, new LockStoreOp.Delete(old.id()));
        }
      }
      next.apply(ops);
      next.setServerEpoch(epoch);
      next.setCleanShutdown(false);
    };
  }

  @Override
  public int pendingStoreWrites() {
    return writer.pending();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (FileHandle f : List.copyOf(files.keySet())) {
      onTable(
          f,
          false,
          (t, d) -> {
            for (Waiter w : new ArrayList<>(t.waiters())) {
              ops.finish(
                  t,
                  w,
                  TableOps.waitEnded(
                      w, ErrorCode.CANCELLED, "was cancelled: the lock manager stopped"),
                  LockEvent.WaitOutcome.CANCELLED,
                  d);
            }
            return null;
          });
    }
    grace.end();
    boolean landed = writer.flush();
    if (store != null) {
      if (landed) {
        try {
          store.setCleanShutdown(true);
        } catch (RuntimeException e) {
          LOG.warn("could not mark the lock store cleanly shut down", e);
        }
      } else {
        LOG.warn(writer.pending() + " lock store writes did not land; the next start enters grace");
      }
    }
    if (ownsScheduler && scheduler instanceof SystemLockScheduler s) {
      s.close();
    }
  }

  /** The live tables, for invariant checks in tests. */
  Map<FileHandle, FileLockTable> tables() {
    return files;
  }

  /** The owner registry, for invariant checks in tests. */
  OwnerRegistry owners() {
    return owners;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private static ShareReservation existingOpen(FileLockTable t, FileHandle file, LockId id) {
    ShareReservation r = t.opens.get(id);
    if (r == null) {
      throw new StoreError(
          ErrorCode.NOT_FOUND, "no open " + id + " on this file", null, file.toHex(), null, null);
    }
    return r;
  }

  /** Closes a courtesy client's opens that clash with {@code r}. Returns whether any went. */
  private boolean revokeCourtesyOpens(FileLockTable t, ShareReservation r, Deferred d) {
    boolean any = false;
    for (ShareReservation o : t.opens.all()) {
      boolean clash = (r.accessMask() & o.denyMask()) != 0 || (r.denyMask() & o.accessMask()) != 0;
      if (clash && !o.client().equals(r.client()) && clients.isCourtesy(o.client())) {
        ops.close(t, o, LockEvent.ReleaseReason.REVOKED, d);
        any = true;
      }
    }
    return any;
  }

  /**
   * Runs {@code op} on the file's table under its monitor, retrying if the table was retired
   * meanwhile; re-checks the file's waiters if the operation changed the table (whether it returned
   * or threw: a courtesy revocation on the way to a refused grant stays); retires the table if it
   * is left empty; then runs the deferred actions. Without {@code create}, a file with no table
   * runs {@code op} on a shared empty table, which {@code op} must not change.
   */
  private <T> T onTable(
      FileHandle file, boolean create, BiFunction<FileLockTable, Deferred, T> op) {
    Deferred d = new Deferred(events);
    try {
      while (true) {
        if (gate.isClosed()) {
          gate.awaitOpen(config.lockTimeout());
        }
        FileLockTable t =
            create ? files.computeIfAbsent(file, f -> new FileLockTable()) : files.get(file);
        if (t == null) {
          return op.apply(EMPTY, d); // nothing to change: reads only, allowed during a swap
        }
        synchronized (t) {
          if (t.retired || gate.isClosed()) {
            continue; // see TrafficGate: read under the monitor, before anything is looked at
          }
          int seen = t.changes;
          try {
            return op.apply(t, d);
          } finally {
            if (t.waiters != null && t.changes != seen) {
              ops.wake(t, d);
            }
            if (t.isEmpty()) {
              t.retired = true;
              files.remove(file, t);
            }
          }
        }
      }
    } finally {
      d.run();
    }
  }

  private void refuseInGrace() {
    if (grace.active()) {
      throw LockErrors.gracePeriod(grace.secondsLeft());
    }
  }

  private void refuseOutsideGrace() {
    if (!grace.active()) {
      throw new StoreError(
          ErrorCode.NOT_IN_GRACE,
          "reclaims are accepted only during the grace period after a restart, and none is running");
    }
  }

  /**
   * Checks a request and touches its client.
   *
   * @return the request's reading of the monotonic clock (see {@link LockScheduler#instantAt}: the
   *     one clock read of a grant)
   */
  private long validate(LockRequest req) {
    requireNonNull(req, "lock request");
    ensureOpen();
    checkOwnerLength(req.owner());
    owners.checkFlavour(req.owner(), req.flavour());
    long now = scheduler.nanoTime();
    clients.touch(req.client(), now);
    return now;
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreError(ErrorCode.STORE_UNAVAILABLE, "the lock manager has been closed");
    }
  }

  private void checkOwnerLength(LockOwner owner) {
    int max = config.maxOwnerIdBytes();
    if (max > 0 && owner.utf8Length() > max) {
      throw new StoreError(
          ErrorCode.INVALID_ARGUMENT,
          "owner id is "
              + owner.utf8Length()
              + " UTF-8 bytes long; at most "
              + max
              + " are allowed",
          null,
          null,
          new ErrorDetail.Limit("owner-id-length", owner.utf8Length(), max),
          null);
    }
  }

  private static void requireNonNull(Object v, String what) {
    if (v == null) {
      throw StoreErrors.invalidArgument(what + " must not be null");
    }
  }
}
