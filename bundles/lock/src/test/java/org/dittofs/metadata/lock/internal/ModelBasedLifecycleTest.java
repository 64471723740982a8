package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.internal.LifecycleHarness.Started;
import org.dittofs.metadata.lock.internal.LifecycleHarness.Starter;
import org.dittofs.metadata.lock.internal.ModelHarness.Mismatch;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Model-based randomized test of the lock manager's life (SPEC 5, 9, 10, 11): the real manager, on
 * a {@link org.dittofs.metadata.lock.testing.ManualScheduler} and a {@link
 * org.dittofs.metadata.lock.testing.FaultyLockStore}, and the {@link LifecycleModel} receive the
 * same random operations ({@link LifecycleOpGenerator}): the foundation operations plus blocking
 * requests, cancels, time running past timeouts and the grace period, clients registering,
 * unregistering and rebooting, clean and crash restarts on the store's durable content, and
 * reclaims. After every step {@link LifecycleHarness} compares outcomes, every pending request, the
 * whole lock, open, queue, grace and client state, the table invariants and the store. On a
 * difference the sequence is shrunk (delta debugging, replaying each candidate on a fresh manager
 * and store) and printed with its seed.
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
 * foundation test {@link ModelBasedLockTableTest} reads {@code model.seed} and {@code model.steps}
 * too.
 */
class ModelBasedLifecycleTest {
  private static final long DEFAULT_SEED = 20_260_212L;
  private static final int DEFAULT_STEPS = 50_000;
  private static final long[] POLICY_SEEDS = {11L, 2_026_121_0L, 424_242L, 7L, 99L};
  private static final int POLICY_STEPS = 20_000;
  private static final int SOAK_RUN_STEPS = 250_000;
  private static final long SHRINK_BUDGET_NANOS = 60_000_000_000L;

  private static final Logger LOG = Logger.getLogger("org.dittofs.metadata.lock");
  private static Level savedLevel;

  @BeforeAll
  static void quietLog() {
    savedLevel = LOG.getLevel();
    LOG.setLevel(Level.SEVERE); // hundreds of restarts log their grace periods
  }

  @AfterAll
  static void restoreLog() {
    LOG.setLevel(savedLevel);
  }

