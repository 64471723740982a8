package org.dittofs.metadata.lock.testing;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Reachability in a wait-for graph over owners, for the reference models of the tests (each keeps
 * its own requests and edges, written from SPEC 5; none uses the implementation's graph).
 */
public final class WaitForEdges {
  private WaitForEdges() {}

  /**
   * Whether {@code target} is reachable from any owner of {@code start}, following {@code next}:
   * the owners that the requests of an owner wait on.
   */
  public static boolean reaches(
      Collection<Integer> start, int target, IntFunction<Collection<Integer>> next) {
    Set<Integer> seen = new HashSet<>(start);
    Deque<Integer> todo = new ArrayDeque<>(start);
    while (!todo.isEmpty()) {
      int o = todo.pop();
      if (o == target) {
        return true;
      }
      for (int b : next.apply(o)) {
        if (seen.add(b)) {
          todo.push(b);
        }
      }
    }
    return false;
  }
}
