package org.dittofs.metadata.lock.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.spi.FileTransaction;
import org.dittofs.metadata.lock.spi.FileWork;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.spi.QueuedRequest;
import org.dittofs.metadata.lock.spi.WaitEdge;

/**
 * The {@link LockCluster} contract in memory, for tests of the lock manager's cluster mode without
 * a database: one shared state per file (its version, records and queued requests, replaced whole
 * by each commit), a lock per file held by {@link LockCluster#onFile}, the wait-for graph behind a
 * lock of its own held from the first use in an operation to its end, versions and id blocks from
 * shared counters, notifications delivered to the notified node's listener right after the commit,
 * and the node each registered client belongs to (nodes never die here). {@link #node} gives each
 * lock manager its own view. Commits can be made to fail ({@link #failCommits}), before or after
 * they take effect (an unknown outcome).
 *
 * <p>Thread-safe: each file's state is an immutable snapshot in a concurrent map, replaced under
 * the file's lock; the graph is changed under its lock; counters are atomic.
 */
public final class InMemoryLockCluster {
  private record Snapshot(
      long version, Map<String, PersistedLock> records, Map<String, QueuedRequest> waiters) {}

  private static final Snapshot EMPTY = new Snapshot(0, Map.of(), Map.of());

  /** How the next commits fail. */
  public enum Failure {
    /** Nothing is committed, the node is told STORE_UNAVAILABLE. */
    LOST,
    /** Everything is committed, yet the node is told STORE_UNAVAILABLE (the reply was lost). */
    UNKNOWN
  }

