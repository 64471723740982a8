package org.dittofs.metadata.lock.fuzz;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.StoreError;

/**
 * What the lock API's property tests share besides {@link
 * org.dittofs.metadata.lock.testing.Fuzzing} (inputs per property, seed; the soak profile sets
 * {@code fuzz.examples} to 100000): the count of inputs run and the judging of one call.
 */
final class Fuzz {
  static final AtomicLong INPUTS = new AtomicLong();

  private Fuzz() {}

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
