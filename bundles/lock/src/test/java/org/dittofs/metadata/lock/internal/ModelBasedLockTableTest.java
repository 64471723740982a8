package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.ModelHarness.Mismatch;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Model-based randomized test of the lock table: the harness ({@link ModelHarness}, {@link
 * ModelRuns}) drives the real manager and the {@link ReferenceLockModel} with the table's operation
 * set ({@link TableOperations}: random operations from {@link ModelOpGenerator}) and compares them
 * after every step. On a difference the failing sequence is shrunk and printed with its seed.
 *
 * <p>A fixed seed (200,000 steps) and on every run a fresh one (50,000 steps), each printed with
 * the properties that replay it: {@code mvn verify -pl bundles/lock -am -Dmodel.seed=7
 * -Dmodel.steps=1000000} (that seed alone; {@link ModelBasedLifecycleTest} reads the same
 * properties for its plain run). The soak profile sets {@code model.soak.tableSteps}: runs of fresh
 * seeds until that many steps ran.
 */
class ModelBasedLockTableTest {
  private static final long DEFAULT_SEED = 20_260_126L;
  private static final int DEFAULT_STEPS = 200_000;
  private static final int FRESH_STEPS = 50_000;
  private static final int SOAK_RUN_STEPS = 500_000;

  @Test
  void randomOperationsAgreeWithTheReferenceModel() {
    long seed = Long.getLong("model.seed", DEFAULT_SEED);
    int steps = Integer.getInteger("model.steps", DEFAULT_STEPS);
    Map<String, Integer> stats = check(seed, steps);
    ModelRuns.assertReached(
        stats,
        steps >= 50_000, // the generator reaches every interesting outcome
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

  /** A fresh seed on every run; skipped while {@code -Dmodel.seed} replays one. */
  @Test
  void aFreshSeedAgreesWithTheReferenceModel() {
    Assumptions.assumeTrue(System.getProperty("model.seed") == null, "a replay runs one seed");
    check(ModelRuns.freshSeed(), FRESH_STEPS);
  }

  /**
   * The same operations on managers whose files give owners lanes at once ({@link Lanes}): lane
   * owners' requests take the fast path where it applies and the slow path over lanes elsewhere;
   * the fixed seed (100,000 steps) and a fresh one (25,000).
   */
  @Test
  void withLanesRandomOperationsAgreeWithTheReferenceModel() {
    fixedAndFresh("model-based lock test with lanes", TableOperations.withLanes(), 2);
  }

  /**
   * The same with lanes that are dissolved where owners' records meet and come back ({@link
   * TableOperations#withLanesComingAndGoing}); the fixed seed (50,000 steps) and a fresh one
   * (12,500).
   */
  @Test
  void withLanesComingAndGoingRandomOperationsAgreeWithTheReferenceModel() {
    fixedAndFresh(
        "model-based lock test with lanes coming and going",
        TableOperations.withLanesComingAndGoing(),
        4);
  }

  /**
   * {@code ops} with the fixed seed ({@code DEFAULT_STEPS / share} steps) and, unless a seed is
   * replayed, a fresh one ({@code FRESH_STEPS / share}).
   */
  private static void fixedAndFresh(String name, OperationSet<ModelOp> ops, int share) {
    long seed = Long.getLong("model.seed", DEFAULT_SEED);
    ModelRuns.check(name, ops, seed, DEFAULT_STEPS / share, "-Dmodel.seed=" + seed);
    if (System.getProperty("model.seed") == null) {
      long fresh = ModelRuns.freshSeed();
      ModelRuns.check(name, ops, fresh, FRESH_STEPS / share, "-Dmodel.seed=" + fresh);
    }
  }

  /**
   * The soak: runs of fresh seeds until {@code -Dmodel.soak.tableSteps} steps ran; skipped without
   * the property.
   */
  @Test
  void soakOfTheLockTable() {
    ModelRuns.soak(
        "model soak of the lock table",
        "model.soak.tableSteps",
        SOAK_RUN_STEPS,
        ModelBasedLockTableTest::check,
        stats -> "");
  }

  private static Map<String, Integer> check(long seed, int steps) {
    return ModelRuns.check(
        "model-based lock test",
        TableOperations.standard(),
        seed,
        steps,
        "-Dmodel.seed=" + seed + " -Dmodel.steps=" + steps);
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
    ModelRuns.assertAgrees(TableOperations.standard(), ops);
  }

  // ------------------------------------------------------------ the checker can fail

  @Test
  void stateComparisonReportsAModelThatDiffersFromTheTable() {
    ModelHarness<ModelOp> h = ModelHarness.start(TableOperations.standard());
    ReferenceLockModel model = TableOperations.model(h);
    h.step(new ModelOp.Acquire(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(2, 9)));
    h.step(new ModelOp.Acquire(4, 1, LockFlavour.WINDOWS, LockType.SHARED, Span.cells(0, 3)));
    h.step(new ModelOp.Open(1, 5, 2, 1, 0));

    model.grant(0, 0, LockFlavour.POSIX, LockType.SHARED, Span.cells(5, 5));
    assertThatThrownBy(h::checkState)
        .isInstanceOf(Mismatch.class)
        .hasMessageContaining("byte 5 is EXCLUSIVE in the table, SHARED in the model");
    model.grant(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(5, 5));
    h.checkState(); // repaired

    model.grant(1, 4, LockFlavour.WINDOWS, LockType.SHARED, Span.cells(0, 3)); // stacked twice
    assertThatThrownBy(h::checkState)
        .isInstanceOf(Mismatch.class)
        .hasMessageContaining(
            "WINDOWS records [SHARED [0, 3]], model [SHARED [0, 3], SHARED [0, 3]]");
    model.release(1, 4, LockFlavour.WINDOWS, Span.cells(0, 3));
    h.checkState();

    model.close(2, 1);
    assertThatThrownBy(h::checkState).isInstanceOf(Mismatch.class).hasMessageContaining("opens");
  }

  @Test
  void outcomeComparisonReportsAWrongPrediction() {
    ModelHarness<ModelOp> h = ModelHarness.start(TableOperations.standard());
    TableOperations.model(h)
        .grant(0, 1, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(20, 30)); // model only
    assertThatThrownBy(
            () ->
                h.step(
                    new ModelOp.Acquire(
                        0, 0, LockFlavour.POSIX, LockType.SHARED, Span.cells(25, 26))))
        .isInstanceOf(Mismatch.class)
        .hasMessageStartingWith("outcome: expected Denied, got Granted");
  }

  /** Each mutant is caught with a difference of its kind and shrunk to a few operations. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "SPLIT_SNAPSHOT, coalescing, 2", // a manager that does not coalesce
    "TEST_ALWAYS_FREE, outcome, 2",
    "UNLOCK_ONE_BYTE_EARLY, state, 2",
    "REPORT_LAST_CONFLICT, report, 3" // a report of the newest conflict
  })
  void aMutantIsCaughtAndShrunk(MutantLockManager.Mutation mutation, String kind, int maxOps) {
    OperationSet<ModelOp> mutant =
        TableOperations.of(
            () -> {
              LockManager real = LockManagers.builder().build();
              return new TableOperations.Target(
                  MutantLockManager.of(real, mutation), () -> LockTableInvariants.check(real));
            });
    ModelRuns.Run<ModelOp> run = ModelRuns.run(mutant, DEFAULT_SEED, 20_000, "the mutant test");
    assertThat(run.failure()).as("mutant %s survived", mutation).isNotNull();
    assertThat(run.failure()).contains("seed " + DEFAULT_SEED).contains(kind + ":");
    assertThat(run.shrunk()).as(run.failure()).hasSizeLessThanOrEqualTo(maxOps);
  }
}
