package org.dittofs.metadata.lock.concurrent;

import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;

/**
 * A Lincheck scenario over the limit reservations (SPEC 8: concurrent requests never overshoot a
 * limit): three threads lock and unlock WINDOWS records on three files (three table monitors, so
 * the per-client and total counts are reserved by compare-and-set, not under one monitor). Every
 * history must be linearizable with respect to {@link LimitSpec} (which limit refused, too), and
 * after each the counters equal the records ({@link #invariants}).
 */
@Param(name = "owner", gen = ThreadIdGen.class)
@Param(name = "file", gen = IntGen.class, conf = "0:2")
public class LimitScenario {
  private final LockManager m =
      LockManagers.builder()
          .scheduler(new ManualScheduler())
          .config(
              LockConfig.builder()
                  .maxLocksPerFile(0)
                  .maxLocksPerClient(LimitSpec.PER_CLIENT)
                  .maxLocksTotal(LimitSpec.TOTAL)
                  .build())
          .build();

  private static LockRequest request(int owner, int file) {
    return new LockRequest(
        FileHandle.of("limit-" + file),
        "export",
        LockOwner.of("smb:" + owner),
        new LockClient("client-" + LimitSpec.clientOf(owner), "smb"),
        LockFlavour.WINDOWS,
        LockType.EXCLUSIVE,
        ByteRange.of(owner, owner)); // owners never conflict
  }

  @Operation
  public String lock(@Param(name = "owner") int thread, @Param(name = "file") int file) {
    int o = Math.floorMod(thread, LimitSpec.OWNERS);
    try {
      return m.lock(shared(request(o, file))).granted() ? "granted" : "denied";
    } catch (StoreError e) {
      String limit =
          e.detail().orElse(null) instanceof ErrorDetail.Limit l ? " " + l.limit() : " ?";
      return e.code() + limit;
    }
  }

  @Operation
  public String unlock(@Param(name = "owner") int thread, @Param(name = "file") int file) {
    int o = Math.floorMod(thread, LimitSpec.OWNERS);
    LockRequest r = request(o, file);
    try {
      m.unlock(new UnlockRequest(r.file(), r.owner(), LockFlavour.WINDOWS, r.range()));
      return "ok";
    } catch (StoreError e) {
      return e.code().name();
    }
  }

  @Operation
  public long count() {
    return m.lockCount();
  }

  /** SHARED WINDOWS locks of one owner stack (one record each), so every grant adds a record. */
  private static LockRequest shared(LockRequest r) {
    return new LockRequest(
        r.file(), r.share(), r.owner(), r.client(), r.flavour(), LockType.SHARED, r.range());
  }

  @Validate
  public void invariants() {
    if (m.lockCount() > LimitSpec.TOTAL) { // plain Java: Lincheck traces AssertJ's objects badly
      throw new AssertionError(m.lockCount() + " records, more than the limit " + LimitSpec.TOTAL);
    }
    LockTableInvariants.check(m);
  }
}
