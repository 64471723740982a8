package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Enumerates the answers to a model's nondeterministic choices ({@link ModelHarness.Chooser}),
 * depth first: the first run answers 0 to every choice; {@link #next} moves to the next vector of
 * answers, like an odometer whose wheels are the choices the last run asked.
 */
final class ChoiceScript implements ModelHarness.Chooser {
  private final List<Integer> answers = new ArrayList<>();
  private final List<Integer> bounds = new ArrayList<>();
  private int pos;

  @Override
  public int choose(int n) {
    if (pos < answers.size()) {
      if (bounds.get(pos) != n) { // the run took another path: restart this wheel
        answers.subList(pos, answers.size()).clear();
        bounds.subList(pos, bounds.size()).clear();
      } else {
        return answers.get(pos++);
      }
    }
    answers.add(0);
    bounds.add(n);
    pos++;
    return 0;
  }

  /** Rewinds for the next run with the same answers. */
  void rewind() {
    pos = 0;
  }

  /** Whether the last run asked anything. */
  boolean asked() {
    return !answers.isEmpty();
  }

  /** Moves to the next vector of answers; false when all were tried. */
  boolean next() {
    answers.subList(pos, answers.size()).clear();
    bounds.subList(pos, bounds.size()).clear();
    for (int i = answers.size() - 1; i >= 0; i--) {
      if (answers.get(i) + 1 < bounds.get(i)) {
        answers.set(i, answers.get(i) + 1);
        answers.subList(i + 1, answers.size()).clear();
        bounds.subList(i + 1, bounds.size()).clear();
        pos = 0;
        return true;
      }
    }
    return false;
  }

  /** Forgets every answer (for the next step). */
  void reset() {
    answers.clear();
    bounds.clear();
    pos = 0;
  }
}
