package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.ModelHarness.Mismatch;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;
import org.junit.jupiter.api.Test;

/**
 * Model-based randomized test of the lock table: the real manager and {@link ReferenceLockModel}
 * receive the same random operations ({@link ModelOpGenerator}) and are compared after every step
 * ({@link ModelHarness}). On a difference the failing sequence is shrunk (first by rebuilding the
 * verified state before the failing step from scratch, then by delta debugging: removing chunks,
 * then single operations, replaying each candidate on a fresh manager and model) and printed with
 * its seed.
 *
 * <p>Run with another seed or length: {@code mvn verify -pl bundles/lock -am -Dmodel.seed=7
 * -Dmodel.steps=1000000} (surefire hands Maven user properties to the test JVM as system
 * properties).
 */
class ModelBasedLockTableTest {
  private static final long DEFAULT_SEED = 20_260_126L;
  private static final int DEFAULT_STEPS = 200_000;
  private static final long SHRINK_BUDGET_NANOS = 60_000_000_000L;

  @Test
  void randomOperationsAgreeWithTheReferenceModel() {
    long seed = Long.getLong("model.seed", DEFAULT_SEED);
    int steps = Integer.getInteger("model.steps", DEFAULT_STEPS);
    long start = System.nanoTime();
    Run run = run(seed, steps, ModelHarness.freshSupplier());
    long ms = (System.nanoTime() - start) / 1_000_000;
    if (run.failure != null) {
      fail(run.failure);
    }
    System.out.println(
        "model-based lock test: seed " + seed + ", " + steps + " steps in " + ms + " ms");
    run.stats.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    if (steps >= 50_000) { // the generator reaches every interesting outcome
      assertThat(run.stats)
          .containsKeys(
              "lock GRANTED",
              "lock DENIED",
              "lock INVALID",
              "lockAll GRANTED",
              "lockAll DENIED",
              "lockAll DENIED by own element",
              "lockAll INVALID",
              "unlock OK",
              "unlock LOCK_NOT_FOUND",
              "unlock INVALID_ARGUMENT",
              "unlockAll OK",
              "unlockAll LOCK_NOT_FOUND",
              "test GRANTED",
              "test DENIED",
              "test INVALID",
              "open OK",
              "open SHARE_DENIED",
              "downgrade OK",
              "downgrade INVALID",
              "downgrade NOT_FOUND",
              "close OK",
              "close NOT_FOUND",
              "checkRead ADVISORY CONFLICT",
              "checkRead MANDATORY CONFLICT",
              "checkWrite ADVISORY CONFLICT",
              "checkWrite MANDATORY CONFLICT",
              "checkWrite MANDATORY OK");
    }
  }

  // ------------------------------------------------------------ findings, shrunk by the test

  /**
   * SPEC 2 and 4: a zero-length range holds no byte, so a POSIX release of one releases nothing
   * (refusing it as INVALID_ARGUMENT, like a POSIX zero-length lock request, is accepted too).
   */
  @Test
  void posixUnlockOfAZeroLengthRangeReleasesNoByte() {
    assertAgreesWithModel(
        new ModelOp.Acquire(1, 2, LockFlavour.POSIX, LockType.SHARED, Span.cells(44, 50)),
        new ModelOp.Release(1, 2, LockFlavour.POSIX, Span.zeroAt(48)));
  }

  /**
   * SPEC 3 and 4: a POSIX grant must not coalesce into a record that conflicts with another owner's
   * lock. [5, 9] alone does not conflict with W0's zero-length lock at 10, but coalesced with P0's
   * [10, 12] it holds bytes 9 and 10: granting it would leave two conflicting locks in the table.
   */
  @Test
  void posixCoalescingDoesNotSwallowAnotherOwnersZeroLengthLock() {
    assertAgreesWithModel(
        new ModelOp.Acquire(4, 0, LockFlavour.WINDOWS, LockType.SHARED, Span.zeroAt(10)),
        new ModelOp.Acquire(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(10, 12)),
        new ModelOp.Acquire(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(5, 9)),
        new ModelOp.Test(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(5, 9)));
  }

