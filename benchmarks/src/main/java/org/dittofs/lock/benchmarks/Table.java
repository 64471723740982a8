package org.dittofs.lock.benchmarks;

import java.util.Optional;
import org.dittofs.lock.benchmarks.baseline.ListLockTable;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;

/**
 * What the in-memory workloads call, over either implementation; each JMH fork loads one of them,
 * so the call site stays monomorphic.
 */
interface Table extends AutoCloseable {
  LockResult lock(LockRequest req);

  void unlock(UnlockRequest req);

  Optional<Lock> test(LockRequest req);

  @Override
  void close();

  /** The implementation named by a benchmark's {@code impl} parameter. */
  static Table of(String impl) {
    return switch (impl) {
      case Fixtures.DITTOFS -> new Managed(Fixtures.manager());
      case Fixtures.BASELINE -> new Baseline(new ListLockTable(1));
      default -> throw new IllegalArgumentException("unknown implementation " + impl);
    };
  }

  /** The lock manager, as {@code LockManagers.builder()} makes it, without a store. */
  record Managed(LockManager m) implements Table {
    @Override
    public LockResult lock(LockRequest req) {
      return m.lock(req);
    }

    @Override
    public void unlock(UnlockRequest req) {
      m.unlock(req);
    }

    @Override
    public Optional<Lock> test(LockRequest req) {
      return m.test(req);
    }

    @Override
    public void close() {
      m.close();
    }
  }

  /** The list-per-file baseline. */
  record Baseline(ListLockTable t) implements Table {
    @Override
    public LockResult lock(LockRequest req) {
      return t.lock(req);
    }

    @Override
    public void unlock(UnlockRequest req) {
      t.unlock(req);
    }

    @Override
    public Optional<Lock> test(LockRequest req) {
      return t.test(req);
    }

    @Override
    public void close() {}
  }
}
