package org.dittofs.metadata.lock.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Reachability in a wait-for graph over owners, for the reference models of the tests (each keeps
 * its own requests and edges, written from SPEC 5; none uses the implementation's graph).
 */
public final class WaitForEdges {
  private WaitForEdges() {}

  /**
   * Whether a request of {@code owner} that waits on {@code blockers} closes a cycle: {@code owner}
   * is reachable through the blockers of the queued {@code waiters} (but {@code except}, the
   * request itself), each of which waits on behalf of {@code ownerOf} it.
   */
  public static <W> boolean closesCycle(
      int owner,
      Set<Integer> blockers,
      Iterable<W> waiters,
      W except,
      ToIntFunction<W> ownerOf,
      Function<W, Set<Integer>> blockersOf) {
    return reaches(
        blockers,
        owner,
        o -> {
          List<Integer> next = new ArrayList<>();
          for (W w : waiters) {
            if (ownerOf.applyAsInt(w) == o && w != except) {
              next.addAll(blockersOf.apply(w));
            }
          }
          return next;
        });
  }

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
