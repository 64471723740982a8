package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.dittofs.metadata.lock.internal.ModelHarness.Mismatch;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs of the model-based harness ({@link ModelHarness}) over one {@link OperationSet}: a run of
 * random operations from a seed; on a difference the failing sequence is shrunk (first to the
 * verified state rebuilt from scratch plus the failing operation where the set can rebuild it, then
 * by delta debugging: removing chunks of halving size, then single operations, replaying each
 * candidate on a fresh manager and model) and reported with its seed and the system properties that
 * replay it. Seeds are fixed ones plus a fresh one on every run ({@link #seeds}); a soak runs fresh
 * seeds until a number of steps named by a property ran ({@link #soak}).
 *
 * <p>Surefire hands Maven user properties ({@code -Dmodel.seed=7}) to the test JVM as system
 * properties.
 */
final class ModelRuns {
  private static final long SHRINK_BUDGET_NANOS = 60_000_000_000L;

  private ModelRuns() {}

  /** The outcome of a run: null failure, or the failure report with the shrunk sequence. */
  record Run<O>(String failure, List<O> shrunk, Map<String, Integer> stats) {}

  /** One run; {@code replay} names the properties that replay it (for the report). */
  static <O> Run<O> run(OperationSet<O> set, long seed, int steps, String replay) {
    ModelHarness<O> h = ModelHarness.start(set);
    Supplier<O> gen = h.subject().generator(seed);
    List<O> history = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      O op = gen.get();
      history.add(op);
      try {
        h.step(op);
      } catch (Mismatch m) {
        List<O> rebuilt = new ArrayList<>(h.subject().reconstruction());
        rebuilt.add(op);
        List<O> shrunk = shrink(set, history, rebuilt, m.kind);
        Mismatch again = replay(set, shrunk);
        StringBuilder b = new StringBuilder();
        b.append(set.disagreement())
            .append(" (seed ")
            .append(seed)
            .append(", step ")
            .append(i + 1)
            .append(" of ")
            .append(steps)
            .append("; re-run with ")
            .append(replay)
            .append(")\n")
            .append(m.getMessage())
            .append("\nshortest failing sequence found (")
            .append(shrunk.size())
            .append(" of ")
            .append(history.size())
            .append(" operations), on ")
            .append(set.fresh())
            .append(":\n");
        for (int k = 0; k < shrunk.size(); k++) {
          b.append(String.format("  %3d  %s%n", k + 1, shrunk.get(k)));
        }
        b.append("which fails with:\n").append(again == null ? "?" : again.getMessage());
        return new Run<>(b.toString(), shrunk, h.stats());
      }
    }
    return new Run<>(null, List.of(), h.stats());
  }

  /**
   * One run that fails the test with its report; prints {@code name}, the seed, the replay and the
   * time. Returns the outcomes seen.
   */
  static <O> Map<String, Integer> check(
      String name, OperationSet<O> set, long seed, int steps, String replay) {
    long start = System.nanoTime();
    Run<O> run = run(set, seed, steps, replay);
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println(
        name
            + ": seed "
            + seed
            + " (re-run with "
            + replay
            + "), "
            + steps
            + " steps in "
            + ms
            + " ms");
    if (run.failure() != null) {
      fail(run.failure());
    }
    return run.stats();
  }

  /**
   * Prints the outcomes seen and, if {@code judge}, asserts that every one of {@code reached} was
   * (the generator is aimed at them; a run long enough reaches each).
   */
  static void assertReached(Map<String, Integer> stats, boolean judge, String... reached) {
    stats.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    if (judge) {
      assertThat(stats).containsKeys(reached);
    }
  }

  /** Replays {@code ops} on a fresh manager and model; the first difference, or null. */
  static <O> Mismatch replay(OperationSet<O> set, List<O> ops) {
    ModelHarness<O> h = ModelHarness.start(set);
    try {
      for (O op : ops) {
        h.step(op);
      }
      return null;
    } catch (Mismatch m) {
      return m;
    }
  }

  /** Replays {@code ops} on a fresh manager and model and fails the test on any difference. */
  @SafeVarargs
  static <O> void assertAgrees(OperationSet<O> set, O... ops) {
    Mismatch m = replay(set, List.of(ops));
    if (m != null) {
      fail(m.getMessage());
    }
  }

  /**
   * Delta debugging: first tries the rebuilt state plus the failing operation, then removes chunks
   * of halving size and finally single operations while the replay still fails the same way.
   */
  private static <O> List<O> shrink(
      OperationSet<O> set, List<O> history, List<O> rebuilt, String kind) {
    long deadline = System.nanoTime() + SHRINK_BUDGET_NANOS;
    List<O> best = history;
    if (rebuilt.size() < history.size() && failsSameWay(set, rebuilt, kind)) {
      best = rebuilt;
    }
    int chunk = Math.max(1, best.size() / 2);
    while (System.nanoTime() < deadline) {
      boolean progress = false;
      int start = 0;
      while (start < best.size() && System.nanoTime() < deadline) {
        int end = Math.min(best.size(), start + chunk);
        List<O> candidate = new ArrayList<>(best.subList(0, start));
        candidate.addAll(best.subList(end, best.size()));
        if (!candidate.isEmpty() && failsSameWay(set, candidate, kind)) {
          best = candidate;
          progress = true;
        } else {
          start = end;
        }
      }
      if (chunk > 1) {
        chunk /= 2;
      } else if (!progress) {
        break;
      }
    }
    return best;
  }

  private static <O> boolean failsSameWay(OperationSet<O> set, List<O> ops, String kind) {
    Mismatch m = replay(set, ops);
    return m != null && m.kind.equals(kind);
  }

  // ---------------------------------------------------------------- seeds and soak

  /**
   * The seeds of a test: the one {@code property} names (a replay), or the {@code fixed} ones and
   * then a fresh one, which differs on every run.
   */
  static List<Long> seeds(String property, long... fixed) {
    List<Long> seeds = new ArrayList<>();
    String named = System.getProperty(property);
    if (named != null) {
      seeds.add(Long.parseLong(named));
      return seeds;
    }
    for (long s : fixed) {
      seeds.add(s);
    }
    seeds.add(freshSeed());
    return seeds;
  }

  /** A seed that differs on every run. */
  static long freshSeed() {
    return new Random().nextLong();
  }

  /** One run of a soak: fails with its report. */
  interface SoakRun {
    Map<String, Integer> run(long seed, int steps);
  }

  /**
   * The soak: runs of fresh seeds, each of at most {@code runSteps}, until the number of steps
   * {@code property} names ran; skipped without the property. A failing run does not stop it: every
   * failing seed is reported at the end. Prints {@code name}, the figures, what {@code more} says
   * of the outcomes, and the outcomes.
   */
  static void soak(
      String name,
      String property,
      int runSteps,
      SoakRun one,
      Function<Map<String, Integer>, String> more) {
    long total = Long.getLong(property, 0L);
    Assumptions.assumeTrue(total > 0, "soak: -D" + property + " not set");
    long done = 0;
    int runs = 0;
    long start = System.nanoTime();
    Map<String, Integer> all = new TreeMap<>();
    Random seeds = new Random();
    List<String> failures = new ArrayList<>();
    while (done < total) {
      int steps = (int) Math.min(runSteps, total - done);
      try {
        one.run(seeds.nextLong(), steps).forEach((k, v) -> all.merge(k, v, Integer::sum));
      } catch (AssertionError e) { // go on: the soak reports every failing seed at the end
        failures.add(e.getMessage());
        System.out.println(name + " run failed:\n" + e.getMessage());
      }
      done += steps;
      runs++;
    }
    System.out.println(
        name
            + ": "
            + done
            + " steps in "
            + runs
            + " runs, "
            + more.apply(all)
            + failures.size()
            + " failing runs, "
            + (System.nanoTime() - start) / 1_000_000_000L
            + " s");
    all.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    assertThat(failures).as("failing soak runs").isEmpty();
  }
}
