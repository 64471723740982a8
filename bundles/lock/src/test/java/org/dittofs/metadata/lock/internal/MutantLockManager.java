package org.dittofs.metadata.lock.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;

/**
 * A deliberately wrong manager around a correct one, to prove the checker can fail: a proxy that
 * passes every call to the correct manager except the one its {@link Mutation} changes. Not
 * thread-safe (the model tests call from one thread).
 */
final class MutantLockManager implements InvocationHandler {
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

  private MutantLockManager(LockManager d, Mutation mutation) {
    this.d = d;
    this.mutation = mutation;
  }

  /** {@code d} with {@code mutation}. */
  static LockManager of(LockManager d, Mutation mutation) {
    return (LockManager)
        Proxy.newProxyInstance(
            LockManager.class.getClassLoader(),
            new Class<?>[] {LockManager.class},
            new MutantLockManager(d, mutation));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    switch (mutation) {
      case TEST_ALWAYS_FREE:
        if (name.equals("test")) {
          return Optional.empty();
        }
        break;
      case UNLOCK_ONE_BYTE_EARLY:
        if (name.equals("unlock")) {
          d.unlock(earlier((UnlockRequest) args[0]));
          return null;
        }
        break;
      case SPLIT_SNAPSHOT:
        if (name.equals("locks")) {
          return split(d.locks((FileHandle) args[0]));
        }
        break;
      case REPORT_LAST_CONFLICT:
        if (name.equals("lock")) {
          return lastConflict((LockRequest) args[0]);
        }
        break;
      case HIDE_WAKE_UPS:
        if (name.equals("lockBlocking")) {
          PendingLock p = d.lockBlocking((LockRequest) args[0], (Duration) args[1]);
          return p.isDone() ? p : new Silent(p);
        }
        break;
    }
    try {
      return method.invoke(d, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private LockResult lastConflict(LockRequest r) {
    LockResult res = d.lock(r);
    if (!(res instanceof LockResult.Denied)) {
      return res;
    }
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

  private static UnlockRequest earlier(UnlockRequest r) {
    ByteRange range = r.range();
    if (r.flavour() == LockFlavour.POSIX
        && !range.isZeroLength()
        && range.first() > 0
        && range.first() < 64) {
      range = ByteRange.of(range.first() - 1, range.last());
    }
    return new UnlockRequest(r.file(), r.owner(), r.flavour(), range);
  }

  private List<Lock> split(List<Lock> real) {
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

  /** A pending request whose completion never reaches the caller. */
  private record Silent(PendingLock p) implements PendingLock {
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
    public Optional<Lock> await(Duration timeout) {
      return Optional.empty();
    }

    @Override
    public boolean cancel() {
      return p.cancel();
    }

    @Override
    public CompletionStage<Lock> completion() {
      return new CompletableFuture<>();
    }
  }
}
