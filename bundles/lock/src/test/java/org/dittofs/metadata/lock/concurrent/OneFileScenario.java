package org.dittofs.metadata.lock.concurrent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.jetbrains.lincheck.datastructures.BooleanGen;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;

/**
 * A Lincheck scenario over one file of the lock manager ({@link LockManagerLincheckTest}): lock,
 * unlock, test, blocking requests with poll and cancel, open and close, from three threads, each
 * thread one POSIX owner (so that each owner's list of its own requests and opens is confined to
 * its thread). Lincheck's model checker explores interleavings of the manager's threads (its
 * monitors, the store writer's group commit, the wait-for graph) and the stress mode runs them on
 * real threads; every history must be linearizable with respect to {@link OneFileSpec}, and after
 * each the table's invariants hold, the store equals memory and no queued request is free of
 * conflicts ({@link #invariants}). The manager runs with BARGING fairness on a {@link
 * FaultyLockStore} and a scheduler that is never advanced (no timeout fires).
 */
@Param(name = "owner", gen = ThreadIdGen.class)
@Param(name = "range", gen = IntGen.class, conf = "0:5")
@Param(name = "exclusive", gen = BooleanGen.class)
public class OneFileScenario {
  private static final FileHandle FILE = FileHandle.of("lincheck");

  volatile FaultyLockStore store; // the bound store, or null (in memory)
  final LockManager m;
  private final List<Deque<PendingLock>> pending = new ArrayList<>();
  private final List<Deque<ShareReservation>> opened = new ArrayList<>();

  public OneFileScenario() {
    this(new FaultyLockStore());
  }

  /** The scenario over {@code store}, or in memory if null. */
  OneFileScenario(FaultyLockStore store) {
    this.store = store;
    LockManagers.Builder b =
        LockManagers.builder()
            .scheduler(new ManualScheduler())
            .config(
                LockConfig.builder()
                    .fairness(LockConfig.Fairness.BARGING)
                    .lockTimeout(Duration.ofDays(1))
                    .build());
    this.m = (store == null ? b : b.store(store)).build();
    for (int o = 0; o < OneFileSpec.OWNERS; o++) {
      pending.add(new ArrayDeque<>());
      opened.add(new ArrayDeque<>());
    }
  }

  /**
   * The owner of a thread: Lincheck's thread ids count the parallel threads from 1 and give the
   * sequential init and post parts their own; modulo 3 the parallel threads keep distinct owners.
   */
  static int ownerOf(int threadId) {
    return Math.floorMod(threadId, OneFileSpec.OWNERS);
  }

  private static LockOwner owner(int o) {
    return LockOwner.of("nlm:host:" + o);
  }

  private static LockClient client(int o) {
    return new LockClient("client-" + o, "nlm");
  }

  private static ByteRange bytes(int range) {
    return ByteRange.of(OneFileSpec.first(range), OneFileSpec.last(range));
  }

  private static LockRequest request(int o, boolean exclusive, int range) {
    LockType type = exclusive ? LockType.EXCLUSIVE : LockType.SHARED;
    return new LockRequest(
        FILE, "export", owner(o), client(o), LockFlavour.POSIX, type, bytes(range));
  }

  @Operation
  public String lock(
      @Param(name = "owner") int thread,
      @Param(name = "exclusive") boolean x,
      @Param(name = "range") int range) {
    int o = ownerOf(thread);
    return m.lock(request(o, x, range)).granted() ? "granted" : "denied";
  }

  @Operation
  public String unlock(@Param(name = "owner") int thread, @Param(name = "range") int range) {
    m.unlock(new UnlockRequest(FILE, owner(ownerOf(thread)), LockFlavour.POSIX, bytes(range)));
    return "ok";
  }

  @Operation
  public String test(
      @Param(name = "owner") int thread,
      @Param(name = "exclusive") boolean x,
      @Param(name = "range") int range) {
    int o = ownerOf(thread);
    Optional<Lock> c = m.test(request(o, x, range));
    return c.isEmpty() ? "free" : "conflict";
  }

  @Operation
  public String lockBlocking(
      @Param(name = "owner") int thread,
      @Param(name = "exclusive") boolean x,
      @Param(name = "range") int range) {
    int o = ownerOf(thread);
    PendingLock p;
    try {
      p = m.lockBlocking(request(o, x, range), null);
    } catch (StoreError e) {
      return e.code().name();
    }
    pending.get(o).add(p);
    return p.isDone() ? "granted" : "queued";
  }

  @Operation
  public String cancel(@Param(name = "owner") int thread) {
    PendingLock p = pending.get(ownerOf(thread)).poll();
    return p == null ? "none" : p.cancel() ? "cancelled" : "not pending";
  }

  @Operation
  public String poll(@Param(name = "owner") int thread) {
    PendingLock p = pending.get(ownerOf(thread)).peek();
    if (p == null) {
      return "none";
    }
    if (!p.isDone()) {
      return "pending";
    }
    try {
      return p.poll().isPresent() ? "granted" : "done but empty";
    } catch (StoreError e) {
      return "failed " + e.code();
    }
  }

  @Operation
  public String open(
      @Param(name = "owner") int thread,
      @Param(name = "range") int access,
      @Param(name = "range") int deny) {
    int o = ownerOf(thread);
    try {
      ShareReservation r =
          m.open(new OpenRequest(FILE, "export", owner(o), client(o), modes(access), modes(deny)));
      opened.get(o).add(r);
      return "opened";
    } catch (StoreError e) {
      return e.code().name();
    }
  }

  @Operation
  public String close(@Param(name = "owner") int thread) {
    ShareReservation r = opened.get(ownerOf(thread)).poll();
    if (r == null) {
      return "none";
    }
    m.close(FILE, r.id());
    return "closed";
  }

  /** Bits 0 and 1 of {@code mask} as READ and WRITE (0..3; 4 and 5 wrap to 0 and 1). */
  static Set<ShareAccess> modes(int mask) {
    int m = mask & 3;
    Set<ShareAccess> s = java.util.EnumSet.noneOf(ShareAccess.class);
    if ((m & 1) != 0) {
      s.add(ShareAccess.READ);
    }
    if ((m & 2) != 0) {
      s.add(ShareAccess.WRITE);
    }
    return s;
  }

  /** After every history: the table is consistent and the store holds exactly memory. */
  @Validate
  public void invariants() {
    LockTableInvariants.check(m);
    if (store != null) {
      LockTableInvariants.checkStoreMatches(m, store);
    }
    // SPEC 5: once nothing runs, no queued request could be granted (its conflict did not clear)
    for (Deque<PendingLock> mine : pending) {
      for (PendingLock p : mine) {
        if (!p.isDone() && m.test(p.request()).isEmpty()) {
          throw new AssertionError("queued request " + p + " conflicts with nothing");
        }
      }
    }
  }
}