  /**
   * SPEC 2 and 3: a zero-length lock at X conflicts with a range holding X-1 and X, even where the
   * requesting owner holds both bytes already in two records. A POSIX downgrade whose range joins
   * them across another owner's zero-length lock at the boundary is denied like any request; it
   * used to skip the check on its own range (found by {@link ModelBasedLifecycleTest}, seed 104).
   */
  @Test
  void posixDowngradeAcrossAZeroLengthLockBetweenTwoOwnRecordsIsDenied() {
    int eof3 = ReferenceLockModel.LAST - 3;
    assertAgreesWithModel(
        new ModelOp.Acquire(0, 2, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(18, eof3)),
        new ModelOp.Acquire(0, 2, LockFlavour.POSIX, LockType.SHARED, Span.cells(eof3, eof3)),
        new ModelOp.Acquire(4, 2, LockFlavour.WINDOWS, LockType.EXCLUSIVE, Span.zeroAt(eof3)),
        new ModelOp.Acquire(0, 2, LockFlavour.POSIX, LockType.SHARED, Span.cells(59, eof3)),
        new ModelOp.Test(0, 2, LockFlavour.POSIX, LockType.SHARED, Span.cells(59, eof3)));
  }

  private static void assertAgreesWithModel(ModelOp... ops) {
    Mismatch m = replay(List.of(ops), ModelHarness.freshSupplier());
    if (m != null) {
      fail(m.getMessage());
    }
  }

  // ------------------------------------------------------------ the checker can fail

  @Test
  void stateComparisonReportsAModelThatDiffersFromTheTable() {
    ModelHarness h = ModelHarness.fresh();
    h.step(new ModelOp.Acquire(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(2, 9)));
    h.step(new ModelOp.Acquire(4, 1, LockFlavour.WINDOWS, LockType.SHARED, Span.cells(0, 3)));
    h.step(new ModelOp.Open(1, 5, 2, 1, 0));

    h.model().grant(0, 0, LockFlavour.POSIX, LockType.SHARED, Span.cells(5, 5));
    assertThatThrownBy(h::checkState)
        .isInstanceOf(Mismatch.class)
        .hasMessageContaining("byte 5 is EXCLUSIVE in the table, SHARED in the model");
    h.model().grant(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(5, 5));
    h.checkState(); // repaired

    h.model().grant(1, 4, LockFlavour.WINDOWS, LockType.SHARED, Span.cells(0, 3)); // stacked twice
    assertThatThrownBy(h::checkState)
        .isInstanceOf(Mismatch.class)
        .hasMessageContaining(
            "WINDOWS records [SHARED [0, 3]], model [SHARED [0, 3], SHARED [0, 3]]");
    h.model().release(1, 4, LockFlavour.WINDOWS, Span.cells(0, 3));
    h.checkState();

    h.model().close(2, 1);
    assertThatThrownBy(h::checkState).isInstanceOf(Mismatch.class).hasMessageContaining("opens");
  }

  @Test
  void outcomeComparisonReportsAWrongPrediction() {
    ModelHarness h = ModelHarness.fresh();
    h.model().grant(0, 1, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(20, 30)); // model only
    assertThatThrownBy(
            () ->
                h.step(
                    new ModelOp.Acquire(
                        0, 0, LockFlavour.POSIX, LockType.SHARED, Span.cells(25, 26))))
        .isInstanceOf(Mismatch.class)
        .hasMessageStartingWith("outcome: expected Denied, got Granted");
  }

  @Test
  void aManagerThatDoesNotCoalesceIsCaught() {
    assertMutantCaught(MutantLockManager.Mutation.SPLIT_SNAPSHOT, "coalescing", 2);
  }

  @Test
  void aTestThatAlwaysAnswersFreeIsCaughtAndShrunk() {
    assertMutantCaught(MutantLockManager.Mutation.TEST_ALWAYS_FREE, "outcome", 2);
  }

  @Test
  void anUnlockOffByOneIsCaughtAndShrunk() {
    assertMutantCaught(MutantLockManager.Mutation.UNLOCK_ONE_BYTE_EARLY, "state", 2);
  }

