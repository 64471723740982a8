package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;

/** A deliberately wrong manager around a correct one, to prove the checker can fail. */
final class MutantLockManager implements LockManager {
  enum Mutation {
    /** test() never reports a conflict. */
    TEST_ALWAYS_FREE,
    /** A POSIX unlock starting after 0 also releases the byte before it. */
    UNLOCK_ONE_BYTE_EARLY,
    /** locks() shows every POSIX record longer than one byte as two records. */
    SPLIT_SNAPSHOT,
    /** A denied lock() reports the conflicting lock with the highest first byte. */
    REPORT_LAST_CONFLICT,
    /**
     * A blocking request that is queued never tells its caller how it ended: the waiter is woken
     * (granted, timed out, cancelled) inside the manager, but its PendingLock stays pending.
     */
    HIDE_WAKE_UPS
  }

  private final LockManager d;
  private final Mutation mutation;
  private long fakeIds = 1L << 40;

  MutantLockManager(LockManager d, Mutation mutation) {
    this.d = d;
    this.mutation = mutation;
  }

  @Override
  public LockResult lock(LockRequest r) {
    LockResult res = d.lock(r);
    if (mutation == Mutation.REPORT_LAST_CONFLICT && res instanceof LockResult.Denied) {
      Lock last = null;
      for (Lock l : d.locks(r.file())) {
        if (!l.owner().equals(r.owner())
            && l.range().overlaps(r.range())
            && (l.exclusive() || r.type() == LockType.EXCLUSIVE)) {
          last = l;
        }
      }
      return last == null ? res : new LockResult.Denied(last);
    }
    return res;
  }

  @Override
  public LockResult lockAll(List<LockRequest> requests) {
    return d.lockAll(requests);
  }

  @Override
  public void unlock(UnlockRequest r) {
    ByteRange range = r.range();
    if (mutation == Mutation.UNLOCK_ONE_BYTE_EARLY
        && r.flavour() == LockFlavour.POSIX
        && !range.isZeroLength()
        && range.first() > 0
        && range.first() < 64) {
      range = ByteRange.of(range.first() - 1, range.last());
    }
    d.unlock(new UnlockRequest(r.file(), r.owner(), r.flavour(), range));
  }

  @Override
  public void unlockAll(List<UnlockRequest> requests) {
    d.unlockAll(requests);
  }

  @Override
  public Optional<Lock> test(LockRequest r) {
    return mutation == Mutation.TEST_ALWAYS_FREE ? Optional.empty() : d.test(r);
  }

  @Override
  public ShareReservation open(OpenRequest r) {
    return d.open(r);
  }

  @Override
  public ShareReservation downgrade(
      FileHandle file, LockId open, Set<ShareAccess> access, Set<ShareAccess> deny) {
    return d.downgrade(file, open, access, deny);
  }

  @Override
  public void close(FileHandle file, LockId open) {
    d.close(file, open);
  }

  @Override
  public void checkRead(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode) {
    d.checkRead(file, owner, range, mode);
  }

  @Override
  public void checkWrite(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode) {
    d.checkWrite(file, owner, range, mode);
  }

  @Override
  public List<Lock> locks(FileHandle file) {
    List<Lock> real = d.locks(file);
    if (mutation != Mutation.SPLIT_SNAPSHOT) {
      return real;
    }
    List<Lock> out = new ArrayList<>();
    for (Lock l : real) {
      ByteRange r = l.range();
      if (l.flavour() == LockFlavour.POSIX && r.first() >= 0 && r.last() > r.first()) {
        out.add(piece(l, l.id(), ByteRange.of(r.first(), r.last() - 1)));
        out.add(piece(l, new LockId(l.id().epoch(), fakeIds++), ByteRange.of(r.last(), r.last())));
      } else {
        out.add(l);
      }
    }
    out.sort(ModelStateComparison.ORDER);
    return out;
  }

  private static Lock piece(Lock l, LockId id, ByteRange range) {
    return new Lock(
        id,
        l.owner(),
        l.client(),
        l.share(),
        l.file(),
        range,
        l.type(),
        l.flavour(),
        l.acquiredAt(),
        l.epoch());
  }

