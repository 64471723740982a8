package org.dittofs.metadata.lock.internal;

import static org.dittofs.metadata.lock.internal.ModelHarness.FILES;
import static org.dittofs.metadata.lock.internal.ModelHarness.OWNERS;
import static org.dittofs.metadata.lock.internal.ModelHarness.held;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.OpenRec;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * Judgements of the lock table's operations that both operation sets make alike ({@link
 * TableOperations} on the {@link ReferenceLockModel}, {@link LifecycleBasicOps} on the {@link
 * LifecycleModel}): releases, I/O checks and the conflict a refusal reports. Each runs the manager
 * through the harness and throws its {@link ModelHarness.Mismatch} on a difference.
 */
final class Judgements {
  private Judgements() {}

  /** How a model releases a range (and moves on): null, or the error the release fails with. */
  interface Release {
    ErrorCode release(int file, int owner, LockFlavour flavour, Span span);
  }

  /**
   * unlock(): succeeds or fails as the model's release; a POSIX release of a zero-length range
   * releases nothing, and refusing it as INVALID_ARGUMENT is accepted too. {@code note} is added to
   * the counted outcome.
   */
  static void judgeRelease(
      ModelHarness<?> h, LockManager manager, ModelOp.Release rel, Release model, String note) {
    Object r =
        h.perform(() -> manager.unlock(unlock(rel.owner(), rel.file(), rel.flavour(), rel.span())));
    ErrorCode expected = model.release(rel.file(), rel.owner(), rel.flavour(), rel.span());
    h.count("unlock " + (expected == null ? "OK" : expected) + note);
    if (expected == null
        && rel.flavour() == LockFlavour.POSIX
        && rel.span().zero()
        && r instanceof StoreError e
        && e.code() == ErrorCode.INVALID_ARGUMENT) {
      return; // refusing a POSIX zero-length release is as good as releasing nothing
    }
    h.expectOutcome(r, expected);
  }

  /** unlockAll(): releases in order and fails with the first release that fails. */
  static void judgeReleaseAll(
      ModelHarness<?> h, LockManager manager, ModelOp.ReleaseAll rel, Release model) {
    List<UnlockRequest> reqs = new ArrayList<>();
    for (Span s : rel.spans()) {
      reqs.add(unlock(rel.owner(), rel.file(), rel.flavour(), s));
    }
    Object r = h.perform(() -> manager.unlockAll(reqs));
    ErrorCode expected = null;
    for (Span s : rel.spans()) {
      expected = model.release(rel.file(), rel.owner(), rel.flavour(), s);
      if (expected != null) {
        break;
      }
    }
    h.count("unlockAll " + (expected == null ? "OK" : expected));
    h.expectOutcome(r, expected);
  }

  /**
   * A reported conflict must be the deterministic choice among the conflicting records: lowest
   * first byte, then oldest (smallest id), among the records of {@code table} (the verified state
   * before the step, less what the caller rules out) and the elements of the same request granted
   * before it ({@code tentative}: newer than every record of the table, in request order).
   */
  static void checkReport(
      ModelHarness<?> h,
      List<Lock> table,
      Lock reported,
      Predicate<Held> conflicting,
      List<Held> tentative) {
    Lock best = null;
    for (Lock l : table) {
      if (conflicting.test(held(l))
          && (best == null || ModelStateComparison.ORDER.compare(l, best) < 0)) {
        best = l;
      }
    }
    Held own = null;
    for (Held t : tentative) {
      if (conflicting.test(t)
          && (best == null || Long.compareUnsigned(t.span().firstByte(), best.range().first()) < 0)
          && (own == null
              || Long.compareUnsigned(t.span().firstByte(), own.span().firstByte()) < 0)) {
        own = t;
      }
    }
    if (own != null) {
      if (table.stream().anyMatch(l -> l.id().equals(reported.id()))
          || !reported.owner().equals(OWNERS[own.owner()])
          || !reported.range().equals(own.span().toRange())
          || reported.type() != own.type()) {
        throw h.mismatch(
            "report", "reported " + reported + ", expected the request's own element " + own);
      }
      return;
    }
    if (best == null) {
      throw h.mismatch("report", "reported " + reported + " but no lock of the table conflicts");
    }
    if (!best.equals(reported)) {
      throw h.mismatch(
          "report",
          "reported "
              + reported
              + ", expected "
              + best
              + " (lowest first byte, then oldest, among conflicting locks)");
    }
  }

