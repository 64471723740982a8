package org.dittofs.lock.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;

/**
 * (c) one hot file measured by CPU time, for a machine that others load: the workload of {@link
 * ThroughputBenchmark#hot1} and {@code hot2} (each thread its own owner and client, a free gap of
 * one file that holds {@value ThroughputBenchmark#BACKGROUND} locks of another owner), both tables
 * in alternating rounds in one JVM. Per round it sums the CPU time of the working threads (and of
 * the lock manager's clock thread, {@link CpuTimeComparison#CLOCK_THREAD}) and divides by the pairs
 * done: what contention costs shows up there (a spinning or parking thread burns CPU, a cache line
 * moving between cores makes each pair slower), while the time a thread waits for a core does not.
 * It prints the medians of each table with 1 and 2 threads, the median per-round ratio and the
 * wall-clock throughput of the rounds (which on a loaded machine says little). With {@code readers}
 * it runs {@link ThroughputBenchmark#readers2}'s workload instead: every thread locks the same
 * range SHARED.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.dittofs.lock.benchmarks.HotFileCpuComparison [ROUNDS] [readers]
 * </pre>
 */
public final class HotFileCpuComparison {
  private static final int WARMUP_ROUNDS = 5;

  private HotFileCpuComparison() {}

  /**
   * The medians of one comparison: CPU ns per pair of each table, DittoFS / baseline per round
   * (median and range), and pairs per wall-clock microsecond of each table's rounds.
   */
  record Result(
      boolean readers,
      int threads,
      double dittofs,
      double baseline,
      double ratio,
      double low,
      double high,
      double dittofsPerMicro,
      double baselinePerMicro) {
    @Override
    public String toString() {
      return String.format(
          "%s, %d thread(s): DittoFS %.1f ns, baseline %.1f ns of CPU per pair;"
              + " DittoFS / baseline %.2f (rounds from %.2f to %.2f);"
              + " wall clock %.2f vs %.2f pairs/us",
          readers ? "readers of one range" : "hot file",
          threads,
          dittofs,
          baseline,
          ratio,
          low,
          high,
          dittofsPerMicro,
          baselinePerMicro);
    }
  }

  /** One round: CPU ns per pair (all threads) and pairs per wall-clock microsecond. */
  private record Round(double cpuPerPair, double pairsPerMicro) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    boolean readers = args.length > 1 && args[1].equals("readers");
    for (int threads = 1; threads <= 2; threads++) {
      System.out.println(compare(threads, rounds, 200_000, readers));
    }
  }

  /**
   * Both tables with {@code threads} threads, {@code pairs} pairs per thread and round; each thread
   * on a gap of its own, or with {@code readers} all SHARED on one.
   */
  static Result compare(int threads, int rounds, int pairs, boolean readers) throws Exception {
    Table ours = Table.of(Fixtures.DITTOFS);
    Table base = Table.of(Fixtures.BASELINE);
    try {
      FileHandle hot = Fixtures.file("hot");
      for (Table t : List.of(ours, base)) {
        Fixtures.fill(
            t,
            hot,
            Fixtures.owner("other"),
            Fixtures.client("other"),
            ThroughputBenchmark.BACKGROUND);
      }
      List<Double> a = new ArrayList<>();
      List<Double> b = new ArrayList<>();
      List<Double> ratio = new ArrayList<>();
      List<Double> wa = new ArrayList<>();
      List<Double> wb = new ArrayList<>();
      for (int round = 0; round < WARMUP_ROUNDS + rounds; round++) {
        boolean oursFirst = round % 2 == 0; // neither always follows the other's garbage
        Round first = round(oursFirst ? ours : base, hot, threads, pairs, readers);
        Round second = round(oursFirst ? base : ours, hot, threads, pairs, readers);
        if (round >= WARMUP_ROUNDS) {
          Round o = oursFirst ? first : second;
          Round x = oursFirst ? second : first;
          a.add(o.cpuPerPair());
          b.add(x.cpuPerPair());
          ratio.add(o.cpuPerPair() / x.cpuPerPair());
          wa.add(o.pairsPerMicro());
          wb.add(x.pairsPerMicro());
        }
      }
      Collections.sort(ratio);
      return new Result(
          readers,
          threads,
          median(a),
          median(b),
          median(ratio),
          ratio.get(0),
          ratio.get(ratio.size() - 1),
          median(wa),
          median(wb));
    } finally {
      ours.close();
      base.close();
    }
  }

  private static Round round(Table t, FileHandle hot, int threads, int pairs, boolean readers)
      throws Exception {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    CyclicBarrier end = new CyclicBarrier(threads + 1);
    AtomicLong cpuNanos = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      LockOwner owner = Fixtures.owner("worker-" + i);
      LockClient client = Fixtures.client("worker-" + i);
      LockRequest lock =
          readers
              ? Fixtures.posix(hot, owner, client, LockType.SHARED, Fixtures.gap(0))
              : Fixtures.posix(hot, owner, client, LockType.EXCLUSIVE, Fixtures.gap(i));
      UnlockRequest unlock = Fixtures.unlock(hot, owner, lock.range());
      Thread w =
          new Thread(
              () -> {
                try {
                  start.await();
                  long c = cpu.getCurrentThreadCpuTime();
                  for (int p = 0; p < pairs; p++) {
                    Fixtures.granted(t.lock(lock));
                    t.unlock(unlock);
                  }
                  cpuNanos.addAndGet(cpu.getCurrentThreadCpuTime() - c);
                  end.await();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              "hot-worker-" + i);
      w.start();
      workers.add(w);
    }
    long clock = CpuTimeComparison.clockThreadCpu(cpu);
    start.await();
    long wall = System.nanoTime();
    end.await();
    wall = System.nanoTime() - wall;
    long ticker = Math.max(0, CpuTimeComparison.clockThreadCpu(cpu) - clock);
    for (Thread w : workers) {
      w.join();
    }
    long done = (long) pairs * threads;
    return new Round((cpuNanos.get() + ticker) / (double) done, done * 1000.0 / wall);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
