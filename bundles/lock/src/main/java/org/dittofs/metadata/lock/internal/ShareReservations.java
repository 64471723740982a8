package org.dittofs.metadata.lock.internal;

import static org.dittofs.metadata.lock.internal.RequestChecks.requireNonNull;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockErrors;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * Share reservations (SPEC 6): open with the access/deny check (revoking a courtesy client's
 * clashing opens first, SPEC 9), downgrade to a subset, close. Opens are persisted like locks: an
 * open is written before it is acknowledged, a downgrade or close is queued.
 *
 * <p>Concurrency: no state of its own; the opens are their file table's state, changed under its
 * monitor through {@link LockTables#run}.
 */
final class ShareReservations {
  private final RequestChecks checks;
  private final LockScheduler scheduler;
  private final LockIdGenerator ids;
  private final ClientRegistry clients;
  private final StoreWriter writer;
  private final LockTables tables;
  private final TableOps ops;
  private final CourtesyClients courtesy;

  ShareReservations(
      RequestChecks checks,
      LockScheduler scheduler,
      LockIdGenerator ids,
      ClientRegistry clients,
      StoreWriter writer,
      LockTables tables,
      TableOps ops,
      CourtesyClients courtesy) {
    this.courtesy = courtesy;
    this.checks = checks;
    this.scheduler = scheduler;
    this.ids = ids;
    this.clients = clients;
    this.writer = writer;
    this.tables = tables;
    this.ops = ops;
  }

  ShareReservation open(OpenRequest req) {
    requireNonNull(req, "open request");
    checks.ensureOpen();
    checks.ownerLength(req.owner());
    clients.touch(req.client());
    checks.refuseInGrace();
    return tables.run(
        req.file(),
        true,
        (t, d) -> {
          ShareReservation r = newOpen(t, req);
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

  /** A new open record for {@code req} on table {@code t}: a fresh id, now, this epoch. */
  ShareReservation newOpen(FileLockTable t, OpenRequest req) {
    return new ShareReservation(
        ids.next(t),
        req.owner(),
        req.client(),
        req.share(),
        req.file(),
        req.access(),
        req.deny(),
        scheduler.now(),
        ids.epoch());
  }

  ShareReservation downgrade(
      FileHandle file, LockId open, Set<ShareAccess> access, Set<ShareAccess> deny) {
    requireNonNull(file, "file");
    requireNonNull(open, "open id");
    requireNonNull(access, "access");
    requireNonNull(deny, "deny");
    checks.ensureOpen();
    return tables.run(
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

  void close(FileHandle file, LockId open) {
    requireNonNull(file, "file");
    requireNonNull(open, "open id");
    checks.ensureOpen();
    tables.run(
        file,
        false,
        (t, d) -> {
          ops.close(t, existingOpen(t, file, open), LockEvent.ReleaseReason.EXPLICIT, d);
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

  /** Closes a courtesy client's opens that clash with {@code r}. Returns whether any went. */
  private boolean revokeCourtesyOpens(FileLockTable t, ShareReservation r, Deferred d) {
    boolean any = false;
    for (ShareReservation o : t.opens.all()) {
      boolean clash = (r.accessMask() & o.denyMask()) != 0 || (r.denyMask() & o.accessMask()) != 0;
      if (clash && courtesy.revocable(o.client(), r.client(), true)) {
        ops.close(t, o, LockEvent.ReleaseReason.REVOKED, d);
        any = true;
      }
    }
    return any;
  }
}