  @Test
  void randomLifecycleAgreesWithTheReferenceModel() {
    long seed = Long.parseLong(System.getProperty("model.seed", Long.toString(DEFAULT_SEED)));
    int steps =
        Integer.parseInt(System.getProperty("model.steps", Integer.toString(DEFAULT_STEPS)));
    long start = System.nanoTime();
    Run run = run(seed, steps, standard(), false);
    long ms = (System.nanoTime() - start) / 1_000_000;
    if (run.failure != null) {
      fail(run.failure);
    }
    System.out.println(
        "model-based lifecycle test: seed " + seed + ", " + steps + " steps in " + ms + " ms");
    run.stats.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    if (steps >= 50_000) { // the generator reaches every interesting outcome
      assertThat(run.stats)
          .containsKeys(
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
  }

  /**
   * Every policy with faults: the fixed seeds (or the one {@code -Dmodel.policySeed} names), then a
   * fresh one, each printed with the property that replays it.
   */
  @Test
  void everyPolicyWithStoreFaultsAgreesWithTheReferenceModel() {
    int steps =
        Integer.parseInt(System.getProperty("model.policySteps", Integer.toString(POLICY_STEPS)));
    String fixed = System.getProperty("model.policySeed");
    List<Long> seeds = new ArrayList<>();
    if (fixed != null) {
      seeds.add(Long.parseLong(fixed));
    } else {
      for (long s : POLICY_SEEDS) {
        seeds.add(s);
      }
      seeds.add(new Random().nextLong());
    }
    Map<String, Integer> all = new java.util.TreeMap<>();
    for (long seed : seeds) {
      Run run = policyRun(seed, steps);
      if (fixed == null && seed == seeds.get(seeds.size() - 1)) {
        break; // the fresh seed's outcomes are not counted: the assertion below is about fixed ones
      }
      run.stats.forEach((k, v) -> all.merge(k, v, Integer::sum));
    }
    all.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    if (fixed == null && steps >= POLICY_STEPS) { // the fixed seeds reach every new outcome
      assertThat(all)
          .containsKeys(
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
  }

  /**
   * The soak: policy runs with faults on fresh seeds until {@code -Dmodel.soak.steps} steps ran
   * (the soak profile sets 10 million); skipped without the property.
   */
  @Test
  void soakOfPolicyRunsWithStoreFaults() {
    long total = Long.parseLong(System.getProperty("model.soak.steps", "0"));
    org.junit.jupiter.api.Assumptions.assumeTrue(total > 0, "soak: -Dmodel.soak.steps not set");
    long done = 0;
    int runs = 0;
    long start = System.nanoTime();
    Map<String, Integer> all = new java.util.TreeMap<>();
    Random seeds = new Random();
    List<String> failures = new ArrayList<>();
    while (done < total) {
      int steps = (int) Math.min(SOAK_RUN_STEPS, total - done);
      try {
        Run run = policyRun(seeds.nextLong(), steps);
        run.stats.forEach((k, v) -> all.merge(k, v, Integer::sum));
      } catch (AssertionError e) { // go on: the soak reports every failing seed at the end
        failures.add(e.getMessage());
        System.out.println("soak run failed:\n" + e.getMessage());
      }
      done += steps;
      runs++;
    }
    long faults =
        all.entrySet().stream()
            .filter(e -> e.getKey().startsWith("store "))
            .mapToLong(Map.Entry::getValue)
            .sum();
    System.out.println(
        "model soak: "
            + done
            + " steps in "
            + runs
            + " runs, "
            + faults
            + " store fault steps, "
            + failures.size()
            + " failing runs, "
            + (System.nanoTime() - start) / 1_000_000_000L
            + " s");
    all.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    assertThat(failures).as("failing soak runs").isEmpty();
  }

  /**
   * One policy run with faults; fails the test with the shrunk sequence and the replay property.
   */
  private static Run policyRun(long seed, int steps) {
    LifecyclePolicy policy = LifecyclePolicy.random(new Random(seed));
    long start = System.nanoTime();
    Run run = run(seed, steps, LifecycleHarness.freshSupplier(policy), true);
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println(
        "model-based lifecycle test with faults: seed "
            + seed
            + " (re-run with -Dmodel.policySeed="
            + seed
            + " -Dmodel.policySteps="
            + steps
            + "), "
            + policy
            + ": "
            + steps
            + " steps in "
            + ms
            + " ms");
    if (run.failure != null) {
      fail(
          run.failure.replace(
              "-Dmodel.seed=" + seed, "-Dmodel.policySeed=" + seed + " (policy " + policy + ")"));
    }
    return run;
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
        lock(1, 1, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(42, 49)),
        lock(1, 1, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(35, 37)),
        new LifecycleOp.Restart(true),
        new LifecycleOp.Reclaim(
            1, 1, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(35, 37), false),
        new LifecycleOp.Basic(new ModelOp.Release(1, 1, LockFlavour.POSIX, Span.cells(37, 44))),
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
        lock(3, 2, LockFlavour.POSIX, LockType.SHARED, Span.cells(9, EOF)),
        lock(3, 2, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(56, 61)),
        lock(5, 2, LockFlavour.WINDOWS, LockType.EXCLUSIVE, Span.zeroAt(62)),
        new LifecycleOp.Blocking(
            1, 1, 2, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(0, EOF), 2),
        new LifecycleOp.Blocking(
            2, 3, 2, LockFlavour.POSIX, LockType.SHARED, Span.cells(56, 61), 10), // queued
        new LifecycleOp.Blocking(
            3, 5, 2, LockFlavour.WINDOWS, LockType.EXCLUSIVE, Span.cells(10, 10), 10)); // DEADLOCK
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
        lock(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(0, 9)),
        lock(4, 0, LockFlavour.WINDOWS, LockType.EXCLUSIVE, Span.zeroAt(10)),
        new LifecycleOp.Blocking(
            1, 0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(10, 12), 10), // queued
        new LifecycleOp.Blocking(
            2, 4, 0, LockFlavour.WINDOWS, LockType.EXCLUSIVE, Span.cells(5, 5), 10)); // DEADLOCK
  }

  /**
   * SPEC 1: a request whose flavour differs from the owner's locks is INVALID_ARGUMENT. A queued
   * POSIX request whose owner took a WINDOWS lock meanwhile used to be granted on wake-up, its
   * coalescing swallowing the owner's WINDOWS lock; it now fails with INVALID_ARGUMENT.
   */
  @Test
  void aWaiterWhoseOwnerChangedFlavourMeanwhileFailsWithInvalidArgument() {
    assertAgreesWithModel(
        lock(6, 2, LockFlavour.WINDOWS, LockType.EXCLUSIVE, Span.cells(EOF - 1, EOF - 1)),
        new LifecycleOp.Blocking(
            1, 4, 2, LockFlavour.POSIX, LockType.SHARED, Span.cells(34, EOF), 0),
        new LifecycleOp.Blocking(2, 4, 2, LockFlavour.WINDOWS, LockType.SHARED, Span.zeroAt(58), 3),
        new LifecycleOp.Rebooted(2));
  }

  /**
   * SPEC 1 and 4: a queued POSIX request is never coalesced with (nor counted as a downgrade of)
   * the WINDOWS locks its owner took meanwhile. It used to merge with the owner's touching WINDOWS
   * lock, conflict with it and wait on itself instead of failing with INVALID_ARGUMENT.
   */
  @Test
  void aWaiterIsNotMergedWithTheWindowsLocksItsOwnerTookMeanwhile() {
    assertAgreesWithModel(
        new LifecycleOp.Blocking(
            1, 4, 1, LockFlavour.WINDOWS, LockType.SHARED, Span.cells(17, 17), 23),
        new LifecycleOp.Blocking(
            2, 2, 1, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(17, 17), 55),
        lock(2, 1, LockFlavour.WINDOWS, LockType.EXCLUSIVE, Span.cells(18, 23)),
        new LifecycleOp.Rebooted(0));
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
        lock(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(0, 9)),
        lock(0, 0, LockFlavour.POSIX, LockType.SHARED, Span.cells(10, 19)),
        lock(4, 0, LockFlavour.WINDOWS, LockType.EXCLUSIVE, Span.zeroAt(10)),
        new LifecycleOp.Restart(false),
        new LifecycleOp.Reclaim(
            0, 0, LockFlavour.POSIX, LockType.SHARED, Span.cells(10, 19), false),
        new LifecycleOp.Reclaim(
            0, 0, LockFlavour.POSIX, LockType.SHARED, Span.cells(0, 9), false), // denied
        new LifecycleOp.Reclaim(
            0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(0, 9), false)); // granted
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
        lock(2, 2, LockFlavour.POSIX, LockType.SHARED, Span.cells(24, 26)),
        lock(2, 2, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(26, 26)),
        lock(4, 2, LockFlavour.WINDOWS, LockType.SHARED, Span.zeroAt(26)),
        new LifecycleOp.Blocking(
            1, 2, 2, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(25, 25), 10),
        lock(2, 2, LockFlavour.POSIX, LockType.SHARED, Span.cells(26, 26)));
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
        lock(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(0, 0)),
        lock(1, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(9, 9)),
        new LifecycleOp.Blocking(
            1, 1, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(0, 1), 30),
        lock(2, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(1, 1)),
        new LifecycleOp.Blocking(
            2, 2, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(9, 9), 30)); // DEADLOCK
  }

  /**
   * Issue 10, defect 2, as the model sees it: P0's upgrade of the byte before EOF splits its shared
   * record, so no record holds both bytes around W0's zero-length request any more and the queued
   * request is granted at once. With the fix reverted, it stayed queued until its timeout.
   */
  @Test
  void aSplitThatClearsAZeroLengthConflictGrantsTheWaiter() {
    assertAgreesWithModel(
        lock(0, 0, LockFlavour.POSIX, LockType.SHARED, Span.cells(0, EOF - 1)),
        new LifecycleOp.Blocking(
            1, 4, 0, LockFlavour.WINDOWS, LockType.EXCLUSIVE, Span.zeroAt(EOF - 1), 30),
        lock(0, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(EOF - 1, EOF - 1)));
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
        lock(0, 0, LockFlavour.WINDOWS, LockType.SHARED, Span.cells(46, 47)),
        new LifecycleOp.Register(0, 0),
        new LifecycleOp.Blocking(
            21, 3, 0, LockFlavour.POSIX, LockType.EXCLUSIVE, Span.cells(46, 47), 42),
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
        LifecycleHarness.CONFIG.toBuilder().fairness(LockConfig.Fairness.BARGING).build();
    assertMutantCaught("barging", LifecycleHarness.standard(barging), 3);
  }

  /** Waiters are woken inside the manager, but their callers never hear of it. */
  @Test
  void wakeUpsThatNeverReachTheCallerAreCaughtAndShrunk() {
    Starter hiding =
        (store, scheduler) -> {
          Started s = LifecycleHarness.standard(LifecycleHarness.CONFIG).start(store, scheduler);
          return new Started(
              new MutantLockManager(s.api(), MutantLockManager.Mutation.HIDE_WAKE_UPS), s.real());
        };
    assertMutantCaught("hidden wake-ups", hiding, 3);
  }

  /** A scheduler that drops every timer: requests never time out and grace never runs out. */
  @Test
  void timersThatNeverFireAreCaughtAndShrunk() {
    Starter deaf =
        (store, scheduler) ->
            LifecycleHarness.standard(LifecycleHarness.CONFIG)
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
    Run run = run(DEFAULT_SEED, 20_000, LifecycleHarness.freshSupplier(starter), false);
    assertThat(run.failure).as("mutant '%s' survived", what).isNotNull();
    assertThat(run.failure).contains("seed " + DEFAULT_SEED);
    assertThat(run.shrunk).as(run.failure).hasSizeLessThanOrEqualTo(maxOps);
    System.out.println("mutant '" + what + "' caught:\n" + run.failure);
  }

  // ------------------------------------------------------------ run and shrink

  private static Supplier<LifecycleHarness> standard() {
    return LifecycleHarness.freshSupplier(LifecycleHarness.standard(LifecycleHarness.CONFIG));
  }

  /** The outcome of a run: null failure, or a failure text with the shrunk sequence. */
  private record Run(String failure, List<LifecycleOp> shrunk, Map<String, Integer> stats) {}

  private static Run run(long seed, int steps, Supplier<LifecycleHarness> fresh, boolean faults) {
    LifecycleHarness h = fresh.get();
    LifecycleOpGenerator gen =
        new LifecycleOpGenerator(new Random(faults ? seed * 31 + 7 : seed), h.model(), faults);
    List<LifecycleOp> history = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      LifecycleOp op = gen.next();
      history.add(op);
      try {
        h.step(op);
      } catch (Mismatch m) {
        List<LifecycleOp> shrunk = shrink(history, m.kind, fresh);
        Mismatch again = replay(shrunk, fresh);
        StringBuilder b = new StringBuilder();
        b.append("lock manager disagrees with the lifecycle model (seed ")
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
            .append(" operations), on a fresh manager and store:\n");
        for (int k = 0; k < shrunk.size(); k++) {
          b.append(String.format("  %3d  %s%n", k + 1, shrunk.get(k)));
        }
        b.append("which fails with:\n").append(again == null ? "?" : again.getMessage());
        return new Run(b.toString(), shrunk, h.stats());
      }
    }
    return new Run(null, List.of(), h.stats());
  }

  /** Delta debugging: removes chunks of halving size, then single operations. */
  private static List<LifecycleOp> shrink(
      List<LifecycleOp> history, String kind, Supplier<LifecycleHarness> fresh) {
    long deadline = System.nanoTime() + SHRINK_BUDGET_NANOS;
    List<LifecycleOp> best = history;
    int chunk = Math.max(1, best.size() / 2);
    while (System.nanoTime() < deadline) {
      boolean progress = false;
      int start = 0;
      while (start < best.size() && System.nanoTime() < deadline) {
        int end = Math.min(best.size(), start + chunk);
        List<LifecycleOp> candidate = new ArrayList<>(best.subList(0, start));
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
      List<LifecycleOp> ops, String kind, Supplier<LifecycleHarness> fresh) {
    Mismatch m = replay(ops, fresh);
    return m != null && m.kind.equals(kind);
  }

  static Mismatch replay(List<LifecycleOp> ops, Supplier<LifecycleHarness> fresh) {
    LifecycleHarness h = fresh.get();
    try {
      for (LifecycleOp op : ops) {
        h.step(op);
      }
      return null;
    } catch (Mismatch m) {
      return m;
    }
  }

  /** Replays {@code ops} on a fresh standard manager and fails on any difference. */
  static void assertAgreesWithModel(LifecycleOp... ops) {
    assertAgreesWithModel(LifecyclePolicy.PLAIN, ops);
  }

  /** As above, the manager and the model under {@code policy}. */
  static void assertAgreesWithModel(LifecyclePolicy policy, LifecycleOp... ops) {
    Mismatch m = replay(List.of(ops), LifecycleHarness.freshSupplier(policy));
    if (m != null) {
      fail(m.getMessage());
    }
  }
}
