package org.dittofs.lock.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;

/**
 * (a) measured by thread CPU time instead of wall-clock time, for a machine that others load: JMH's
 * figures there include the time the thread waited for a core, which this leaves out. Both tables
 * run in one JVM, in alternating rounds of {@code pairs} lock+unlock pairs (the first rounds warm
 * up); it prints the median CPU time per pair of each and the median of the per-round ratios, with
 * the range. What it still counts: cache misses and the core's sharing with the neighbours' work,
 * so the ratio, measured in the same rounds, is the figure to read. The CPU time of the lock
 * manager's clock thread during a round is added to DittoFS's.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.dittofs.lock.benchmarks.CpuTimeComparison N [ROUNDS [OWNERS]]
 * </pre>
 *
 * N is the number of locks of another owner on the file, as in {@link LockTableBenchmark}. With
 * OWNERS above 1, that many owners (each with its own client and gap) take turns pair by pair.
 */
public final class CpuTimeComparison {
  private static final int WARMUP_ROUNDS = 5;

  private CpuTimeComparison() {}

  /** The medians of one comparison, in ns per pair; {@code ratio} is DittoFS / baseline. */
  record Result(
      int n, int owners, double dittofs, double baseline, double ratio, double low, double high) {
    @Override
    public String toString() {
      return String.format(
          "n = %d%s: DittoFS %.1f ns, baseline %.1f ns of CPU per pair; DittoFS / baseline %.2f"
              + " (rounds from %.2f to %.2f)",
          n,
          owners == 1 ? "" : ", " + owners + " owners taking turns",
          dittofs,
          baseline,
          ratio,
          low,
          high);
    }
  }

  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    int owners = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    System.out.println(compare(n, rounds, 300_000, owners));
  }

  /**
   * The comparison with {@code owners} owners (each with its own client and gap next to the middle
   * one) taking turns pair by pair on the file, as threads do on a hot file but on one thread.
   */
  static Result compare(int n, int rounds, int pairs, int owners) {
    Table ours = Table.of(Fixtures.DITTOFS);
    Table base = Table.of(Fixtures.BASELINE);
    try {
      FileHandle file = Fixtures.file("a");
      LockRequest[] lock = new LockRequest[owners];
      UnlockRequest[] unlock = new UnlockRequest[owners];
      for (int i = 0; i < owners; i++) {
        LockOwner me = Fixtures.owner(i == 0 ? "me" : "me-" + i);
        LockClient client = Fixtures.client(i == 0 ? "me" : "me-" + i);
        lock[i] = Fixtures.posix(file, me, client, LockType.EXCLUSIVE, Fixtures.gap(n / 2 + i));
        unlock[i] = Fixtures.unlock(file, me, lock[i].range());
      }
      for (Table t : List.of(ours, base)) {
        Fixtures.fill(t, file, Fixtures.owner("other"), Fixtures.client("other"), n);
      }
      ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
      List<Double> a = new ArrayList<>();
      List<Double> b = new ArrayList<>();
      List<Double> ratio = new ArrayList<>();
      for (int round = 0; round < WARMUP_ROUNDS + rounds; round++) {
        // alternate which goes first, so that neither always follows the other's garbage
        boolean oursFirst = round % 2 == 0;
        double first = perPair(cpu, oursFirst ? ours : base, lock, unlock, pairs);
        double second = perPair(cpu, oursFirst ? base : ours, lock, unlock, pairs);
        if (round >= WARMUP_ROUNDS) {
          double o = oursFirst ? first : second;
          double x = oursFirst ? second : first;
          a.add(o);
          b.add(x);
          ratio.add(o / x);
        }
      }
      Collections.sort(ratio);
      return new Result(
          n,
          owners,
          median(a),
          median(b),
          median(ratio),
          ratio.get(0),
          ratio.get(ratio.size() - 1));
    } finally {
      ours.close();
      base.close();
    }
  }

  /**
   * CPU time per pair of this thread and of the lock manager's clock thread ({@value
   * #CLOCK_THREAD}: it ticks while requests read it, see the lock bundle's {@code CoarseClock}), so
   * work moved to that thread is still counted. The baseline has no such thread.
   */
  private static double perPair(
      ThreadMXBean cpu, Table t, LockRequest[] lock, UnlockRequest[] unlock, int pairs) {
    long clockStart = clockThreadCpu(cpu);
    long start = cpu.getCurrentThreadCpuTime();
    for (int i = 0, k = 0; i < pairs; i++) {
      Fixtures.granted(t.lock(lock[k]));
      t.unlock(unlock[k]);
      k = k + 1 == lock.length ? 0 : k + 1;
    }
    long own = cpu.getCurrentThreadCpuTime() - start;
    return (own + Math.max(0, clockThreadCpu(cpu) - clockStart)) / (double) pairs;
  }

  /** The name of the lock manager's clock thread. */
  static final String CLOCK_THREAD = "dittofs-lock-clock";

  /**
   * CPU time of the clock threads alive now, in ns. A ticker that ended during a round takes its
   * time with it; one ends only after a second without requests, longer than a round.
   */
  static long clockThreadCpu(ThreadMXBean cpu) {
    long sum = 0;
    for (Thread th : Thread.getAllStackTraces().keySet()) {
      if (CLOCK_THREAD.equals(th.getName())) {
        sum += Math.max(0, cpu.getThreadCpuTime(th.getId()));
      }
    }
    return sum;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
