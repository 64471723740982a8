package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A weighted choice of a random generator: outcomes with ascending bounds; a draw picks the first
 * outcome whose bound exceeds it, or the last one. Not thread-safe.
 */
final class Ladder<T> {
  private final List<Integer> bounds = new ArrayList<>();
  private final List<Supplier<T>> outcomes = new ArrayList<>();
  private Supplier<T> otherwise;

  /** The outcome of draws below {@code bound} (and not below an earlier bound). */
  Ladder<T> below(int bound, Supplier<T> outcome) {
    if (!bounds.isEmpty() && bounds.get(bounds.size() - 1) >= bound) {
      throw new IllegalArgumentException("bounds must ascend: " + bounds + " then " + bound);
    }
    bounds.add(bound);
    outcomes.add(outcome);
    return this;
  }

  /** The outcome of every draw at or above the last bound. */
  Ladder<T> otherwise(Supplier<T> outcome) {
    otherwise = outcome;
    return this;
  }

  T pick(int draw) {
    for (int i = 0; i < bounds.size(); i++) {
      if (draw < bounds.get(i)) {
        return outcomes.get(i).get();
      }
    }
    return otherwise.get();
  }
}