  @Override
  public List<FileHandle> files() {
    return d.files();
  }

  @Override
  public List<Lock> waiters(FileHandle file) {
    return d.waiters(file);
  }

  @Override
  public void endGrace() {
    d.endGrace();
  }

  @Override
  public List<ShareReservation> opens(FileHandle file) {
    return d.opens(file);
  }

  @Override
  public long lockCount() {
    return d.lockCount();
  }

  @Override
  public long epoch() {
    return d.epoch();
  }

  @Override
  public org.dittofs.metadata.lock.PendingLock lockBlocking(LockRequest r, java.time.Duration t) {
    org.dittofs.metadata.lock.PendingLock p = d.lockBlocking(r, t);
    return mutation == Mutation.HIDE_WAKE_UPS && !p.isDone() ? new Silent(p) : p;
  }

  /** A pending request whose completion never reaches the caller. */
  private record Silent(org.dittofs.metadata.lock.PendingLock p)
      implements org.dittofs.metadata.lock.PendingLock {
    @Override
    public LockId id() {
      return p.id();
    }

    @Override
    public LockRequest request() {
      return p.request();
    }

    @Override
    public boolean isDone() {
      return false;
    }

    @Override
    public Optional<Lock> poll() {
      return Optional.empty();
    }

    @Override
    public Optional<Lock> await(java.time.Duration timeout) {
      return Optional.empty();
    }

    @Override
    public boolean cancel() {
      return p.cancel();
    }

    @Override
    public java.util.concurrent.CompletionStage<Lock> completion() {
      return new java.util.concurrent.CompletableFuture<>();
    }
  }

  @Override
  public LockResult reclaim(LockRequest r) {
    return d.reclaim(r);
  }

  @Override
  public ShareReservation reclaimOpen(OpenRequest r) {
    return d.reclaimOpen(r);
  }

  @Override
  public void reclaimComplete(org.dittofs.metadata.lock.LockClient c) {
    d.reclaimComplete(c);
  }

  @Override
  public org.dittofs.metadata.lock.GraceStatus graceStatus() {
    return d.graceStatus();
  }

  @Override
  public void registerClient(
      org.dittofs.metadata.lock.LockClient c, String address, java.time.Duration ttl) {
    d.registerClient(c, address, ttl);
  }

  @Override
  public void unregisterClient(org.dittofs.metadata.lock.LockClient c) {
    d.unregisterClient(c);
  }

  @Override
  public void clientRebooted(org.dittofs.metadata.lock.LockClient c) {
    d.clientRebooted(c);
  }

  @Override
  public void keepAlive(org.dittofs.metadata.lock.LockClient c) {
    d.keepAlive(c);
  }

  @Override
  public List<org.dittofs.metadata.lock.host.ClientInfo> clients() {
    return d.clients();
  }

  @Override
  public org.dittofs.metadata.lock.host.LockConfig config() {
    return d.config();
  }

  @Override
  public void reconfigure(org.dittofs.metadata.lock.host.LockConfig c) {
    d.reconfigure(c);
  }

  @Override
  public void addListener(org.dittofs.metadata.lock.host.LockEventListener l) {
    d.addListener(l);
  }

  @Override
  public void removeListener(org.dittofs.metadata.lock.host.LockEventListener l) {
    d.removeListener(l);
  }

  @Override
  public int pendingStoreWrites() {
    return d.pendingStoreWrites();
  }

  @Override
  public void close() {
    d.close();
  }

  @Override
  public int removeFile(FileHandle file, boolean refuseIfHeld, Runnable storeWork) {
    return d.removeFile(file, refuseIfHeld, storeWork);
  }

  @Override
  public org.dittofs.metadata.lock.host.SwapReport swapStore(
      org.dittofs.metadata.lock.spi.LockStore next,
      org.dittofs.metadata.lock.spi.StoreCopier copier) {
    return d.swapStore(next, copier);
  }
}
