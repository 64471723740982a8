package org.dittofs.lock.benchmarks;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.dittofs.lock.benchmarks.baseline.ListLockTable;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;

/**
 * What the in-memory workloads call, over either implementation: the lock manager as {@code
 * LockManagers.builder()} makes it, without a store, or the list-per-file baseline. Each JMH fork
 * loads one of them, so every call site sees one implementation and stays monomorphic.
 */
final class Table implements AutoCloseable {
  private final Function<LockRequest, LockResult> lock;
  private final Consumer<UnlockRequest> unlock;
  private final Function<LockRequest, Optional<Lock>> test;
  private final Runnable close;
  private final Object implementation;

  private Table(
      Object implementation,
      Function<LockRequest, LockResult> lock,
      Consumer<UnlockRequest> unlock,
      Function<LockRequest, Optional<Lock>> test,
      Runnable close) {
    this.lock = lock;
    this.unlock = unlock;
    this.test = test;
    this.close = close;
    this.implementation = implementation;
  }

  /** The implementation named by a benchmark's {@code impl} parameter. */
  static Table of(String impl) {
    return switch (impl) {
      case Fixtures.DITTOFS -> {
        LockManager m = Fixtures.manager();
        yield new Table(m, m::lock, m::unlock, m::test, m::close);
      }
      case Fixtures.BASELINE -> {
        ListLockTable t = new ListLockTable(1);
        yield new Table(t, t::lock, t::unlock, t::test, () -> {});
      }
      default -> throw new IllegalArgumentException("unknown implementation " + impl);
    };
  }

  /** The lock manager behind the table; empty for the baseline. */
  Optional<LockManager> manager() {
    return implementation instanceof LockManager m ? Optional.of(m) : Optional.empty();
  }

  LockResult lock(LockRequest req) {
    return lock.apply(req);
  }

  void unlock(UnlockRequest req) {
    unlock.accept(req);
  }

  Optional<Lock> test(LockRequest req) {
    return test.apply(req);
  }

  @Override
  public void close() {
    close.run();
  }
}
