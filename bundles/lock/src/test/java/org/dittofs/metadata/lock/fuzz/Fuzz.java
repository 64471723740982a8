package org.dittofs.metadata.lock.fuzz;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.StoreError;
import org.quicktheories.QuickTheory;

/**
 * The fuzzing set-up shared by the property tests (QuickTheories): how many inputs each property
 * gets, the seed, and the count of inputs run.
 *
 * <p>Inputs per property: {@code -Dfuzz.examples} (the soak profile sets 100000), else the
 * property's own default. Seed: fresh per run unless {@code -Dfuzz.seed=S}; QuickTheories prints
 * the seed and the shrunk falsifying input when a property fails, and {@code -Dfuzz.seed} with that
 * seed replays it.
 */
final class Fuzz {
  static final AtomicLong INPUTS = new AtomicLong();

  private Fuzz() {}

  /** A theory with {@code defaultExamples} inputs unless {@code -Dfuzz.examples} says otherwise. */
  static QuickTheory qt(int defaultExamples) {
    int n = Integer.getInteger("fuzz.examples", defaultExamples);
    QuickTheory q = QuickTheory.qt().withExamples(n).withShrinkCycles(10_000);
    String seed = System.getProperty("fuzz.seed");
    return seed == null ? q : q.withFixedSeed(Long.parseLong(seed));
  }

  /** Runs {@code s}: its value, or the StoreError's code. Any other throwable escapes. */
  static Object outcome(Supplier<?> s) {
    INPUTS.incrementAndGet();
    try {
      return s.get();
    } catch (StoreError e) {
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        throw new AssertionError("a refusal without a message: " + e.code(), e);
      }
      return e.code();
    }
  }
}
