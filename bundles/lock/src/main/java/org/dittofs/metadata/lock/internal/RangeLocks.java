package org.dittofs.metadata.lock.internal;

import static org.dittofs.metadata.lock.internal.RequestChecks.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;

/**
 * Byte-range locks (SPEC 3, 4, 5, 7): acquire, multi-range acquire, blocking acquire with its
 * cancel and timeout, release, test and the I/O checks. Each operation runs on its file's table
 * through {@link LockTables#run} and returns its answer from there.
 *
 * <p>Concurrency: no state of its own; everything it changes belongs to a file's table and is
 * changed under that table's monitor, or, for lock and unlock requests in a lane's fast path, under
 * the lane's lock ({@link Lanes}).
 */
final class RangeLocks implements Waiter.Canceller {
  private static final Predicate<Lock> ALL = l -> true;
  private static final Predicate<Lock> WINDOWS_ONLY = l -> l.flavour() == LockFlavour.WINDOWS;

  private final RequestChecks checks;
  private final LiveConfig config;
  private final LockScheduler scheduler;
  private final OwnerRegistry owners;
  private final LockTables tables;
  private final TableOps ops;
  private final ConflictSearch conflicts;
  private final WaitQueue waiting;
  private final ClientRegistry clients;
  private final boolean clustered;

  RangeLocks(
      RequestChecks checks,
      LiveConfig config,
      LockScheduler scheduler,
      OwnerRegistry owners,
      LockTables tables,
      TableOps ops,
      ConflictSearch conflicts,
      WaitQueue waiting,
      ClientRegistry clients,
      boolean clustered) {
    this.clients = clients;
    this.clustered = clustered;
    this.checks = checks;
    this.config = config;
    this.scheduler = scheduler;
    this.owners = owners;
    this.tables = tables;
    this.ops = ops;
    this.conflicts = conflicts;
    this.waiting = waiting;
  }

  LockResult lock(LockRequest req) {
    long now = checks.lockRequestBeforeTable(req);
    checks.refuseInGrace(req, now);
    Instant at = scheduler.instantAt(now); // before the monitor: a shorter critical section
    return recounting(
        check ->
            tables.runOwned(
                req.file(),
                req.owner(),
                true,
                (t, d) -> {
                  checks.onTable(t, req, now);
                  Lock c = conflicts.conflict(t, req, null, d, true);
                  if (c != null) { // never in a lane: ConflictSearch sends those to the slow path
                    d.event(new LockEvent.Denied(req, c));
                    return new LockResult.Denied(c);
                  }
                  LockChange ch = ops.changeFor(t, req, at);
                  t.admit(ch);
                  return new LockResult.Granted(List.of(ops.grant(t, req, ch, false, check, d)));
                }));
  }

  /**
   * Runs a request's {@code attempt}. In cluster mode a first attempt that would pass its client's
   * per-client limit as this node counts it ({@link ClientRecount}) changed nothing: the client's
   * files are reloaded (this node's count may hold records other nodes released since) and the
   * request runs once more, checked exactly ({@link LockLimits}).
   */
  private <T> T recounting(java.util.function.Function<LockLimits.Check, T> attempt) {
    if (!clustered) {
      return attempt.apply(LockLimits.Check.CHECK);
    }
    try {
      return attempt.apply(LockLimits.Check.RECOUNT_FIRST);
    } catch (ClientRecount r) {
      ClientState s = clients.get(r.client());
      for (FileHandle f : tables.clientFiles(r.client(), s == null ? null : s.files)) {
        tables.read(f, (t, d) -> null);
      }
      return attempt.apply(LockLimits.Check.CHECK);
    }
  }

  LockResult lockAll(List<LockRequest> requests) {
    if (requests == null || requests.isEmpty()) {
      throw StoreErrors.invalidArgument("lockAll needs at least one request");
    }
    LockRequest head = requests.get(0);
    if (requests.size() == 1) {
      return lock(head);
    }
    for (LockRequest r : requests) {
      checks.lockRequest(r);
      if (!r.file().equals(head.file()) || !r.owner().equals(head.owner())) {
        throw StoreErrors.invalidArgument(
            "a multi-range lock request must name one file and one owner");
      }
      if (r.flavour() != LockFlavour.WINDOWS) {
        throw StoreErrors.invalidArgument(
            "multi-range lock requests are WINDOWS only; send POSIX ranges one by one");
      }
    }
    checks.refuseInGrace();
    return recounting(check -> lockAllOnTable(requests, head, check));
  }

