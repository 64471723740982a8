package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dittofs.metadata.lock.LockFlavour.POSIX;
import static org.dittofs.metadata.lock.LockFlavour.WINDOWS;
import static org.dittofs.metadata.lock.LockType.EXCLUSIVE;
import static org.dittofs.metadata.lock.LockType.SHARED;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.QuietLockLog;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.internal.LifecycleOperations.Started;
import org.dittofs.metadata.lock.internal.LifecycleOperations.Starter;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Model-based randomized test of the lock manager's life (SPEC 5, 9, 10, 11): the harness ({@link
 * ModelHarness}, {@link ModelRuns}) drives the real manager, on a {@link
 * org.dittofs.metadata.lock.testing.ManualScheduler} and a {@link
 * org.dittofs.metadata.lock.testing.FaultyLockStore}, and the {@link LifecycleModel} with the
 * lifecycle operation set ({@link LifecycleOperations}): the lock table's operations plus blocking
 * requests, cancels, time running past timeouts and the grace period, clients registering,
 * unregistering and rebooting, clean and crash restarts on the store's durable content, and
 * reclaims. After every step it compares outcomes, every pending request, the whole lock, open,
 * queue, grace and client state, the table invariants and the store. On a difference the sequence
 * is shrunk and printed with its seed.
 *
 * <p>Two families of runs. The plain run (FIFO, no limits, no lease expiry, a healthy store)
 * replays with {@code -Dmodel.seed=7 -Dmodel.steps=500000}. The policy runs draw a {@link
 * LifecyclePolicy} from their seed (BARGING or FIFO, limits that are hit, a lease that runs out so
 * that courtesy clients are revoked) and add clients with a ttl and store faults (down and up, one
 * write failing, a commit that lands but throws): a few fixed seeds, and on every run a fresh seed,
 * printed with the property that replays it ({@code -Dmodel.policySeed=S}, with {@code
 * -Dmodel.policySteps=N} for another length). The soak profile ({@code mvn verify -pl bundles/lock
 * -am -Psoak}) sets {@code model.soak.steps} (10 million): policy runs of fresh seeds until that
 * many steps ran. Surefire hands Maven user properties to the test JVM as system properties; the
 * lock table's test {@link ModelBasedLockTableTest} reads {@code model.seed} and {@code
 * model.steps} too.
 */
@ExtendWith(QuietLockLog.class) // hundreds of restarts log their grace periods
class ModelBasedLifecycleTest {
  private static final long DEFAULT_SEED = 20_260_212L;
  private static final int DEFAULT_STEPS = 50_000;
  private static final long[] POLICY_SEEDS = {11L, 2_026_121_0L, 424_242L, 7L, 99L};
  private static final int POLICY_STEPS = 20_000;
  private static final int SOAK_RUN_STEPS = 250_000;

  @Test
  void randomLifecycleAgreesWithTheReferenceModel() {
    long seed = Long.getLong("model.seed", DEFAULT_SEED);
    int steps = Integer.getInteger("model.steps", DEFAULT_STEPS);
    Map<String, Integer> stats =
        ModelRuns.check(
            "model-based lifecycle test",
            LifecycleOperations.plain(),
            seed,
            steps,
            "-Dmodel.seed=" + seed + " -Dmodel.steps=" + steps);
    ModelRuns.assertReached(
        stats,
        steps >= 50_000, // the generator reaches every interesting outcome
        "lockBlocking GRANTED",
        "lockBlocking QUEUED",
        "lockBlocking DEADLOCK",
        "lockBlocking GRACE",
        "lockBlocking INVALID",
        "waiter GRANTED on wake-up",
        "waiter TIMED_OUT",
        "waiter CANCELLED by cancel()",
        "waiter CANCELLED: its client went away",
        "cancel true",
        "cancel false",
        "lock DENIED_BY_WAITER",
        "lockAll DENIED_BY_WAITER",
        "test DENIED_BY_WAITER",
        "lock GRANTED, then a waiter granted after it",
        "lock GRACE",
        "open GRACE_PERIOD",
        "test DENIED_BY_LOCK in grace",
        "unregister releasing",
        "unregister of an unregistered client",
        "clientRebooted",
        "restart clean, grace",
        "restart crash, grace",
        "reclaim GRANTED",
        "reclaim LOCK_NOT_FOUND",
        "reclaim NOT_IN_GRACE",
        "reclaimOpen GRANTED",
        "reclaimOpen LOCK_NOT_FOUND",
        "grace ended by its timer with some record left",
        "grace ended early: no restored record left",
        "grace ended early: every expected client completed",
        "unlock OK (file with restored locks)");
  }

