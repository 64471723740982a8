package org.dittofs.metadata.lock.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.spi.ClusterClient;
import org.dittofs.metadata.lock.spi.ClusterListener;
import org.dittofs.metadata.lock.spi.ClusterNode;
import org.dittofs.metadata.lock.spi.FileTransaction;
import org.dittofs.metadata.lock.spi.FileWork;
import org.dittofs.metadata.lock.spi.GraceState;
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
 * and the node each registered client belongs to. {@link #node} gives each lock manager its own
 * view. A client's courtesy flag ({@link LockCluster#clientCourtesy}) is held by an operation that
 * reads it with {@code hold} until the operation ends, against its node's renewal. Commits can be
 * made to fail ({@link #failCommits}), before or after they take effect (an unknown outcome). The
 * cluster's life is kept as the store keeps it: the live nodes, the epoch moved by a cold start
 * (the first join with no node live), the grace period entered then if records of an older epoch
 * are left, and the total-limit quota pool with each node's lease and committed count. A node can
 * be taken for dead ({@link #die}): its lease and count are folded into the pool as a store does.
 *
 * <p>Thread-safe: each file's state is an immutable snapshot in a concurrent map, replaced under
 * the file's lock; the graph is changed under its lock; counters are atomic; the cluster's life
 * (nodes, grace, quota) is guarded by {@code life}'s monitor, a leaf.
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
  private final Map<String, ClusterListener> listeners = new ConcurrentHashMap<>();
  private final Object life = new Object();
  private final LongSupplier clock;
  // guarded by life
  private final Set<String> live = new HashSet<>();
  private long epoch;
  private boolean graceActive;
  private long graceUntil;
  private Set<LockClient> expected = Set.of();
  private final Set<LockClient> completed = new HashSet<>();
  private int restoredLocks;
  private int restoredOpens;
  private int reclaimed;
  private long quotaBase;
  private final Map<String, Long> leases = new HashMap<>();
  private final Map<String, Long> usage = new HashMap<>();
  private final Map<String, String> clients = new ConcurrentHashMap<>(); // client -> its node
  private final Set<String> courtesy = ConcurrentHashMap.newKeySet(); // clients said courtesy
  // a client's standing held by operations (read) against its node's renewal (write)
  private final Map<String, ReentrantReadWriteLock> standings = new ConcurrentHashMap<>();
  private final AtomicLong versions = new AtomicLong();
  private final AtomicLong ids = new AtomicLong(1);
  private final AtomicInteger failing = new AtomicInteger();
  private volatile Failure failure = Failure.LOST;
  private final AtomicInteger commits = new AtomicInteger();

  /** A cluster on the system clock. */
  public InMemoryLockCluster() {
    this(System::nanoTime);
  }

  /** A cluster whose grace period is timed by {@code clock} (nanoseconds, as System.nanoTime). */
  public InMemoryLockCluster(LongSupplier clock) {
    this.clock = clock;
  }

  /** A node's view of the cluster. */
  public LockCluster node(String id) {
    return new Node(id);
  }

  /**
   * Takes node {@code id} for dead, as a store does when its session ends without it leaving: it is
   * no longer live, its listener gets nothing more, and its quota lease and committed count are
   * folded into the pool.
   */
  public void die(String id) {
    synchronized (life) {
      live.remove(id);
      listeners.remove(id);
      fold(id);
    }
  }

  /** A node's committed count goes to the pool's base, its lease ends. Under life. */
  private void fold(String id) {
    quotaBase += usage.getOrDefault(id, 0L);
    usage.remove(id);
    leases.remove(id);
  }

  /**
   * The records of the cluster plus the total-limit quota leased and not used: never above the
   * limit the nodes lease under.
   */
  public long quotaCommitted() {
    synchronized (life) {
      return quotaBase + leases.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The record count the quota accounting says the cluster has: base plus every node's count. */
  public long quotaCounted() {
    synchronized (life) {
      return quotaBase + usage.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The next {@code n} commits that write something fail as {@code how}. */
  public void failCommits(int n, Failure how) {
    failure = how;
    failing.set(n);
  }

  private ReentrantReadWriteLock standing(String client) {
    return standings.computeIfAbsent(client, k -> new ReentrantReadWriteLock());
  }

  /** A client's key in {@code clients}, {@code courtesy} and {@code standings}. */
  private static String key(String clientId, String adapter) {
    return clientId + "\n" + adapter;
  }

  /** Runs {@code change} of client {@code k}'s standing under the write lock of that standing. */
  private boolean changeStanding(String k, BooleanSupplier change) {
    ReentrantReadWriteLock.WriteLock w = standing(k).writeLock();
    w.lock();
    try {
      return change.getAsBoolean();
    } finally {
      w.unlock();
    }
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
    public long join(Duration gracePeriod) {
      synchronized (life) {
        if (live.isEmpty()) {
          coldStart(gracePeriod);
        } else {
          fold(id); // what an earlier incarnation of this node left
        }
        live.add(id);
        return epoch;
      }
    }

    /** The first node of a cluster with none live: a new epoch, grace for what is left. */
    private void coldStart(Duration gracePeriod) {
      epoch++;
      clients.clear();
      List<PersistedLock> left = new ArrayList<>();
      files.values().forEach(f -> left.addAll(f.records().values()));
      quotaBase = left.stream().filter(r -> r.kind() == PersistedLock.Kind.LOCK).count();
      leases.clear();
      usage.clear();
      completed.clear();
      reclaimed = 0;
      graceActive = !left.isEmpty();
      if (graceActive) {
        Set<LockClient> e = new HashSet<>();
        left.forEach(r -> e.add(new LockClient(r.clientId(), r.adapter())));
        expected = Set.copyOf(e);
        restoredLocks = (int) quotaBase;
        restoredOpens = left.size() - restoredLocks;
        graceUntil = clock.getAsLong() + gracePeriod.toNanos();
      }
    }

    @Override
    public void leave() {
      synchronized (life) {
        listeners.remove(id);
        if (live.remove(id)) {
          fold(id);
        }
      }
    }

    @Override
    public void listen(ClusterListener listener) {
      listeners.put(id, listener);
    }

    @Override
    public GraceState grace() {
      synchronized (life) {
        if (!graceActive) {
          return GraceState.NONE;
        }
        return new GraceState(
            true,
            Duration.ofNanos(Math.max(0, graceUntil - clock.getAsLong())),
            expected,
            completed,
            restoredLocks,
            restoredOpens,
            reclaimed);
      }
    }

    @Override
    public boolean reclaimComplete(String clientId, String adapter) {
      synchronized (life) {
        completed.add(new LockClient(clientId, adapter));
        return graceActive && !expected.isEmpty() && completed.containsAll(expected);
      }
    }

    @Override
    public boolean graceProgress(int reclaims) {
      synchronized (life) {
        reclaimed += reclaims;
        return graceActive && restoredFiles().isEmpty();
      }
    }

    @Override
    public List<FileHandle> endGrace(GraceEnd why) {
      List<ClusterListener> told = new ArrayList<>();
      List<FileHandle> out;
      synchronized (life) {
        if (graceActive) {
          boolean holds =
              switch (why) {
                case OPERATOR -> true;
                case TIME_UP -> clock.getAsLong() - graceUntil >= 0;
                case CLIENTS_DONE -> !expected.isEmpty() && completed.containsAll(expected);
                case NOTHING_LEFT -> restoredFiles().isEmpty();
              };
          if (!holds) {
            return null;
          }
          graceActive = false;
          listeners.forEach(
              (n, l) -> {
                if (!n.equals(id)) {
                  told.add(l);
                }
              });
        }
        out = restoredFiles();
      }
      told.forEach(ClusterListener::graceEnded);
      return out;
    }

    /** Files with records of an older epoch than the cluster's. Under life. */
    private List<FileHandle> restoredFiles() {
      List<FileHandle> out = new ArrayList<>();
      files.forEach(
          (f, s) -> {
            if (s.records().values().stream().anyMatch(r -> r.epoch() < epoch)) {
              out.add(f);
            }
          });
      return out;
    }

    @Override
    public long leaseQuota(long need, long max) {
      synchronized (life) {
        long left = max - quotaBase - leases.values().stream().mapToLong(Long::longValue).sum();
        if (left < need) {
          return 0;
        }
        long chunk = Math.min(1000, (left - need) / (2L * Math.max(1, live.size())));
        leases.merge(id, need + chunk, Long::sum);
        return need + chunk;
      }
    }

    @Override
    public void returnQuota(long n) {
      synchronized (life) {
        leases.merge(id, -n, Long::sum);
      }
    }

    @Override
    public List<ClusterNode> nodes() {
      synchronized (life) {
        List<ClusterNode> out = new ArrayList<>();
        for (String n : new java.util.TreeSet<>(live)) {
          int c = (int) clients.values().stream().filter(n::equals).count();
          out.add(new ClusterNode(n, true, 0, java.time.Instant.EPOCH, java.time.Instant.EPOCH, c));
        }
        return out;
      }
    }

    @Override
    public Map<LockClient, String> clientNodes() {
      Map<LockClient, String> out = new HashMap<>();
      clients.forEach(
          (k, n) -> {
            String[] p = k.split("\n", 2);
            out.put(new LockClient(p[0], p[1]), n);
          });
      return out;
    }

    @Override
    public void wantQuota() {
      List<ClusterListener> told = new ArrayList<>();
      listeners.forEach(
          (n, l) -> {
            if (!n.equals(id)) {
              told.add(l);
            }
          });
      told.forEach(ClusterListener::quotaWanted);
    }

    @Override
    public void clientRegistered(String clientId, String adapter, Duration lease) {
      String k = key(clientId, adapter);
      changeStanding(
          k,
          () -> {
            clients.put(k, id);
            return courtesy.remove(k);
          });
    }

    @Override
    public void clientUnregistered(String clientId, String adapter, Duration ttl) {
      clientCourtesy(clientId, adapter, false);
    }

    @Override
    public boolean clientCourtesy(String clientId, String adapter, boolean isCourtesy) {
      String k = key(clientId, adapter);
      return changeStanding(
          k,
          () -> {
            if (!id.equals(clients.get(k))) {
              return false;
            }
            if (isCourtesy) {
              courtesy.add(k);
            } else {
              courtesy.remove(k);
            }
            return true;
          });
    }

    @Override
    public boolean mayRelease(String clientId, String adapter) {
      return id.equals(clients.getOrDefault(key(clientId, adapter), id));
    }

    @Override
    public void clientReleased(String clientId, String adapter) {
      clients.remove(key(clientId, adapter), id);
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
      Tx tx = new Tx(files.getOrDefault(file, EMPTY), hold, id);
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
        tx.releaseStandings();
        work.settled(version);
        for (String n : tx.notified) {
          ClusterListener l = listeners.get(n);
          if (l != null) {
            l.changed(file);
          }
        }
        if (refusal != null) {
          throw refusal;
        }
        return result;
      } finally {
        tx.releaseStandings();
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
      return records(PersistedLock.Kind.LOCK);
    }

    @Override
    public long openCount() {
      return records(PersistedLock.Kind.OPEN);
    }

    @Override
    public long waiterCount() {
      return files.values().stream()
          .flatMap(s -> s.waiters().values().stream())
          .filter(w -> w.state() == QueuedRequest.State.WAITING)
          .count();
    }

    private long records(PersistedLock.Kind kind) {
      return files.values().stream()
          .flatMap(s -> s.records().values().stream())
          .filter(r -> r.kind() == kind)
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
    final Set<String> heldStandings = new LinkedHashSet<>();
    final String node;
    long counted;
    boolean graphHeld;
    boolean ended;

    Tx(Snapshot before, boolean hold, String node) {
      this.before = before;
      this.hold = hold;
      this.node = node;
    }

    @Override
    public void countLocks(long delta) {
      alive(true);
      counted += delta;
    }

    @Override
    public ClusterClient client(String clientId, String adapter, boolean holdIt) {
      alive(holdIt);
      String k = key(clientId, adapter);
      if (holdIt && heldStandings.add(k)) {
        standing(k).readLock().lock();
      }
      String n = clients.get(k);
      return n == null ? null : new ClusterClient(n, courtesy.contains(k));
    }

    @Override
    public boolean courtesyAnywhere() {
      alive(false);
      return !courtesy.isEmpty();
    }

    /** Lets the node of each client whose standing was held renew it again. */
    void releaseStandings() {
      heldStandings.forEach(k -> standing(k).readLock().unlock());
      heldStandings.clear();
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
      return !writes.isEmpty()
          || !puts.isEmpty()
          || !deletes.isEmpty()
          || !edges.isEmpty()
          || counted != 0;
    }

    /** Makes the buffers the committed state; returns the file's version. */
    long commit(FileHandle file) {
      if (counted != 0) {
        synchronized (life) {
          usage.merge(node, counted, Long::sum);
        }
      }
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