  /**
   * Runs an I/O check on {@code manager} and judges it: {@code blocked} (the model's answer) must
   * be LOCK_CONFLICT naming, with its owner, range and type, a lock of {@code table} (the verified
   * state before the step) that restricts this I/O and conflicts with it; else success.
   */
  static void judgeIoCheck(
      ModelHarness<?> h,
      LockManager manager,
      ModelOp.IoCheck c,
      boolean blocked,
      List<Lock> table) {
    Object r =
        h.call(
            () -> {
              if (c.write()) {
                manager.checkWrite(
                    FILES[c.file()], OWNERS[c.owner()], c.span().toRange(), c.mode());
              } else {
                manager.checkRead(FILES[c.file()], OWNERS[c.owner()], c.span().toRange(), c.mode());
              }
              return null;
            });
    h.count(
        (c.write() ? "checkWrite " : "checkRead ") + c.mode() + (blocked ? " CONFLICT" : " OK"));
    h.expectOutcome(r, blocked ? ErrorCode.LOCK_CONFLICT : null);
    if (!blocked) {
      return;
    }
    ErrorDetail.Conflict named =
        ((StoreError) r)
            .conflict()
            .orElseThrow(() -> h.mismatch("report", "LOCK_CONFLICT without the conflicting lock"));
    Lock held =
        table.stream()
            .filter(l -> l.id().toString().equals(named.lockId()))
            .findFirst()
            .orElseThrow(() -> h.mismatch("report", "names lock " + named + ", not in the table"));
    Held x = held(held);
    LockType as = c.write() ? LockType.EXCLUSIVE : LockType.SHARED;
    if (!ReferenceLockModel.restrictsIo(x, c.mode())
        || !ReferenceLockModel.conflicts(x, c.owner(), as, c.span(), true)
        || !named.owner().equals(held.owner().id())
        || named.first() != held.range().first()
        || named.last() != held.range().last()
        || named.zeroLength() != held.range().isZeroLength()
        || named.exclusive() != held.exclusive()) {
      throw h.mismatch("report", "I/O refusal names " + named + " = " + held + ", no conflict");
    }
  }

  /**
   * downgrade() of an open: NOT_FOUND for an open {@code live} does not hold, INVALID_ARGUMENT for
   * modes that are no subset of its modes, else the open with the new modes, which {@code live}
   * takes. {@code note} is added to the counted success.
   */
  static void judgeDowngrade(
      ModelHarness<?> h,
      LockManager manager,
      ModelOp.OpenDowngrade d,
      Map<Integer, LockId> handles,
      ReferenceLockModel live,
      String note) {
    LockId id = handleId(handles, d.handle());
    Object r =
        h.call(
            () ->
                manager.downgrade(
                    FILES[d.file()],
                    id,
                    ModelHarness.modeSet(d.access()),
                    ModelHarness.modeSet(d.deny())));
    OpenRec old = live.liveOpen(d.file(), d.handle());
    if (old == null) {
      h.count("downgrade NOT_FOUND");
      h.expectError(r, ErrorCode.NOT_FOUND);
      return;
    }
    if ((d.access() & ~old.access()) != 0 || (d.deny() & ~old.deny()) != 0) {
      h.count("downgrade INVALID");
      h.expectError(r, ErrorCode.INVALID_ARGUMENT);
      return;
    }
    h.count("downgrade OK" + note);
    ShareReservation s = h.expect(r, ShareReservation.class);
    if (!s.id().equals(id) || s.accessMask() != d.access() || s.denyMask() != d.deny()) {
      throw h.mismatch("result", "downgrade returned " + s);
    }
    live.downgrade(d.file(), d.handle(), d.access(), d.deny());
  }

  /** The real id of an open handle of the operations, or an id never issued. */
  static LockId handleId(Map<Integer, LockId> handles, int handle) {
    LockId id = handles.get(handle);
    return id != null ? id : new LockId(0, 1_000_000L + handle); // epoch 0: never issued
  }

  private static UnlockRequest unlock(int owner, int file, LockFlavour flavour, Span span) {
    return new UnlockRequest(FILES[file], OWNERS[owner], flavour, span.toRange());
  }
}