  @Test
  void aReportOfTheNewestConflictIsCaughtAndShrunk() {
    assertMutantCaught(MutantLockManager.Mutation.REPORT_LAST_CONFLICT, "report", 3);
  }

  private static void assertMutantCaught(
      MutantLockManager.Mutation mutation, String kind, int maxOps) {
    Supplier<ModelHarness> fresh =
        () -> {
          LockManager real = LockManagers.builder().build();
          return new ModelHarness(
              new MutantLockManager(real, mutation), () -> LockTableInvariants.check(real));
        };
    Run run = run(DEFAULT_SEED, 20_000, fresh);
    assertThat(run.failure).as("mutant %s survived", mutation).isNotNull();
    assertThat(run.failure).contains("seed " + DEFAULT_SEED).contains(kind + ":");
    assertThat(run.shrunk).as(run.failure).hasSizeLessThanOrEqualTo(maxOps);
  }

  // ------------------------------------------------------------ run and shrink

  /** The outcome of a run: null failure, or a failure text with the shrunk sequence. */
  private record Run(String failure, List<ModelOp> shrunk, Map<String, Integer> stats) {}

  private static Run run(long seed, int steps, Supplier<ModelHarness> fresh) {
    ModelHarness h = fresh.get();
    ModelOpGenerator gen = new ModelOpGenerator(new Random(seed), h.model());
    List<ModelOp> history = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      ModelOp op = gen.next();
      history.add(op);
      try {
        h.step(op);
      } catch (Mismatch m) {
        List<ModelOp> rebuilt = new ArrayList<>(h.reconstruction());
        rebuilt.add(op);
        List<ModelOp> shrunk = shrink(history, rebuilt, m.kind, fresh);
        Mismatch again = replay(shrunk, fresh);
        StringBuilder b = new StringBuilder();
        b.append("lock table disagrees with the reference model (seed ")
            .append(seed)
            .append(", step ")
            .append(i + 1)
            .append(" of ")
            .append(steps)
            .append("; re-run with -Dmodel.seed=")
            .append(seed)
            .append(")\n")
            .append(m.getMessage())
            .append("\nshortest failing sequence found (")
            .append(shrunk.size())
            .append(" of ")
            .append(history.size())
            .append(" operations), on a fresh manager:\n");
        for (int k = 0; k < shrunk.size(); k++) {
          b.append(String.format("  %3d  %s%n", k + 1, shrunk.get(k)));
        }
        b.append("which fails with:\n").append(again == null ? "?" : again.getMessage());
        return new Run(b.toString(), shrunk, h.stats());
      }
    }
    return new Run(null, List.of(), h.stats());
  }

  /**
   * Delta debugging: first tries the rebuilt state plus the failing operation, then removes chunks
   * of halving size and finally single operations while the replay still fails the same way.
   */
  private static List<ModelOp> shrink(
      List<ModelOp> history, List<ModelOp> rebuilt, String kind, Supplier<ModelHarness> fresh) {
    long deadline = System.nanoTime() + SHRINK_BUDGET_NANOS;
    List<ModelOp> best = history;
    if (rebuilt.size() < history.size() && failsSameWay(rebuilt, kind, fresh)) {
      best = rebuilt;
    }
    int chunk = Math.max(1, best.size() / 2);
    while (System.nanoTime() < deadline) {
      boolean progress = false;
      int start = 0;
      while (start < best.size() && System.nanoTime() < deadline) {
        int end = Math.min(best.size(), start + chunk);
        List<ModelOp> candidate = new ArrayList<>(best.subList(0, start));
        candidate.addAll(best.subList(end, best.size()));
        if (!candidate.isEmpty() && failsSameWay(candidate, kind, fresh)) {
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

  private static boolean failsSameWay(
      List<ModelOp> ops, String kind, Supplier<ModelHarness> fresh) {
    Mismatch m = replay(ops, fresh);
    return m != null && m.kind.equals(kind);
  }

  private static Mismatch replay(List<ModelOp> ops, Supplier<ModelHarness> fresh) {
    ModelHarness h = fresh.get();
    try {
      for (ModelOp op : ops) {
        h.step(op);
      }
      return null;
    } catch (Mismatch m) {
      return m;
    }
  }
}
