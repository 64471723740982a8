package org.dittofs.metadata.lock.concurrent;

import org.dittofs.metadata.lock.QuietLockLog;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the lock manager, checked by Lincheck (issue 10, item 4) against sequential
 * specifications written from SPEC.md: {@link OneFileScenario} (locks, tests, blocking requests
 * with cancel, opens, on one file) in both of Lincheck's modes, {@link SwapGateScenario} (the same
 * with concurrent hot swaps) and {@link LimitScenario} (the limit reservations) in stress mode.
 *
 * <p>Model checking runs the manager under Lincheck's bytecode instrumentation, about one second
 * (one file) to four (limits: the reservation counters) per invocation here, so the test command
 * runs a small budget; {@code -Dlincheck.soak=true} (the soak profile) runs a large one. The swap
 * gate is not model checked: its timed wait loop ({@code TrafficGate.awaitOpen}) reads {@code
 * System.nanoTime}, which Lincheck's model checker holds constant, and the swapper's walk over a
 * {@code ConcurrentHashMap} trips its spin-loop detection, so every interleaving in which a request
 * meets the closed gate is reported as a hang (checked here: Lincheck 3.7 on Java 17); on real
 * threads (stress mode) the gate is exercised.
 */
class LockManagerLincheckTest {
  private static final boolean SOAK = Boolean.getBoolean("lincheck.soak");

  @BeforeAll
  static void quietLog() {
    QuietLockLog.quiet(); // thousands of swaps and failed writes
  }

  @AfterAll
  static void restoreLog() {
    QuietLockLog.restore();
  }

  /**
   * One to four seconds per invocation under the model checker here; each iteration explores one
   * generated scenario.
   */
  private static ModelCheckingOptions modelChecking() {
    return new ModelCheckingOptions()
        .iterations(SOAK ? 15 : 2)
        .invocationsPerIteration(SOAK ? 4 : 2)
        .threads(3)
        .actorsPerThread(2)
        .actorsBefore(1)
        .actorsAfter(1);
  }

  private static StressOptions stress() {
    return new StressOptions()
        .iterations(SOAK ? 1_000 : 150) // scenarios: each iteration generates one
        .invocationsPerIteration(SOAK ? 100 : 20)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(1);
  }

  @Test
  void oneFileIsLinearizableUnderModelChecking() {
    modelChecking().sequentialSpecification(OneFileSpec.class).check(OneFileScenario.class);
  }

  @Test
  void oneFileIsLinearizableUnderStress() {
    stress().sequentialSpecification(OneFileSpec.class).check(OneFileScenario.class);
  }

  @Test
  void requestsDuringHotSwapsAreLinearizableUnderStress() {
    stress().sequentialSpecification(OneFileSpec.class).check(SwapGateScenario.class);
  }

  @Test
  void limitReservationsNeverOvershootUnderStress() {
    stress().sequentialSpecification(LimitSpec.class).check(LimitScenario.class);
  }
}