  private final Map<FileHandle, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<FileHandle, Snapshot> files = new ConcurrentHashMap<>();
  private final ReentrantLock graphLock = new ReentrantLock();
  private final Map<String, List<WaitEdge>> graph = new LinkedHashMap<>(); // under graphLock
  private final Map<String, Consumer<FileHandle>> listeners = new ConcurrentHashMap<>();
  private final Map<String, String> clients = new ConcurrentHashMap<>(); // client -> its node
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
    return List.copyOf(files.getOrDefault(file, EMPTY).records().values());
  }

  /** The committed queued requests of a file. */
  public List<QueuedRequest> waiters(FileHandle file) {
    return List.copyOf(files.getOrDefault(file, EMPTY).waiters().values());
  }

  /** The committed wait-for edges. */
  public List<WaitEdge> edges() {
    graphLock.lock();
    try {
      List<WaitEdge> out = new ArrayList<>();
      graph.values().forEach(out::addAll);
      return out;
    } finally {
      graphLock.unlock();
    }
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
    public void leave() {
      listeners.remove(id);
    }

    @Override
    public void listen(Consumer<FileHandle> changed, Consumer<LockClient> expired) {
      listeners.put(id, changed);
    }

    @Override
    public void clientRegistered(String clientId, String adapter, Duration lease) {
      clients.put(clientId + "\n" + adapter, id);
    }

    @Override
    public void clientUnregistered(String clientId, String adapter, Duration ttl) {}

    @Override
    public boolean mayRelease(String clientId, String adapter) {
      return id.equals(clients.getOrDefault(clientId + "\n" + adapter, id));
    }

    @Override
    public void clientReleased(String clientId, String adapter) {
      clients.remove(clientId + "\n" + adapter, id);
    }

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
      Tx tx = new Tx(files.getOrDefault(file, EMPTY), hold);
      try {
        T result = null;
        RuntimeException refusal = null;
        try {
          result = work.run(tx);
        } catch (RuntimeException e) {
          refusal = e;
        } finally {
          tx.ended = true;
        }
        long version = tx.before.version();
        if (tx.changes()) {
          boolean fail = failing.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
          if (!fail || failure == Failure.UNKNOWN) {
            version = tx.commit(file);
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
        for (String n : tx.notified) {
          Consumer<FileHandle> l = listeners.get(n);
          if (l != null) {
            l.accept(file);
          }
        }
        if (refusal != null) {
          throw refusal;
        }
        return result;
      } finally {
        if (tx.graphHeld) {
          graphLock.unlock();
        }
      }
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
                    .anyMatch(r -> r.clientId().equals(clientId) && r.adapter().equals(adapter))
                || s.waiters().values().stream()
                    .anyMatch(
                        w ->
                            w.state() == QueuedRequest.State.WAITING
                                && w.request().clientId().equals(clientId)
                                && w.request().adapter().equals(adapter))) {
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

  /** One operation's view and buffers. Confined to its thread. */
  private final class Tx implements FileTransaction {
    final Snapshot before;
    final boolean hold;
    final List<LockStoreOp> writes = new ArrayList<>();
    final Map<String, QueuedRequest> puts = new LinkedHashMap<>();
    final Set<String> deletes = new LinkedHashSet<>();
    final Map<String, List<WaitEdge>> edges = new LinkedHashMap<>();
    final Set<String> notified = new LinkedHashSet<>();
    boolean graphHeld;
    boolean ended;

    Tx(Snapshot before, boolean hold) {
      this.before = before;
      this.hold = hold;
    }

    @Override
    public long version() {
      return before.version();
    }

    @Override
    public List<PersistedLock> records() {
      alive(false);
      return List.copyOf(before.records().values());
    }

    @Override
    public void write(List<LockStoreOp> ops) {
      alive(true);
      writes.addAll(ops);
    }

    @Override
    public List<QueuedRequest> waiters() {
      alive(false);
      return List.copyOf(before.waiters().values());
    }

    @Override
    public void putWaiter(QueuedRequest w) {
      alive(true);
      deletes.remove(w.id());
      puts.put(w.id(), w);
      if (w.state() != QueuedRequest.State.WAITING) {
        holdGraph();
        edges.put(w.id(), List.of());
      }
    }

    @Override
    public void deleteWaiter(String id) {
      alive(true);
      puts.remove(id);
      deletes.add(id);
      holdGraph();
      edges.put(id, List.of());
    }

    @Override
    public void notify(String node) {
      alive(true);
      notified.add(node);
    }

    @Override
    public List<WaitEdge> waitEdges() {
      alive(true);
      holdGraph();
      Map<String, List<WaitEdge>> all = new LinkedHashMap<>(graph);
      all.putAll(edges);
      List<WaitEdge> out = new ArrayList<>();
      all.values().forEach(out::addAll);
      return out;
    }

    @Override
    public void setWaitEdges(String waiter, String owner, Set<String> blockers) {
      alive(true);
      holdGraph();
      List<WaitEdge> e = new ArrayList<>();
      new HashSet<>(blockers).forEach(b -> e.add(new WaitEdge(waiter, owner, b)));
      edges.put(waiter, e);
    }

    boolean changes() {
      return !writes.isEmpty() || !puts.isEmpty() || !deletes.isEmpty() || !edges.isEmpty();
    }

    /** Makes the buffers the committed state; returns the file's version. */
    long commit(FileHandle file) {
      edges.forEach(
          (w, e) -> {
            if (e.isEmpty()) {
              graph.remove(w);
            } else {
              graph.put(w, e);
            }
          });
      if (writes.isEmpty() && puts.isEmpty() && deletes.isEmpty()) {
        return before.version(); // only edges: the file's state is the same
      }
      Map<String, PersistedLock> records = new LinkedHashMap<>(before.records());
      for (LockStoreOp op : writes) {
        if (op instanceof LockStoreOp.Put p) {
          records.put(p.record().id(), p.record());
        } else {
          records.remove(((LockStoreOp.Delete) op).id());
        }
      }
      Map<String, QueuedRequest> waiters = new LinkedHashMap<>(before.waiters());
      deletes.forEach(waiters::remove);
      waiters.putAll(puts);
      long version = versions.incrementAndGet();
      files.put(file, new Snapshot(version, records, waiters));
      commits.incrementAndGet();
      return version;
    }

    private void holdGraph() {
      if (!graphHeld) {
        graphLock.lock();
        graphHeld = true;
      }
    }

    private void alive(boolean writing) {
      if (ended) {
        throw new IllegalStateException("file transaction used after its work");
      }
      if (writing && !hold) {
        throw new IllegalStateException("a write in a read");
      }
    }
  }
}