  private LockResult lockAllOnTable(
      List<LockRequest> requests, LockRequest head, LockLimits.Check check) {
    return tables.run(
        head.file(),
        true,
        (t, d) -> {
          // check each element against the table and the elements before it, then grant all at once
          List<LockChange> tentative = new ArrayList<>(requests.size());
          Lock conflict = null;
          int trial = 0; // counted changes of the tentative grants, which are taken back below
          for (LockRequest r : requests) {
            conflict = conflicts.conflict(t, r, null, d, true);
            if (conflict != null) {
              d.event(new LockEvent.Denied(r, conflict));
              break;
            }
            LockChange ch = ops.windows().grant(t, r, scheduler.now());
            int before = t.changes();
            t.apply(ch);
            trial += t.changes() - before;
            tentative.add(ch);
          }
          int before = t.changes();
          for (int i = tentative.size() - 1; i >= 0; i--) {
            t.undo(tentative.get(i));
          }
          // the table is as it was: no re-check of the waiters for the trial (a courtesy
          // revocation on the way was a real change and stays counted)
          t.changesBackTo(t.changes() - trial - (t.changes() - before));
          if (conflict != null) {
            return new LockResult.Denied(conflict);
          }
          List<Lock> added = new ArrayList<>();
          tentative.forEach(ch -> added.add(ch.result()));
          ops.grant(t, head, new LockChange(List.of(), added, added.get(0)), false, check, d);
          return new LockResult.Granted(added);
        });
  }

  PendingLock lockBlocking(LockRequest req, Duration timeout) {
    checks.lockRequest(req);
    Duration wait = timeout == null ? config.get().lockTimeout() : timeout;
    if (wait.isNegative() || wait.isZero()) {
      throw StoreErrors.invalidArgument("a blocking lock timeout must be positive, got " + wait);
    }
    checks.refuseInGrace();
    return recounting(
        check ->
            tables.run(
                req.file(),
                true,
                (t, d) -> {
                  Lock c = conflicts.conflict(t, req, null, d, true);
                  if (c == null) {
                    return Waiter.granted(
                        req, ops.grant(t, req, ops.changeFor(t, req), false, check, d));
                  }
                  Waiter w = waiting.enqueue(t, req, this, check, d);
                  w.timer(scheduler.schedule(() -> timeOut(w), wait));
                  return w;
                }));
  }

  /** Cancels a queued waiter ({@link PendingLock#cancel}); false if it was no longer queued. */
  @Override
  public boolean cancel(Waiter w) {
    return endWait(w, ErrorCode.CANCELLED, "was cancelled", LockEvent.WaitOutcome.CANCELLED);
  }

  private void timeOut(Waiter w) {
    endWait(w, ErrorCode.TIMED_OUT, "timed out", LockEvent.WaitOutcome.TIMED_OUT);
  }

  private boolean endWait(Waiter w, ErrorCode code, String why, LockEvent.WaitOutcome outcome) {
    return tables.run(
        w.request().file(), false, (t, d) -> waiting.end(t, w, code, why, outcome, d));
  }

  void unlock(UnlockRequest req) {
    requireNonNull(req, "unlock request");
    checks.ensureOpen();
    tables.runOwned(
        req.file(),
        req.owner(),
        false,
        (t, d) -> {
          // SPEC 1, as before any change: the owner's locks here, if any, tell its flavour
          owners.checkFlavour(t.existingIndex(req.owner()), req.owner(), req.flavour());
          LockChange ch =
              req.flavour() == LockFlavour.POSIX
                  ? ops.posix().release(t, req)
                  : ops.windows().release(t, req);
          if (ch == null) {
            throw LockErrors.lockNotFound(
                req.file(), req.range() + " is not locked by owner '" + req.owner() + "'");
          }
          t.admit(ch); // a split's pieces get new ids (see Lanes, "ids")
          if (!ch.isEmpty()) {
            ops.release(t, ch, LockEvent.ReleaseReason.EXPLICIT, d);
          }
          return null;
        });
  }

  void unlockAll(List<UnlockRequest> requests) {
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

  Optional<Lock> test(LockRequest req) {
    long now = checks.lockRequestBeforeTable(req);
    return tables.read(
        req.file(),
        (t, d) -> {
          checks.onTable(t, req, now);
          return Optional.ofNullable(conflicts.conflict(t, req, null, d, false));
        });
  }

  /**
   * SPEC 7: refuses I/O of {@code owner} on {@code range} as {@code as} (SHARED for a read,
   * EXCLUSIVE for a write) with LOCK_CONFLICT if a lock that applies in {@code mode} forbids it.
   */
  void checkIo(
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
    tables.read(
        file,
        (t, d) -> {
          Lock c = t.firstConflict(owner, as, range, Conflicts.Purpose.IO, applies);
          if (c != null) {
            throw LockErrors.lockConflict(what + " of " + range + " by '" + owner + "'", c);
          }
          return null;
        });
  }
}
