package org.dittofs.metadata.lock.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.FileTransaction;
import org.dittofs.metadata.lock.spi.FileWork;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * The {@link LockCluster} contract in memory, for tests of the lock manager's cluster mode without
 * a database: one shared state per file (its version and records, replaced whole by each commit), a
 * lock per file held by {@link LockCluster#onFile}, versions and id blocks from shared counters.
 * {@link #node} gives each lock manager its own view. Commits can be made to fail ({@link
 * #failCommits}), before or after they take effect (an unknown outcome).
 *
 * <p>Thread-safe: each file's state is an immutable snapshot in a concurrent map, replaced under
 * the file's lock; counters are atomic.
 */
public final class InMemoryLockCluster {
  private record Snapshot(long version, Map<String, PersistedLock> records) {}

  /** How the next commits fail. */
  public enum Failure {
    /** Nothing is committed, the node is told STORE_UNAVAILABLE. */
    LOST,
    /** Everything is committed, yet the node is told STORE_UNAVAILABLE (the reply was lost). */
    UNKNOWN
  }

  private final Map<FileHandle, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<FileHandle, Snapshot> files = new ConcurrentHashMap<>();
  private final AtomicLong versions = new AtomicLong();
  private final AtomicLong ids = new AtomicLong(1);
  private final AtomicInteger failing = new AtomicInteger();
  private volatile Failure failure = Failure.LOST;
  private final AtomicInteger commits = new AtomicInteger();

  /** A node's view of the cluster. */
  public LockCluster node(String id) {
    return new Node(id);
  }

  /** The next {@code n} commits that write something fail as {@code how}. */
  public void failCommits(int n, Failure how) {
    failure = how;
    failing.set(n);
  }

  /** The committed records of a file. */
  public List<PersistedLock> records(FileHandle file) {
    Snapshot s = files.get(file);
    return s == null ? List.of() : List.copyOf(s.records().values());
  }

  /** Commits that wrote something so far. */
  public int commits() {
    return commits.get();
  }

  private final class Node implements LockCluster {
    private final String id;

    Node(String id) {
      this.id = id;
    }

    @Override
    public String node() {
      return id;
    }

    @Override
    public long join() {
      return 1;
    }

    @Override
    public void leave() {}

    @Override
    public <T> T onFile(FileHandle file, FileWork<T> work) {
      ReentrantLock lock = locks.computeIfAbsent(file, f -> new ReentrantLock());
      lock.lock();
      try {
        return run(file, work, true);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public <T> T read(FileHandle file, FileWork<T> work) {
      return run(file, work, false);
    }

    private <T> T run(FileHandle file, FileWork<T> work, boolean hold) {
      Snapshot before = files.getOrDefault(file, new Snapshot(0, Map.of()));
      List<LockStoreOp> writes = new ArrayList<>();
      boolean[] ended = new boolean[1];
      FileTransaction tx =
          new FileTransaction() {
            @Override
            public long version() {
              return before.version();
            }

            @Override
            public List<PersistedLock> records() {
              check();
              return List.copyOf(before.records().values());
            }

            @Override
            public void write(List<LockStoreOp> ops) {
              check();
              if (!hold) {
                throw new IllegalStateException("a write in a read");
              }
              writes.addAll(ops);
            }

            private void check() {
              if (ended[0]) {
                throw new IllegalStateException("file transaction used after its work");
              }
            }
          };
      T result = null;
      RuntimeException refusal = null;
      try {
        result = work.run(tx);
      } catch (RuntimeException e) {
        refusal = e;
      } finally {
        ended[0] = true;
      }
      long version = before.version();
      if (!writes.isEmpty()) {
        boolean fail = failing.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        if (!fail || failure == Failure.UNKNOWN) {
          Map<String, PersistedLock> next = new LinkedHashMap<>(before.records());
          for (LockStoreOp op : writes) {
            if (op instanceof LockStoreOp.Put p) {
              next.put(p.record().id(), p.record());
            } else {
              next.remove(((LockStoreOp.Delete) op).id());
            }
          }
          version = versions.incrementAndGet();
          files.put(file, new Snapshot(version, next));
          commits.incrementAndGet();
        }
        if (fail) {
          StoreError e = new StoreError(ErrorCode.STORE_UNAVAILABLE, "injected commit failure");
          if (refusal != null) {
            e.addSuppressed(refusal);
          }
          throw e;
        }
      }
      work.settled(version);
      if (refusal != null) {
        throw refusal;
      }
      return result;
    }

    @Override
    public long idBlock(int size) {
      return ids.getAndAdd(size);
    }

    @Override
    public List<FileHandle> filesOf(String clientId, String adapter) {
      List<FileHandle> out = new ArrayList<>();
      files.forEach(
          (f, s) -> {
            if (s.records().values().stream()
                .anyMatch(r -> r.clientId().equals(clientId) && r.adapter().equals(adapter))) {
              out.add(f);
            }
          });
      return out;
    }

    @Override
    public List<FileHandle> files() {
      List<FileHandle> out = new ArrayList<>();
      files.forEach(
          (f, s) -> {
            if (!s.records().isEmpty()) {
              out.add(f);
            }
          });
      return out;
    }

    @Override
    public long lockCount() {
      return files.values().stream()
          .flatMap(s -> s.records().values().stream())
          .filter(r -> r.kind() == PersistedLock.Kind.LOCK)
          .count();
    }
  }
}