  /**
   * Every policy with faults: the fixed seeds (or the one {@code -Dmodel.policySeed} names), then a
   * fresh one, each printed with the property that replays it.
   */
  @Test
  void everyPolicyWithStoreFaultsAgreesWithTheReferenceModel() {
    int steps = Integer.getInteger("model.policySteps", POLICY_STEPS);
    String fixed = System.getProperty("model.policySeed");
    List<Long> seeds = ModelRuns.seeds("model.policySeed", POLICY_SEEDS);
    Map<String, Integer> all = new TreeMap<>();
    for (long seed : seeds) {
      Map<String, Integer> stats = policyRun(seed, steps);
      if (fixed == null && seed == seeds.get(seeds.size() - 1)) {
        break; // the fresh seed's outcomes are not counted: the assertion below is about fixed ones
      }
      stats.forEach((k, v) -> all.merge(k, v, Integer::sum));
    }
    ModelRuns.assertReached(
        all,
        fixed == null && steps >= POLICY_STEPS, // the fixed seeds reach every new outcome
        "lock LOCK_LIMIT_EXCEEDED",
        "lockBlocking LIMIT",
        "limit per-file hit",
        "limit per-client hit",
        "limit total hit",
        "limit waiters-per-file hit",
        "lock STORE_UNAVAILABLE",
        "lockBlocking STORE_UNAVAILABLE",
        "open STORE_UNAVAILABLE",
        "waiter STORE_UNAVAILABLE on wake-up",
        "store fault armed: lands, then throws",
        "store fault spent on a write the model does not decide on",
        "courtesy locks revoked",
        "courtesy open revoked",
        "keepAlive of a courtesy client",
        "unregister, ttl release due",
        "ttl release",
        "lock DENIED_BY_WAITER",
        "lockBlocking DEADLOCK",
        "waiter GRANTED when a blocker's lease ran out");
  }

  /**
   * The soak: policy runs with faults on fresh seeds until {@code -Dmodel.soak.steps} steps ran
   * (the soak profile sets 10 million); skipped without the property.
   */
  @Test
  void soakOfPolicyRunsWithStoreFaults() {
    ModelRuns.soak(
        "model soak",
        "model.soak.steps",
        SOAK_RUN_STEPS,
        ModelBasedLifecycleTest::policyRun,
        stats ->
            stats.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("store "))
                    .mapToLong(Map.Entry::getValue)
                    .sum()
                + " store fault steps, ");
  }

  /**
   * One policy run with faults; fails the test with the shrunk sequence and the replay property.
   */
  private static Map<String, Integer> policyRun(long seed, int steps) {
    LifecyclePolicy policy = LifecyclePolicy.random(new Random(seed));
    return ModelRuns.check(
        "model-based lifecycle test with faults, " + policy,
        LifecycleOperations.withFaults(policy),
        seed,
        steps,
        "-Dmodel.policySeed=" + seed + " -Dmodel.policySteps=" + steps);
  }

  // ------------------------------------------------------------ findings, shrunk by the test

  private static final int EOF = ReferenceLockModel.LAST;

  /**
   * SPEC 11: only restored records that were not reclaimed are released when grace ends. A release
   * that splits a reclaimed lock and a restored one in the same request must leave the reclaimed
   * lock's remainder live: it used to inherit the restored mark and be dropped by grace.
   */
  @Test
  void aReleaseAcrossARestoredAndAReclaimedLockKeepsTheReclaimedRemainder() {
    assertAgreesWithModel(
        lock(1, 1, POSIX, EXCLUSIVE, Span.cells(42, 49)),
        lock(1, 1, POSIX, EXCLUSIVE, Span.cells(35, 37)),
        new LifecycleOp.Restart(true),
        new LifecycleOp.Reclaim(1, 1, POSIX, EXCLUSIVE, Span.cells(35, 37), false),
        new LifecycleOp.Basic(new ModelOp.Release(1, 1, POSIX, Span.cells(37, 44))),
        new LifecycleOp.Advance(LifecycleModel.GRACE_SECONDS));
  }

  /**
   * SPEC 4 and 5: a POSIX downgrade never waits behind waiters, so waiters queued ahead are no
   * blockers of it; it waits only on the lock its coalesced record meets (a WINDOWS zero-length
   * lock on the boundary the merge closes). It used to be refused with a false DEADLOCK through the
   * waiter ahead, and the owner of the zero-length lock was missing from the wait-for graph, so the
   * cycle that owner closes later went unseen.
   */
  @Test
  void aWaitingDowngradeWaitsOnTheLockItsCoalescedRecordMeetsAndNotOnWaitersAhead() {
    assertAgreesWithModel(
        lock(3, 2, POSIX, SHARED, Span.cells(9, EOF)),
        lock(3, 2, POSIX, EXCLUSIVE, Span.cells(56, 61)),
        lock(5, 2, WINDOWS, EXCLUSIVE, Span.zeroAt(62)),
        waiting(1, 1, 2, POSIX, EXCLUSIVE, Span.cells(0, EOF), 2),
        waiting(2, 3, 2, POSIX, SHARED, Span.cells(56, 61), 10), // queued
        waiting(3, 5, 2, WINDOWS, EXCLUSIVE, Span.cells(10, 10), 10)); // DEADLOCK
  }

  /**
   * SPEC 5, exact detection: a request that waits only because its coalesced record would cross
   * another owner's zero-length lock waits on that owner. The edge used to be missing (blockers
   * were looked up on the request's range alone), so W0 asking for P0's bytes queued into an
   * undetected deadlock instead of failing with DEADLOCK.
   */
  @Test
  void aRequestWaitingBecauseOfCoalescingWaitsOnTheZeroLengthLocksOwner() {
    assertAgreesWithModel(
        lock(0, 0, POSIX, EXCLUSIVE, Span.cells(0, 9)),
        lock(4, 0, WINDOWS, EXCLUSIVE, Span.zeroAt(10)),
        waiting(1, 0, 0, POSIX, EXCLUSIVE, Span.cells(10, 12), 10), // queued
        waiting(2, 4, 0, WINDOWS, EXCLUSIVE, Span.cells(5, 5), 10)); // DEADLOCK
  }

  /**
   * SPEC 1: a request whose flavour differs from the owner's locks is INVALID_ARGUMENT. A queued
   * POSIX request whose owner took a WINDOWS lock meanwhile used to be granted on wake-up, its
   * coalescing swallowing the owner's WINDOWS lock; it now fails with INVALID_ARGUMENT.
   */
  @Test
  void aWaiterWhoseOwnerChangedFlavourMeanwhileFailsWithInvalidArgument() {
    assertAgreesWithModel(
        lock(6, 2, WINDOWS, EXCLUSIVE, Span.cells(EOF - 1, EOF - 1)),
        waiting(1, 4, 2, POSIX, SHARED, Span.cells(34, EOF), 0),
        waiting(2, 4, 2, WINDOWS, SHARED, Span.zeroAt(58), 3),
        LifecycleOp.rebooted(2));
  }

  /**
   * SPEC 1 and 4: a queued POSIX request is never coalesced with (nor counted as a downgrade of)
   * the WINDOWS locks its owner took meanwhile. It used to merge with the owner's touching WINDOWS
   * lock, conflict with it and wait on itself instead of failing with INVALID_ARGUMENT.
   */
  @Test
  void aWaiterIsNotMergedWithTheWindowsLocksItsOwnerTookMeanwhile() {
    assertAgreesWithModel(
        waiting(1, 4, 1, WINDOWS, SHARED, Span.cells(17, 17), 23),
        waiting(2, 2, 1, POSIX, EXCLUSIVE, Span.cells(17, 17), 55),
        lock(2, 1, WINDOWS, EXCLUSIVE, Span.cells(18, 23)),
        LifecycleOp.rebooted(0));
  }

  /**
   * SPEC 3 for reclaims: a reclaim with a weaker type coalesces with the owner's reclaimed
   * neighbour; if that record would span another owner's zero-length lock on the boundary, the
   * reclaim is denied (nothing changes) like any such grant. It used to be granted, leaving two
   * conflicting locks; the original type can still be reclaimed.
   */
  @Test
  void aReclaimWhoseCoalescedRecordMeetsAZeroLengthLockIsDenied() {
    assertAgreesWithModel(
        lock(0, 0, POSIX, EXCLUSIVE, Span.cells(0, 9)),
        lock(0, 0, POSIX, SHARED, Span.cells(10, 19)),
        lock(4, 0, WINDOWS, EXCLUSIVE, Span.zeroAt(10)),
        new LifecycleOp.Restart(false),
        new LifecycleOp.Reclaim(0, 0, POSIX, SHARED, Span.cells(10, 19), false),
        new LifecycleOp.Reclaim(0, 0, POSIX, SHARED, Span.cells(0, 9), false), // denied
        new LifecycleOp.Reclaim(0, 0, POSIX, EXCLUSIVE, Span.cells(0, 9), false)); // granted
  }

  /**
   * SPEC 4 and 5 together (a harness finding, not a manager bug): P2's upgrade of byte 25 waits
   * because its coalesced record would span W0's zero-length lock at 26; P2's downgrade of byte 26
   * is granted as SHARED [24, 26] and wakes the queue, where P2's own upgrade is now granted and
   * splits that record again, all in one call.
   */
  @Test
  void aDowngradeThatWakesItsOwnersUpgradeIsSplitAgainInTheSameCall() {
    assertAgreesWithModel(
        lock(2, 2, POSIX, SHARED, Span.cells(24, 26)),
        lock(2, 2, POSIX, EXCLUSIVE, Span.cells(26, 26)),
        lock(4, 2, WINDOWS, SHARED, Span.zeroAt(26)),
        waiting(1, 2, 2, POSIX, EXCLUSIVE, Span.cells(25, 25), 10),
        lock(2, 2, POSIX, SHARED, Span.cells(26, 26)));
  }

  /**
   * Issue 10, defect 1, as the model sees it: under BARGING, C's grant of byte 1 newly blocks B's
   * queued request, so when C asks to wait on B the cycle C -> B -> C must be seen (DEADLOCK). With
   * the fix of the waiters' re-check reverted, the manager queued C (the model test fails here).
   */
  @Test
  void aGrantThatNewlyBlocksAWaiterAddsItsEdgeSoTheCycleIsSeen() {
    LifecyclePolicy barging = new LifecyclePolicy(LockConfig.Fairness.BARGING, 0, 0, 0, 0, 0);
    assertAgreesWithModel(
        barging,
        lock(0, 0, POSIX, EXCLUSIVE, Span.cells(0, 0)),
        lock(1, 0, POSIX, EXCLUSIVE, Span.cells(9, 9)),
        waiting(1, 1, 0, POSIX, EXCLUSIVE, Span.cells(0, 1), 30),
        lock(2, 0, POSIX, EXCLUSIVE, Span.cells(1, 1)),
        waiting(2, 2, 0, POSIX, EXCLUSIVE, Span.cells(9, 9), 30)); // DEADLOCK
  }

  /**
   * Issue 10, defect 2, as the model sees it: P0's upgrade of the byte before EOF splits its shared
   * record, so no record holds both bytes around W0's zero-length request any more and the queued
   * request is granted at once. With the fix reverted, it stayed queued until its timeout.
   */
  @Test
  void aSplitThatClearsAZeroLengthConflictGrantsTheWaiter() {
    assertAgreesWithModel(
        lock(0, 0, POSIX, SHARED, Span.cells(0, EOF - 1)),
        waiting(1, 4, 0, WINDOWS, EXCLUSIVE, Span.zeroAt(EOF - 1), 30),
        lock(0, 0, POSIX, EXCLUSIVE, Span.cells(EOF - 1, EOF - 1)));
  }

  /** lockBlocking() as request {@code n} with a timeout of {@code seconds} (0: the default). */
  private static LifecycleOp waiting(
      int n, int owner, int file, LockFlavour flavour, LockType type, Span span, int seconds) {
    return new LifecycleOp.Blocking(n, owner, file, flavour, type, span, seconds);
  }

  /**
   * Issue 10, a waiter stuck while nothing blocks it (SPEC 9): c0 registers while W0 holds a lock
   * that P3 then waits for; 26 s later c0 has been silent for longer than the 25 s lease, and P3's
   * request revokes W0's lock and is granted at that moment, as a new request would be. Without the
   * lease re-check the manager kept P3 waiting (shrunk from the fixed seed 424242).
   */
  @Test
  void aWaiterIsGrantedWhenItsBlockersLeaseRunsOut() {
    LifecyclePolicy lease = new LifecyclePolicy(LockConfig.Fairness.FIFO, 0, 0, 0, 0, 25);
    assertAgreesWithModel(
        lease,
        lock(0, 0, WINDOWS, SHARED, Span.cells(46, 47)),
        new LifecycleOp.Register(0, 0),
        waiting(21, 3, 0, POSIX, EXCLUSIVE, Span.cells(46, 47), 42),
        new LifecycleOp.Advance(26)); // granted at 25 s + 1 ns
  }

  private static LifecycleOp lock(
      int owner, int file, LockFlavour flavour, LockType type, Span span) {
    return new LifecycleOp.Basic(new ModelOp.Acquire(owner, file, flavour, type, span));
  }

  // ------------------------------------------------------------ the checker can fail

  /** A manager that lets newcomers overtake queued requests (BARGING) while the model is FIFO. */
  @Test
  void aManagerThatGrantsNewcomersAheadOfWaitersIsCaughtAndShrunk() {
    LockConfig barging =
        LifecycleOperations.CONFIG.toBuilder().fairness(LockConfig.Fairness.BARGING).build();
    assertMutantCaught("barging", LifecycleOperations.standard(barging), 3);
  }

  /** Waiters are woken inside the manager, but their callers never hear of it. */
  @Test
  void wakeUpsThatNeverReachTheCallerAreCaughtAndShrunk() {
    Starter hiding =
        (store, scheduler) -> {
          Started s =
              LifecycleOperations.standard(LifecycleOperations.CONFIG).start(store, scheduler);
          return new Started(
              MutantLockManager.of(s.api(), MutantLockManager.Mutation.HIDE_WAKE_UPS), s.real());
        };
    assertMutantCaught("hidden wake-ups", hiding, 3);
  }

  /** A scheduler that drops every timer: requests never time out and grace never runs out. */
  @Test
  void timersThatNeverFireAreCaughtAndShrunk() {
    Starter deaf =
        (store, scheduler) ->
            LifecycleOperations.standard(LifecycleOperations.CONFIG)
                .start(store, new DroppingScheduler(scheduler));
    assertMutantCaught("dropped timers", deaf, 4);
  }

  private static final class DroppingScheduler implements LockScheduler {
    private final LockScheduler clock;

    DroppingScheduler(LockScheduler clock) {
      this.clock = clock;
    }

    @Override
    public Instant now() {
      return clock.now();
    }

    @Override
    public long nanoTime() {
      return clock.nanoTime();
    }

    @Override
    public Timer schedule(Runnable task, Duration delay) {
      return () -> true;
    }
  }

  private static void assertMutantCaught(String what, Starter starter, int maxOps) {
    ModelRuns.Run<LifecycleOp> run =
        ModelRuns.run(LifecycleOperations.of(starter), DEFAULT_SEED, 20_000, "the mutant test");
    assertThat(run.failure()).as("mutant '%s' survived", what).isNotNull();
    assertThat(run.failure()).contains("seed " + DEFAULT_SEED);
    assertThat(run.shrunk()).as(run.failure()).hasSizeLessThanOrEqualTo(maxOps);
    System.out.println("mutant '" + what + "' caught:\n" + run.failure());
  }

  /** Replays {@code ops} on a fresh standard manager and fails on any difference. */
  static void assertAgreesWithModel(LifecycleOp... ops) {
    assertAgreesWithModel(LifecyclePolicy.PLAIN, ops);
  }

  /** As above, the manager and the model under {@code policy}. */
  static void assertAgreesWithModel(LifecyclePolicy policy, LifecycleOp... ops) {
    ModelRuns.assertAgrees(LifecycleOperations.of(policy), ops);
  }
}
